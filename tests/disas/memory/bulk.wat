;; memory.fill and memory.copy call checked runtime helpers (they trap on a nonzero result).
(module
  (memory 1)
  (func (export "f") (param i32 i32 i32)
    (memory.fill (local.get 0) (i32.const 0) (local.get 2))
    (memory.copy (local.get 1) (local.get 0) (local.get 2))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32, i32) -> ():
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d20000000           sub rax, 0x20
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f82a6000000           jb 0xbc
;;     16: 4157                   push r15
;;     18: 4881ec18000000         sub rsp, 0x18
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8565000000           jne 0x8f
;;     2a: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     2e: 44895df0               mov dword ptr [rbp - 0x10], r11d
;;     32: 448b5d20               mov r11d, dword ptr [rbp + 0x20]
;;     36: 44895de0               mov dword ptr [rbp - 0x20], r11d
;;     3a: 8b75f0                 mov esi, dword ptr [rbp - 0x10]
;;     3d: ba00000000             mov edx, 0
;;     42: 8b4de0                 mov ecx, dword ptr [rbp - 0x20]
;;     45: 498b7f18               mov rdi, qword ptr [r15 + 0x18]
;;     49: ff15a1000000           call qword ptr [rip + 0xa1]               ; wasm@0x2c memory.fill 0
;;     4f: 85c0                   test eax, eax
;;     51: 0f8573000000           jne 0xca
;;     57: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;     5b: 44895df0               mov dword ptr [rbp - 0x10], r11d
;;     5f: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     63: 44895de8               mov dword ptr [rbp - 0x18], r11d
;;     67: 448b5d20               mov r11d, dword ptr [rbp + 0x20]
;;     6b: 44895de0               mov dword ptr [rbp - 0x20], r11d
;;     6f: 8b75f0                 mov esi, dword ptr [rbp - 0x10]
;;     72: 8b55e8                 mov edx, dword ptr [rbp - 0x18]
;;     75: 8b4de0                 mov ecx, dword ptr [rbp - 0x20]
;;     78: 498b7f18               mov rdi, qword ptr [r15 + 0x18]
;;     7c: ff1576000000           call qword ptr [rip + 0x76]               ; wasm@0x35 memory.copy 0 0
;;     82: 85c0                   test eax, eax
;;     84: 0f854b000000           jne 0xd5
;;     8a: 4889ec                 mov rsp, rbp
;;     8d: 5d                     pop rbp
;;     8e: c3                     ret
;;     8f: 4d8d5f48               lea r11, [r15 + 0x48]
;;     93: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     97: 0f8443000000           je 0xe0
;;     9d: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     a5: 0faef0                 mfence
;;     a8: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     ac: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     b1: 0f8529000000           jne 0xe0
;;     b7: e96effffff             jmp 0x2a
;;     bc: be0a000000             mov esi, 0xa
;;     c1: 4c89ff                 mov rdi, r15
;;     c4: ff1536000000           call qword ptr [rip + 0x36]               ; wasm@0x26 local.get 0
;;     ca: 89c6                   mov esi, eax
;;     cc: 4c89ff                 mov rdi, r15
;;     cf: ff152b000000           call qword ptr [rip + 0x2b]               ; wasm@0x2c memory.fill 0
;;     d5: 89c6                   mov esi, eax
;;     d7: 4c89ff                 mov rdi, r15
;;     da: ff1520000000           call qword ptr [rip + 0x20]               ; wasm@0x35 memory.copy 0 0
;;     e0: be0b000000             mov esi, 0xb
;;     e5: 4c89ff                 mov rdi, r15
;;     e8: ff1512000000           call qword ptr [rip + 0x12]               ; wasm@0x26 local.get 0
