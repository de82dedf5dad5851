;; if/else with a result: both arms leave the value in the same register.
(module
  (func (export "f") (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.add (local.get 1) (i32.const 1)))
      (else (i32.sub (local.get 1) (i32.const 1))))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8246000000           jb 0x5c
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f853c000000           jne 0x6a
;;     2e: 837d1000               cmp dword ptr [rbp + 0x10], 0
;;     32: 0f850e000000           jne 0x46
;;     38: 8b4518                 mov eax, dword ptr [rbp + 0x18]
;;     3b: 83c001                 add eax, 1
;;     3e: 8945f0                 mov dword ptr [rbp - 0x10], eax
;;     41: e909000000             jmp 0x4f
;;     46: 8b4518                 mov eax, dword ptr [rbp + 0x18]
;;     49: 83e801                 sub eax, 1
;;     4c: 8945f0                 mov dword ptr [rbp - 0x10], eax
;;     4f: 448b5df0               mov r11d, dword ptr [rbp - 0x10]
;;     53: 44895d10               mov dword ptr [rbp + 0x10], r11d
;;     57: 4889ec                 mov rsp, rbp
;;     5a: 5d                     pop rbp
;;     5b: c3                     ret
;;     5c: be0a000000             mov esi, 0xa
;;     61: 4c89ff                 mov rdi, r15
;;     64: ff1516000000           call qword ptr [rip + 0x16]               ; wasm@0x21 local.get 0
;;     6a: be0b000000             mov esi, 0xb
;;     6f: 4c89ff                 mov rdi, r15
;;     72: ff1508000000           call qword ptr [rip + 8]                  ; wasm@0x21 local.get 0
