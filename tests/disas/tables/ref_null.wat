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
;;     10: 0f8254000000           jb 0x6a
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8516000000           jne 0x40
;;     2a: 48837d1000             cmp qword ptr [rbp + 0x10], 0
;;     2f: 0f94c0                 sete al
;;     32: 0fb6c0                 movzx eax, al
;;     35: 83c001                 add eax, 1
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
;;     72: ff1518000000           call qword ptr [rip + 0x18]               ; wasm@0x20 local.get 0
;;     78: be0b000000             mov esi, 0xb
;;     7d: 4c89ff                 mov rdi, r15
;;     80: ff150a000000           call qword ptr [rip + 0xa]                ; wasm@0x20 local.get 0
