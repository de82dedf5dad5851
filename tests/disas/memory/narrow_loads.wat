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
;;     10: 0f825d000000           jb 0x73
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f851f000000           jne 0x49
;;     2a: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     2e: 4b0fbe041e             movsx rax, byte ptr [r14 + r11]           ; wasm@0x27 i64.load8_s 0 0
;;     33: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     37: 430fb74c1e02           movzx ecx, word ptr [r14 + r11 + 2]       ; wasm@0x2c i64.load16_u 1 2
;;     3d: 4801c8                 add rax, rcx
;;     40: 48894510               mov qword ptr [rbp + 0x10], rax
;;     44: 4889ec                 mov rsp, rbp
;;     47: 5d                     pop rbp
;;     48: c3                     ret
;;     49: 4d8d5f48               lea r11, [r15 + 0x48]
;;     4d: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     51: 0f842a000000           je 0x81
;;     57: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     5f: 0faef0                 mfence
;;     62: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     66: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     6b: 0f8510000000           jne 0x81
;;     71: ebb7                   jmp 0x2a
;;     73: be0a000000             mov esi, 0xa
;;     78: 4c89ff                 mov rdi, r15
;;     7b: ff150f000000           call qword ptr [rip + 0xf]                ; wasm@0x25 local.get 0
;;     81: be0b000000             mov esi, 0xb
;;     86: 4c89ff                 mov rdi, r15
;;     89: ff1501000000           call qword ptr [rip + 1]                  ; wasm@0x25 local.get 0
