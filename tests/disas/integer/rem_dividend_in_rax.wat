;; A variable divisor with the dividend already in rax (the interp benchmark's `MOD`: a load then a
;; load of the divisor): no round trip of the dividend through another register before `idiv`.
(module
  (memory 1)
  (func (export "f") (param i32 i32) (result i64)
    (i64.rem_s (i64.load (local.get 0)) (i64.load (local.get 1)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i64):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8276000000           jb 0x8c
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8538000000           jne 0x62
;;     2a: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     2e: 4b8b041e               mov rax, qword ptr [r14 + r11]            ; wasm@0x28 i64.load 3 0
;;     32: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;     36: 4b8b0c1e               mov rcx, qword ptr [r14 + r11]            ; wasm@0x2d i64.load 3 0
;;     3a: 4885c9                 test rcx, rcx
;;     3d: 0f8457000000           je 0x9a
;;     43: 4883f9ff               cmp rcx, -1
;;     47: 0f8507000000           jne 0x54
;;     4d: 31d2                   xor edx, edx
;;     4f: e905000000             jmp 0x59
;;     54: 4899                   cqo
;;     56: 48f7f9                 idiv rcx
;;     59: 48895510               mov qword ptr [rbp + 0x10], rdx
;;     5d: 4889ec                 mov rsp, rbp
;;     60: 5d                     pop rbp
;;     61: c3                     ret
;;     62: 4d8d5f48               lea r11, [r15 + 0x48]
;;     66: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     6a: 0f8438000000           je 0xa8
;;     70: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     78: 0faef0                 mfence
;;     7b: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     7f: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     84: 0f851e000000           jne 0xa8
;;     8a: eb9e                   jmp 0x2a
;;     8c: be0a000000             mov esi, 0xa
;;     91: 4c89ff                 mov rdi, r15
;;     94: ff1526000000           call qword ptr [rip + 0x26]               ; wasm@0x26 local.get 0
;;     9a: be02000000             mov esi, 2
;;     9f: 4c89ff                 mov rdi, r15
;;     a2: ff1518000000           call qword ptr [rip + 0x18]               ; wasm@0x30 i64.rem_s
;;     a8: be0b000000             mov esi, 0xb
;;     ad: 4c89ff                 mov rdi, r15
;;     b0: ff150a000000           call qword ptr [rip + 0xa]                ; wasm@0x26 local.get 0
