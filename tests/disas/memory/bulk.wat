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
;;     10: 0f827d000000           jb 0x93
;;     16: 4157                   push r15
;;     18: 4881ec18000000         sub rsp, 0x18
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8573000000           jne 0xa1
;;     2e: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     32: 44895df0               mov dword ptr [rbp - 0x10], r11d
;;     36: 448b5d20               mov r11d, dword ptr [rbp + 0x20]
;;     3a: 44895de0               mov dword ptr [rbp - 0x20], r11d
;;     3e: 8b75f0                 mov esi, dword ptr [rbp - 0x10]
;;     41: ba00000000             mov edx, 0
;;     46: 8b4de0                 mov ecx, dword ptr [rbp - 0x20]
;;     49: 498b7f18               mov rdi, qword ptr [r15 + 0x18]
;;     4d: ff157d000000           call qword ptr [rip + 0x7d]               ; wasm@0x2c memory.fill 0
;;     53: 85c0                   test eax, eax
;;     55: 0f8554000000           jne 0xaf
;;     5b: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;     5f: 44895df0               mov dword ptr [rbp - 0x10], r11d
;;     63: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     67: 44895de8               mov dword ptr [rbp - 0x18], r11d
;;     6b: 448b5d20               mov r11d, dword ptr [rbp + 0x20]
;;     6f: 44895de0               mov dword ptr [rbp - 0x20], r11d
;;     73: 8b75f0                 mov esi, dword ptr [rbp - 0x10]
;;     76: 8b55e8                 mov edx, dword ptr [rbp - 0x18]
;;     79: 8b4de0                 mov ecx, dword ptr [rbp - 0x20]
;;     7c: 498b7f18               mov rdi, qword ptr [r15 + 0x18]
;;     80: ff1552000000           call qword ptr [rip + 0x52]               ; wasm@0x35 memory.copy 0 0
;;     86: 85c0                   test eax, eax
;;     88: 0f852c000000           jne 0xba
;;     8e: 4889ec                 mov rsp, rbp
;;     91: 5d                     pop rbp
;;     92: c3                     ret
;;     93: be0a000000             mov esi, 0xa
;;     98: 4c89ff                 mov rdi, r15
;;     9b: ff153f000000           call qword ptr [rip + 0x3f]               ; wasm@0x26 local.get 0
;;     a1: be0b000000             mov esi, 0xb
;;     a6: 4c89ff                 mov rdi, r15
;;     a9: ff1531000000           call qword ptr [rip + 0x31]               ; wasm@0x26 local.get 0
;;     af: 89c6                   mov esi, eax
;;     b1: 4c89ff                 mov rdi, r15
;;     b4: ff1526000000           call qword ptr [rip + 0x26]               ; wasm@0x2c memory.fill 0
;;     ba: 89c6                   mov esi, eax
;;     bc: 4c89ff                 mov rdi, r15
;;     bf: ff151b000000           call qword ptr [rip + 0x1b]               ; wasm@0x35 memory.copy 0 0
