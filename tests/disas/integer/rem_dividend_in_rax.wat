;; A variable divisor with the dividend already in rax (the interp benchmark's `MOD`: a load then a
;; load of the divisor): no round trip of the dividend through another register before `idiv`; a
;; divisor of -1 becomes 1 (cmove: x % -1 == x % 1 == 0, and INT_MIN % -1 must not fault), no branch.
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
;;     10: 0f8273000000           jb 0x89
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8535000000           jne 0x5f
;;     2a: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     2e: 4b8b041e               mov rax, qword ptr [r14 + r11]            ; wasm@0x28 i64.load 3 0
;;     32: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;     36: 4b8b0c1e               mov rcx, qword ptr [r14 + r11]            ; wasm@0x2d i64.load 3 0
;;     3a: 4885c9                 test rcx, rcx
;;     3d: 0f8454000000           je 0x97
;;     43: 41bb01000000           mov r11d, 1
;;     49: 4883f9ff               cmp rcx, -1
;;     4d: 490f44cb               cmove rcx, r11
;;     51: 4899                   cqo
;;     53: 48f7f9                 idiv rcx
;;     56: 48895510               mov qword ptr [rbp + 0x10], rdx
;;     5a: 4889ec                 mov rsp, rbp
;;     5d: 5d                     pop rbp
;;     5e: c3                     ret
;;     5f: 4d8d5f48               lea r11, [r15 + 0x48]
;;     63: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     67: 0f8438000000           je 0xa5
;;     6d: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     75: 0faef0                 mfence
;;     78: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     7c: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     81: 0f851e000000           jne 0xa5
;;     87: eba1                   jmp 0x2a
;;     89: be0a000000             mov esi, 0xa
;;     8e: 4c89ff                 mov rdi, r15
;;     91: ff1529000000           call qword ptr [rip + 0x29]               ; wasm@0x26 local.get 0
;;     97: be02000000             mov esi, 2
;;     9c: 4c89ff                 mov rdi, r15
;;     9f: ff151b000000           call qword ptr [rip + 0x1b]               ; wasm@0x30 i64.rem_s
;;     a5: be0b000000             mov esi, 0xb
;;     aa: 4c89ff                 mov rdi, r15
;;     ad: ff150d000000           call qword ptr [rip + 0xd]                ; wasm@0x26 local.get 0
