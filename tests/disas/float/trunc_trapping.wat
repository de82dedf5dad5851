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
;;     10: 0f8262000000           jb 0x78
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8558000000           jne 0x86
;;     2e: f20f104510             movsd xmm0, qword ptr [rbp + 0x10]
;;     33: f20f2cc0               cvttsd2si eax, xmm0
;;     37: 83f801                 cmp eax, 1
;;     3a: 0f8005000000           jo 0x45
;;     40: e92b000000             jmp 0x70
;;     45: 660f2ec0               ucomisd xmm0, xmm0
;;     49: 0f8a45000000           jp 0x94
;;     4f: 660f2e0569000000       ucomisd xmm0, qword ptr [rip + 0x69]
;;     57: 0f8645000000           jbe 0xa2
;;     5d: 660f2e056b000000       ucomisd xmm0, qword ptr [rip + 0x6b]
;;     65: 0f8345000000           jae 0xb0
;;     6b: e900000000             jmp 0x70
;;     70: 894510                 mov dword ptr [rbp + 0x10], eax
;;     73: 4889ec                 mov rsp, rbp
;;     76: 5d                     pop rbp
;;     77: c3                     ret
;;     78: be0a000000             mov esi, 0xa
;;     7d: 4c89ff                 mov rdi, r15
;;     80: ff155a000000           call qword ptr [rip + 0x5a]               ; wasm@0x20 local.get 0
;;     86: be0b000000             mov esi, 0xb
;;     8b: 4c89ff                 mov rdi, r15
;;     8e: ff154c000000           call qword ptr [rip + 0x4c]               ; wasm@0x20 local.get 0
;;     94: be04000000             mov esi, 4
;;     99: 4c89ff                 mov rdi, r15
;;     9c: ff153e000000           call qword ptr [rip + 0x3e]               ; wasm@0x22 i32.trunc_f64_s
;;     a2: be03000000             mov esi, 3
;;     a7: 4c89ff                 mov rdi, r15
;;     aa: ff1530000000           call qword ptr [rip + 0x30]               ; wasm@0x22 i32.trunc_f64_s
;;     b0: be03000000             mov esi, 3
;;     b5: 4c89ff                 mov rdi, r15
;;     b8: ff1522000000           call qword ptr [rip + 0x22]               ; wasm@0x22 i32.trunc_f64_s
