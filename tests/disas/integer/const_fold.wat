;; Constants fold into immediates; constant subexpressions fold at compile time.
(module
  (func (export "f") (param i32) (result i32)
    (i32.add (local.get 0) (i32.mul (i32.const 6) (i32.const 7)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8226000000           jb 0x3c
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f851c000000           jne 0x4a
;;     2e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     31: 83c02a                 add eax, 0x2a
;;     34: 894510                 mov dword ptr [rbp + 0x10], eax
;;     37: 4889ec                 mov rsp, rbp
;;     3a: 5d                     pop rbp
;;     3b: c3                     ret
;;     3c: be0a000000             mov esi, 0xa
;;     41: 4c89ff                 mov rdi, r15
;;     44: ff1516000000           call qword ptr [rip + 0x16]               ; wasm@0x20 local.get 0
;;     4a: be0b000000             mov esi, 0xb
;;     4f: 4c89ff                 mov rdi, r15
;;     52: ff1508000000           call qword ptr [rip + 8]                  ; wasm@0x20 local.get 0
