;; Signed division checks the divisor for zero and INT_MIN / -1 explicitly.
(module
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f826d000000           jb 0x83
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f852f000000           jne 0x59
;;     2a: 8b4d18                 mov ecx, dword ptr [rbp + 0x18]
;;     2d: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     30: 85c9                   test ecx, ecx
;;     32: 0f8459000000           je 0x91
;;     38: 83f9ff                 cmp ecx, -1
;;     3b: 0f850d000000           jne 0x4e
;;     41: f7d8                   neg eax
;;     43: 0f8056000000           jo 0x9f
;;     49: e903000000             jmp 0x51
;;     4e: 99                     cdq
;;     4f: f7f9                   idiv ecx
;;     51: 894510                 mov dword ptr [rbp + 0x10], eax
;;     54: 4889ec                 mov rsp, rbp
;;     57: 5d                     pop rbp
;;     58: c3                     ret
;;     59: 4d8d5f48               lea r11, [r15 + 0x48]
;;     5d: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     61: 0f8446000000           je 0xad
;;     67: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     6f: 0faef0                 mfence
;;     72: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     76: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     7b: 0f852c000000           jne 0xad
;;     81: eba7                   jmp 0x2a
;;     83: be0a000000             mov esi, 0xa
;;     88: 4c89ff                 mov rdi, r15
;;     8b: ff152f000000           call qword ptr [rip + 0x2f]               ; wasm@0x23 local.get 0
;;     91: be02000000             mov esi, 2
;;     96: 4c89ff                 mov rdi, r15
;;     99: ff1521000000           call qword ptr [rip + 0x21]               ; wasm@0x27 i32.div_s
;;     9f: be03000000             mov esi, 3
;;     a4: 4c89ff                 mov rdi, r15
;;     a7: ff1513000000           call qword ptr [rip + 0x13]               ; wasm@0x27 i32.div_s
;;     ad: be0b000000             mov esi, 0xb
;;     b2: 4c89ff                 mov rdi, r15
;;     b5: ff1505000000           call qword ptr [rip + 5]                  ; wasm@0x23 local.get 0
