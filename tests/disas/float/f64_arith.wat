;; f64 arithmetic in xmm registers, constants from the constant pool.
(module
  (func (export "f") (param f64 f64) (result f64)
    (f64.add (f64.mul (local.get 0) (local.get 1)) (f64.const 0.5))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (f64, f64) -> (f64):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f823f000000           jb 0x55
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8535000000           jne 0x63
;;     2e: f20f104510             movsd xmm0, qword ptr [rbp + 0x10]
;;     33: f20f594518             mulsd xmm0, qword ptr [rbp + 0x18]
;;     38: 49bb000000000000e03f   movabs r11, 0x3fe0000000000000
;;     42: 66490f6ecb             movq xmm1, r11
;;     47: f20f58c1               addsd xmm0, xmm1
;;     4b: f20f114510             movsd qword ptr [rbp + 0x10], xmm0
;;     50: 4889ec                 mov rsp, rbp
;;     53: 5d                     pop rbp
;;     54: c3                     ret
;;     55: be0a000000             mov esi, 0xa
;;     5a: 4c89ff                 mov rdi, r15
;;     5d: ff151d000000           call qword ptr [rip + 0x1d]               ; wasm@0x21 local.get 0
;;     63: be0b000000             mov esi, 0xb
;;     68: 4c89ff                 mov rdi, r15
;;     6b: ff150f000000           call qword ptr [rip + 0xf]                ; wasm@0x21 local.get 0
