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
;;     10: 0f825a000000           jb 0x70
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f851c000000           jne 0x46
;;     2a: f20f104510             movsd xmm0, qword ptr [rbp + 0x10]
;;     2f: f20f594518             mulsd xmm0, qword ptr [rbp + 0x18]
;;     34: f20f580554000000       addsd xmm0, qword ptr [rip + 0x54]
;;     3c: f20f114510             movsd qword ptr [rbp + 0x10], xmm0
;;     41: 4889ec                 mov rsp, rbp
;;     44: 5d                     pop rbp
;;     45: c3                     ret
;;     46: 4d8d5f48               lea r11, [r15 + 0x48]
;;     4a: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     4e: 0f842a000000           je 0x7e
;;     54: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     5c: 0faef0                 mfence
;;     5f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     63: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     68: 0f8510000000           jne 0x7e
;;     6e: ebba                   jmp 0x2a
;;     70: be0a000000             mov esi, 0xa
;;     75: 4c89ff                 mov rdi, r15
;;     78: ff1522000000           call qword ptr [rip + 0x22]               ; wasm@0x21 local.get 0
;;     7e: be0b000000             mov esi, 0xb
;;     83: 4c89ff                 mov rdi, r15
;;     86: ff1514000000           call qword ptr [rip + 0x14]               ; wasm@0x21 local.get 0
