;; An i64 comparison whose result is a value uses setcc + movzx.
(module
  (func (export "lt") (param i64 i64) (result i32)
    (i64.lt_s (local.get 0) (local.get 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i64, i64) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8254000000           jb 0x6a
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8516000000           jne 0x40
;;     2a: 488b4510               mov rax, qword ptr [rbp + 0x10]
;;     2e: 483b4518               cmp rax, qword ptr [rbp + 0x18]
;;     32: 0f9cc0                 setl al
;;     35: 0fb6c0                 movzx eax, al
;;     38: 894510                 mov dword ptr [rbp + 0x10], eax
;;     3b: 4889ec                 mov rsp, rbp
;;     3e: 5d                     pop rbp
;;     3f: c3                     ret
;;     40: 4d8d5f48               lea r11, [r15 + 0x48]
;;     44: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     48: 0f842a000000           je 0x78
;;     4e: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     56: 0faef0                 mfence
;;     59: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     5d: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     62: 0f8510000000           jne 0x78
;;     68: ebc0                   jmp 0x2a
;;     6a: be0a000000             mov esi, 0xa
;;     6f: 4c89ff                 mov rdi, r15
;;     72: ff1518000000           call qword ptr [rip + 0x18]               ; wasm@0x22 local.get 0
;;     78: be0b000000             mov esi, 0xb
;;     7d: 4c89ff                 mov rdi, r15
;;     80: ff150a000000           call qword ptr [rip + 0xa]                ; wasm@0x22 local.get 0
