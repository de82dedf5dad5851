;; v128 arithmetic maps to one SSE instruction each.
(module
  (func (export "f") (param v128 v128) (result v128)
    (i32x4.mul (i32x4.add (local.get 0) (local.get 1)) (local.get 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (v128, v128) -> (v128):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f823a000000           jb 0x50
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8530000000           jne 0x5e
;;     2e: f30f6f4510             movdqu xmm0, xmmword ptr [rbp + 0x10]
;;     33: f30f6f4d20             movdqu xmm1, xmmword ptr [rbp + 0x20]
;;     38: 660ffec1               paddd xmm0, xmm1
;;     3c: f30f6f4d20             movdqu xmm1, xmmword ptr [rbp + 0x20]
;;     41: 660f3840c1             pmulld xmm0, xmm1
;;     46: f30f7f4510             movdqu xmmword ptr [rbp + 0x10], xmm0
;;     4b: 4889ec                 mov rsp, rbp
;;     4e: 5d                     pop rbp
;;     4f: c3                     ret
;;     50: be0a000000             mov esi, 0xa
;;     55: 4c89ff                 mov rdi, r15
;;     58: ff1512000000           call qword ptr [rip + 0x12]               ; wasm@0x21 local.get 0
;;     5e: be0b000000             mov esi, 0xb
;;     63: 4c89ff                 mov rdi, r15
;;     66: ff1504000000           call qword ptr [rip + 4]                  ; wasm@0x21 local.get 0
