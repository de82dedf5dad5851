;; Variable shifts put the count in cl; constant counts become immediates.
(module
  (func (export "f") (param i32 i32) (result i32)
    (i32.xor (i32.rotl (local.get 0) (local.get 1)) (i32.shr_u (local.get 0) (i32.const 3)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8230000000           jb 0x46
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8526000000           jne 0x54
;;     2e: 8b4d18                 mov ecx, dword ptr [rbp + 0x18]
;;     31: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     34: d3c0                   rol eax, cl
;;     36: 8b4d10                 mov ecx, dword ptr [rbp + 0x10]
;;     39: c1e903                 shr ecx, 3
;;     3c: 31c8                   xor eax, ecx
;;     3e: 894510                 mov dword ptr [rbp + 0x10], eax
;;     41: 4889ec                 mov rsp, rbp
;;     44: 5d                     pop rbp
;;     45: c3                     ret
;;     46: be0a000000             mov esi, 0xa
;;     4b: 4c89ff                 mov rdi, r15
;;     4e: ff151c000000           call qword ptr [rip + 0x1c]               ; wasm@0x21 local.get 0
;;     54: be0b000000             mov esi, 0xb
;;     59: 4c89ff                 mov rdi, r15
;;     5c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x21 local.get 0
