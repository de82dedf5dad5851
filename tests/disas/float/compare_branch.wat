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
;;     10: 0f8248000000           jb 0x5e
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f853e000000           jne 0x6c
;;     2e: f20f104518             movsd xmm0, qword ptr [rbp + 0x18]
;;     33: 660f2e4510             ucomisd xmm0, qword ptr [rbp + 0x10]
;;     38: 0f860c000000           jbe 0x4a
;;     3e: c745f001000000         mov dword ptr [rbp - 0x10], 1
;;     45: e907000000             jmp 0x51
;;     4a: c745f000000000         mov dword ptr [rbp - 0x10], 0
;;     51: 448b5df0               mov r11d, dword ptr [rbp - 0x10]
;;     55: 44895d10               mov dword ptr [rbp + 0x10], r11d
;;     59: 4889ec                 mov rsp, rbp
;;     5c: 5d                     pop rbp
;;     5d: c3                     ret
;;     5e: be0a000000             mov esi, 0xa
;;     63: 4c89ff                 mov rdi, r15
;;     66: ff1514000000           call qword ptr [rip + 0x14]               ; wasm@0x21 local.get 0
;;     6c: be0b000000             mov esi, 0xb
;;     71: 4c89ff                 mov rdi, r15
;;     74: ff1506000000           call qword ptr [rip + 6]                  ; wasm@0x21 local.get 0
