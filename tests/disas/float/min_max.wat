;; f32.min follows Wasm semantics (NaN propagation, -0 < +0), not minss alone.
(module
  (func (export "f") (param f32 f32) (result f32)
    (f32.min (local.get 0) (local.get 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (f32, f32) -> (f32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8276000000           jb 0x8c
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8538000000           jne 0x62
;;     2a: f30f104510             movss xmm0, dword ptr [rbp + 0x10]
;;     2f: f30f104d18             movss xmm1, dword ptr [rbp + 0x18]
;;     34: 0f2ec1                 ucomiss xmm0, xmm1
;;     37: 0f8a0e000000           jp 0x4b
;;     3d: 0f8511000000           jne 0x54
;;     43: 0f56c1                 orps xmm0, xmm1
;;     46: e90d000000             jmp 0x58
;;     4b: f30f58c1               addss xmm0, xmm1
;;     4f: e904000000             jmp 0x58
;;     54: f30f5dc1               minss xmm0, xmm1
;;     58: f30f114510             movss dword ptr [rbp + 0x10], xmm0
;;     5d: 4889ec                 mov rsp, rbp
;;     60: 5d                     pop rbp
;;     61: c3                     ret
;;     62: 4d8d5f48               lea r11, [r15 + 0x48]
;;     66: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     6a: 0f842a000000           je 0x9a
;;     70: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     78: 0faef0                 mfence
;;     7b: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     7f: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     84: 0f8510000000           jne 0x9a
;;     8a: eb9e                   jmp 0x2a
;;     8c: be0a000000             mov esi, 0xa
;;     91: 4c89ff                 mov rdi, r15
;;     94: ff1516000000           call qword ptr [rip + 0x16]               ; wasm@0x21 local.get 0
;;     9a: be0b000000             mov esi, 0xb
;;     9f: 4c89ff                 mov rdi, r15
;;     a2: ff1508000000           call qword ptr [rip + 8]                  ; wasm@0x21 local.get 0
