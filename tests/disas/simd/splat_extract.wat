;; Splats and lane extraction.
(module
  (func (export "f") (param f32) (result f32)
    (f32x4.extract_lane 2 (f32x4.mul (f32x4.splat (local.get 0)) (f32x4.splat (f32.const 2))))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (f32) -> (f32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8261000000           jb 0x77
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8523000000           jne 0x4d
;;     2a: f30f104510             movss xmm0, dword ptr [rbp + 0x10]
;;     2f: 0fc6c000               shufps xmm0, xmm0, 0
;;     33: f30f6f0d65000000       movdqu xmm1, xmmword ptr [rip + 0x65]
;;     3b: 0f59c1                 mulps xmm0, xmm1
;;     3e: 660f70c002             pshufd xmm0, xmm0, 2
;;     43: f30f114510             movss dword ptr [rbp + 0x10], xmm0
;;     48: 4889ec                 mov rsp, rbp
;;     4b: 5d                     pop rbp
;;     4c: c3                     ret
;;     4d: 4d8d5f48               lea r11, [r15 + 0x48]
;;     51: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     55: 0f842a000000           je 0x85
;;     5b: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     63: 0faef0                 mfence
;;     66: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     6a: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     6f: 0f8510000000           jne 0x85
;;     75: ebb3                   jmp 0x2a
;;     77: be0a000000             mov esi, 0xa
;;     7c: 4c89ff                 mov rdi, r15
;;     7f: ff152b000000           call qword ptr [rip + 0x2b]               ; wasm@0x20 local.get 0
;;     85: be0b000000             mov esi, 0xb
;;     8a: 4c89ff                 mov rdi, r15
;;     8d: ff151d000000           call qword ptr [rip + 0x1d]               ; wasm@0x20 local.get 0
