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
;;     10: 0f8250000000           jb 0x66
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8546000000           jne 0x74
;;     2e: f30f104510             movss xmm0, dword ptr [rbp + 0x10]
;;     33: f30f104d18             movss xmm1, dword ptr [rbp + 0x18]
;;     38: 0f2ec1                 ucomiss xmm0, xmm1
;;     3b: 0f8a0e000000           jp 0x4f
;;     41: 0f8511000000           jne 0x58
;;     47: 0f56c1                 orps xmm0, xmm1
;;     4a: e90d000000             jmp 0x5c
;;     4f: f30f58c1               addss xmm0, xmm1
;;     53: e904000000             jmp 0x5c
;;     58: f30f5dc1               minss xmm0, xmm1
;;     5c: f30f114510             movss dword ptr [rbp + 0x10], xmm0
;;     61: 4889ec                 mov rsp, rbp
;;     64: 5d                     pop rbp
;;     65: c3                     ret
;;     66: be0a000000             mov esi, 0xa
;;     6b: 4c89ff                 mov rdi, r15
;;     6e: ff151c000000           call qword ptr [rip + 0x1c]               ; wasm@0x21 local.get 0
;;     74: be0b000000             mov esi, 0xb
;;     79: 4c89ff                 mov rdi, r15
;;     7c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x21 local.get 0
