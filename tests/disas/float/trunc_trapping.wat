;; Trapping truncation checks NaN and range before cvttsd2si.
(module
  (func (export "f") (param f64) (result i32)
    (i32.trunc_f64_s (local.get 0))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (f64) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8288000000           jb 0x9e
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f854a000000           jne 0x74
;;     2a: f20f104510             movsd xmm0, qword ptr [rbp + 0x10]
;;     2f: f20f2cc0               cvttsd2si eax, xmm0
;;     33: 83f801                 cmp eax, 1
;;     36: 0f8005000000           jo 0x41
;;     3c: e92b000000             jmp 0x6c
;;     41: 660f2ec0               ucomisd xmm0, xmm0
;;     45: 0f8a61000000           jp 0xac
;;     4b: 660f2e059d000000       ucomisd xmm0, qword ptr [rip + 0x9d]
;;     53: 0f8661000000           jbe 0xba
;;     59: 660f2e059f000000       ucomisd xmm0, qword ptr [rip + 0x9f]
;;     61: 0f8361000000           jae 0xc8
;;     67: e900000000             jmp 0x6c
;;     6c: 894510                 mov dword ptr [rbp + 0x10], eax
;;     6f: 4889ec                 mov rsp, rbp
;;     72: 5d                     pop rbp
;;     73: c3                     ret
;;     74: 4d8d5f48               lea r11, [r15 + 0x48]
;;     78: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     7c: 0f8454000000           je 0xd6
;;     82: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     8a: 0faef0                 mfence
;;     8d: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     91: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     96: 0f853a000000           jne 0xd6
;;     9c: eb8c                   jmp 0x2a
;;     9e: be0a000000             mov esi, 0xa
;;     a3: 4c89ff                 mov rdi, r15
;;     a6: ff1564000000           call qword ptr [rip + 0x64]               ; wasm@0x20 local.get 0
;;     ac: be04000000             mov esi, 4
;;     b1: 4c89ff                 mov rdi, r15
;;     b4: ff1556000000           call qword ptr [rip + 0x56]               ; wasm@0x22 i32.trunc_f64_s
;;     ba: be03000000             mov esi, 3
;;     bf: 4c89ff                 mov rdi, r15
;;     c2: ff1548000000           call qword ptr [rip + 0x48]               ; wasm@0x22 i32.trunc_f64_s
;;     c8: be03000000             mov esi, 3
;;     cd: 4c89ff                 mov rdi, r15
;;     d0: ff153a000000           call qword ptr [rip + 0x3a]               ; wasm@0x22 i32.trunc_f64_s
;;     d6: be0b000000             mov esi, 0xb
;;     db: 4c89ff                 mov rdi, r15
;;     de: ff152c000000           call qword ptr [rip + 0x2c]               ; wasm@0x20 local.get 0
