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
;;     10: 0f824e000000           jb 0x64
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8544000000           jne 0x72
;;     2e: f30f6f4510             movdqu xmm0, xmmword ptr [rbp + 0x10]
;;     33: f30f6f4d20             movdqu xmm1, xmmword ptr [rbp + 0x20]
;;     38: f3440f6f3d3f000000     movdqu xmm15, xmmword ptr [rip + 0x3f]
;;     41: 66410f3800c7           pshufb xmm0, xmm15
;;     47: f3440f6f3d40000000     movdqu xmm15, xmmword ptr [rip + 0x40]
;;     50: 66410f3800cf           pshufb xmm1, xmm15
;;     56: 660febc1               por xmm0, xmm1
;;     5a: f30f7f4510             movdqu xmmword ptr [rbp + 0x10], xmm0
;;     5f: 4889ec                 mov rsp, rbp
;;     62: 5d                     pop rbp
;;     63: c3                     ret
;;     64: be0a000000             mov esi, 0xa
;;     69: 4c89ff                 mov rdi, r15
;;     6c: ff152e000000           call qword ptr [rip + 0x2e]               ; wasm@0x21 local.get 0
;;     72: be0b000000             mov esi, 0xb
;;     77: 4c89ff                 mov rdi, r15
;;     7a: ff1520000000           call qword ptr [rip + 0x20]               ; wasm@0x21 local.get 0
