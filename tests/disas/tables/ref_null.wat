;; ref.null is a zero word; ref.is_null tests it.
(module
  (func (export "f") (param externref) (result i32)
    (i32.add (ref.is_null (local.get 0)) (ref.is_null (ref.null func)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (externref) -> (i32):
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
;;     2e: 48837d1000             cmp qword ptr [rbp + 0x10], 0
;;     33: 0f94c0                 sete al
;;     36: 0fb6c0                 movzx eax, al
;;     39: 83c001                 add eax, 1
;;     3c: 894510                 mov dword ptr [rbp + 0x10], eax
;;     3f: 4889ec                 mov rsp, rbp
;;     42: 5d                     pop rbp
;;     43: c3                     ret
;;     44: be0a000000             mov esi, 0xa
;;     49: 4c89ff                 mov rdi, r15
;;     4c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x20 local.get 0
;;     52: be0b000000             mov esi, 0xb
;;     57: 4c89ff                 mov rdi, r15
;;     5a: ff1500000000           call qword ptr [rip]                      ; wasm@0x20 local.get 0
