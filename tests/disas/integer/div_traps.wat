;; Signed division checks the divisor for zero and INT_MIN / -1 explicitly.
(module
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8247000000           jb 0x5d
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f853d000000           jne 0x6b
;;     2e: 8b4d18                 mov ecx, dword ptr [rbp + 0x18]
;;     31: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     34: 85c9                   test ecx, ecx
;;     36: 0f843d000000           je 0x79
;;     3c: 83f9ff                 cmp ecx, -1
;;     3f: 0f850d000000           jne 0x52
;;     45: f7d8                   neg eax
;;     47: 0f803a000000           jo 0x87
;;     4d: e903000000             jmp 0x55
;;     52: 99                     cdq
;;     53: f7f9                   idiv ecx
;;     55: 894510                 mov dword ptr [rbp + 0x10], eax
;;     58: 4889ec                 mov rsp, rbp
;;     5b: 5d                     pop rbp
;;     5c: c3                     ret
;;     5d: be0a000000             mov esi, 0xa
;;     62: 4c89ff                 mov rdi, r15
;;     65: ff1535000000           call qword ptr [rip + 0x35]               ; wasm@0x23 local.get 0
;;     6b: be0b000000             mov esi, 0xb
;;     70: 4c89ff                 mov rdi, r15
;;     73: ff1527000000           call qword ptr [rip + 0x27]               ; wasm@0x23 local.get 0
;;     79: be02000000             mov esi, 2
;;     7e: 4c89ff                 mov rdi, r15
;;     81: ff1519000000           call qword ptr [rip + 0x19]               ; wasm@0x27 i32.div_s
;;     87: be03000000             mov esi, 3
;;     8c: 4c89ff                 mov rdi, r15
;;     8f: ff150b000000           call qword ptr [rip + 0xb]                ; wasm@0x27 i32.div_s
