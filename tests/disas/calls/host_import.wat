;; A call to an imported function goes through the import's entry in the vmctx.
(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (func (export "f") (param i32) (result i32)
    (call $h (i32.mul (local.get 0) (i32.const 3)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[1] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d20000000           sub rax, 0x20
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f824b000000           jb 0x61
;;     16: 4157                   push r15
;;     18: 4881ec18000000         sub rsp, 0x18
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8541000000           jne 0x6f
;;     2e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     31: 6bc003                 imul eax, eax, 3
;;     34: 890424                 mov dword ptr [rsp], eax
;;     37: 498b4760               mov rax, qword ptr [r15 + 0x60]
;;     3b: 498b4f68               mov rcx, qword ptr [r15 + 0x68]
;;     3f: 498b17                 mov rdx, qword ptr [r15]
;;     42: 488911                 mov qword ptr [rcx], rdx
;;     45: 4989cf                 mov r15, rcx
;;     48: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;     4c: ffd0                   call rax                                  ; wasm@0x30 call 0
;;     4e: 4c8b7df8               mov r15, qword ptr [rbp - 8]
;;     52: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;     56: 8b0424                 mov eax, dword ptr [rsp]
;;     59: 894510                 mov dword ptr [rbp + 0x10], eax
;;     5c: 4889ec                 mov rsp, rbp
;;     5f: 5d                     pop rbp
;;     60: c3                     ret
;;     61: be0a000000             mov esi, 0xa
;;     66: 4c89ff                 mov rdi, r15
;;     69: ff1531000000           call qword ptr [rip + 0x31]               ; wasm@0x2b local.get 0
;;     6f: be0b000000             mov esi, 0xb
;;     74: 4c89ff                 mov rdi, r15
;;     77: ff1523000000           call qword ptr [rip + 0x23]               ; wasm@0x2b local.get 0
