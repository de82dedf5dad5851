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
;;     10: 0f8265000000           jb 0x7b
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8527000000           jne 0x51
;;     2a: f20f104510             movsd xmm0, qword ptr [rbp + 0x10]
;;     2f: f20f594518             mulsd xmm0, qword ptr [rbp + 0x18]
;;     34: 49bb000000000000e03f   movabs r11, 0x3fe0000000000000
;;     3e: 66490f6ecb             movq xmm1, r11
;;     43: f20f58c1               addsd xmm0, xmm1
;;     47: f20f114510             movsd qword ptr [rbp + 0x10], xmm0
;;     4c: 4889ec                 mov rsp, rbp
;;     4f: 5d                     pop rbp
;;     50: c3                     ret
;;     51: 4d8d5f48               lea r11, [r15 + 0x48]
;;     55: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     59: 0f842a000000           je 0x89
;;     5f: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     67: 0faef0                 mfence
;;     6a: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     6e: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     73: 0f8510000000           jne 0x89
;;     79: ebaf                   jmp 0x2a
;;     7b: be0a000000             mov esi, 0xa
;;     80: 4c89ff                 mov rdi, r15
;;     83: ff1517000000           call qword ptr [rip + 0x17]               ; wasm@0x21 local.get 0
;;     89: be0b000000             mov esi, 0xb
;;     8e: 4c89ff                 mov rdi, r15
;;     91: ff1509000000           call qword ptr [rip + 9]                  ; wasm@0x21 local.get 0
