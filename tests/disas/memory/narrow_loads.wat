;; Narrow loads sign- or zero-extend in one instruction.
(module
  (memory 1)
  (func (export "f") (param i32) (result i64)
    (i64.add (i64.load8_s (local.get 0)) (i64.load16_u offset=2 (local.get 0)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i64):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8237000000           jb 0x4d
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f852d000000           jne 0x5b
;;     2e: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     32: 4b0fbe041e             movsx rax, byte ptr [r14 + r11]           ; wasm@0x27 i64.load8_s 0 0
;;     37: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     3b: 430fb74c1e02           movzx ecx, word ptr [r14 + r11 + 2]       ; wasm@0x2c i64.load16_u 1 2
;;     41: 4801c8                 add rax, rcx
;;     44: 48894510               mov qword ptr [rbp + 0x10], rax
;;     48: 4889ec                 mov rsp, rbp
;;     4b: 5d                     pop rbp
;;     4c: c3                     ret
;;     4d: be0a000000             mov esi, 0xa
;;     52: 4c89ff                 mov rdi, r15
;;     55: ff1515000000           call qword ptr [rip + 0x15]               ; wasm@0x25 local.get 0
;;     5b: be0b000000             mov esi, 0xb
;;     60: 4c89ff                 mov rdi, r15
;;     63: ff1507000000           call qword ptr [rip + 7]                  ; wasm@0x25 local.get 0
