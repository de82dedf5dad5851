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
;;     10: 0f822e000000           jb 0x44
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8524000000           jne 0x52
;;     2e: 488b4510               mov rax, qword ptr [rbp + 0x10]
;;     32: 483b4518               cmp rax, qword ptr [rbp + 0x18]
;;     36: 0f9cc0                 setl al
;;     39: 0fb6c0                 movzx eax, al
;;     3c: 894510                 mov dword ptr [rbp + 0x10], eax
;;     3f: 4889ec                 mov rsp, rbp
;;     42: 5d                     pop rbp
;;     43: c3                     ret
;;     44: be0a000000             mov esi, 0xa
;;     49: 4c89ff                 mov rdi, r15
;;     4c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x22 local.get 0
;;     52: be0b000000             mov esi, 0xb
;;     57: 4c89ff                 mov rdi, r15
;;     5a: ff1500000000           call qword ptr [rip]                      ; wasm@0x22 local.get 0
