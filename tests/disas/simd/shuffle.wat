;; i8x16.shuffle with two inputs uses pshufb on each and combines them.
(module
  (func (export "f") (param v128 v128) (result v128)
    (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31 (local.get 0) (local.get 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (v128, v128) -> (v128):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8274000000           jb 0x8a
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8536000000           jne 0x60
;;     2a: f30f6f4510             movdqu xmm0, xmmword ptr [rbp + 0x10]
;;     2f: f30f6f4d20             movdqu xmm1, xmmword ptr [rbp + 0x20]
;;     34: f3440f6f3d73000000     movdqu xmm15, xmmword ptr [rip + 0x73]
;;     3d: 66410f3800c7           pshufb xmm0, xmm15
;;     43: f3440f6f3d74000000     movdqu xmm15, xmmword ptr [rip + 0x74]
;;     4c: 66410f3800cf           pshufb xmm1, xmm15
;;     52: 660febc1               por xmm0, xmm1
;;     56: f30f7f4510             movdqu xmmword ptr [rbp + 0x10], xmm0
;;     5b: 4889ec                 mov rsp, rbp
;;     5e: 5d                     pop rbp
;;     5f: c3                     ret
;;     60: 4d8d5f48               lea r11, [r15 + 0x48]
;;     64: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     68: 0f842a000000           je 0x98
;;     6e: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     76: 0faef0                 mfence
;;     79: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     7d: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     82: 0f8510000000           jne 0x98
;;     88: eba0                   jmp 0x2a
;;     8a: be0a000000             mov esi, 0xa
;;     8f: 4c89ff                 mov rdi, r15
;;     92: ff1538000000           call qword ptr [rip + 0x38]               ; wasm@0x21 local.get 0
;;     98: be0b000000             mov esi, 0xb
;;     9d: 4c89ff                 mov rdi, r15
;;     a0: ff152a000000           call qword ptr [rip + 0x2a]               ; wasm@0x21 local.get 0
