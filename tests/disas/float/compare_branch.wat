;; A float comparison feeding if: ucomisd + jcc, with the unordered case handled.
(module
  (func (export "f") (param f64 f64) (result i32)
    (if (result i32) (f64.lt (local.get 0) (local.get 1))
      (then (i32.const 1)) (else (i32.const 0)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (f64, f64) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f826e000000           jb 0x84
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8530000000           jne 0x5a
;;     2a: f20f104518             movsd xmm0, qword ptr [rbp + 0x18]
;;     2f: 660f2e4510             ucomisd xmm0, qword ptr [rbp + 0x10]
;;     34: 0f860c000000           jbe 0x46
;;     3a: c745f001000000         mov dword ptr [rbp - 0x10], 1
;;     41: e907000000             jmp 0x4d
;;     46: c745f000000000         mov dword ptr [rbp - 0x10], 0
;;     4d: 448b5df0               mov r11d, dword ptr [rbp - 0x10]
;;     51: 44895d10               mov dword ptr [rbp + 0x10], r11d
;;     55: 4889ec                 mov rsp, rbp
;;     58: 5d                     pop rbp
;;     59: c3                     ret
;;     5a: 4d8d5f48               lea r11, [r15 + 0x48]
;;     5e: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     62: 0f842a000000           je 0x92
;;     68: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     70: 0faef0                 mfence
;;     73: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     77: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     7c: 0f8510000000           jne 0x92
;;     82: eba6                   jmp 0x2a
;;     84: be0a000000             mov esi, 0xa
;;     89: 4c89ff                 mov rdi, r15
;;     8c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x21 local.get 0
;;     92: be0b000000             mov esi, 0xb
;;     97: 4c89ff                 mov rdi, r15
;;     9a: ff1500000000           call qword ptr [rip]                      ; wasm@0x21 local.get 0
