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
;;     10: 0f823b000000           jb 0x51
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8531000000           jne 0x5f
;;     2e: f30f104510             movss xmm0, dword ptr [rbp + 0x10]
;;     33: 0fc6c000               shufps xmm0, xmm0, 0
;;     37: f30f6f0d31000000       movdqu xmm1, xmmword ptr [rip + 0x31]
;;     3f: 0f59c1                 mulps xmm0, xmm1
;;     42: 660f70c002             pshufd xmm0, xmm0, 2
;;     47: f30f114510             movss dword ptr [rbp + 0x10], xmm0
;;     4c: 4889ec                 mov rsp, rbp
;;     4f: 5d                     pop rbp
;;     50: c3                     ret
;;     51: be0a000000             mov esi, 0xa
;;     56: 4c89ff                 mov rdi, r15
;;     59: ff1521000000           call qword ptr [rip + 0x21]               ; wasm@0x20 local.get 0
;;     5f: be0b000000             mov esi, 0xb
;;     64: 4c89ff                 mov rdi, r15
;;     67: ff1513000000           call qword ptr [rip + 0x13]               ; wasm@0x20 local.get 0
