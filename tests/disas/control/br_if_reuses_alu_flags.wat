;; A counter decremented then tested (`local.tee; br_if`, `i32.eqz; if`) branches on the flags of
;; the `sub`/`and`: no `test` of the register just computed. After imul (ZF undefined) and when the
;; tested value is not the one just computed, the `test` stays.
(module
  (func (export "count") (param i32) (result i32)
    (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 3)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (export "eqz_if") (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (i32.and (local.get 0) (local.get 1)))
      (then (i32.const 1)) (else (i32.const 2))))
  (func (export "kept") (param i32 i32) (result i32)
    (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
    (br_if 0 (local.get 1) (i32.mul (local.get 0) (local.get 1)))
    (drop)
    (i32.add (local.get 0) (local.get 1))
    (local.set 0)
    (br_if 0 (local.get 1) (local.get 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d20000000           sub rax, 0x20
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f829a000000           jb 0xb0
;;     16: 4157                   push r15
;;     18: 4881ec18000000         sub rsp, 0x18
;;     1f: 48895de8               mov qword ptr [rbp - 0x18], rbx
;;     23: 4c8965e0               mov qword ptr [rbp - 0x20], r12
;;     27: 31db                   xor ebx, ebx
;;     29: 448b6510               mov r12d, dword ptr [rbp + 0x10]
;;     2d: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     32: 0f8524000000           jne 0x5c
;;     38: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     3d: 0f8543000000           jne 0x86
;;     43: 83c303                 add ebx, 3
;;     46: 4183ec01               sub r12d, 1
;;     4a: 75ec                   jne 0x38
;;     4c: 895d10                 mov dword ptr [rbp + 0x10], ebx
;;     4f: 488b5de8               mov rbx, qword ptr [rbp - 0x18]
;;     53: 4c8b65e0               mov r12, qword ptr [rbp - 0x20]
;;     57: 4889ec                 mov rsp, rbp
;;     5a: 5d                     pop rbp
;;     5b: c3                     ret
;;     5c: 4d8d5f48               lea r11, [r15 + 0x48]
;;     60: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     64: 0f8454000000           je 0xbe
;;     6a: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     72: 0faef0                 mfence
;;     75: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     79: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     7e: 0f853a000000           jne 0xbe
;;     84: ebb2                   jmp 0x38
;;     86: 4d8d5f48               lea r11, [r15 + 0x48]
;;     8a: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     8e: 0f8438000000           je 0xcc
;;     94: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     9c: 0faef0                 mfence
;;     9f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     a3: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     a8: 0f851e000000           jne 0xcc
;;     ae: eb93                   jmp 0x43
;;     b0: be0a000000             mov esi, 0xa
;;     b5: 4c89ff                 mov rdi, r15
;;     b8: ff1592010000           call qword ptr [rip + 0x192]              ; wasm@0x3e loop -64
;;     be: be0b000000             mov esi, 0xb
;;     c3: 4c89ff                 mov rdi, r15
;;     c6: ff1584010000           call qword ptr [rip + 0x184]              ; wasm@0x3e loop -64
;;     cc: be0b000000             mov esi, 0xb
;;     d1: 4c89ff                 mov rdi, r15
;;     d4: ff1576010000           call qword ptr [rip + 0x176]              ; wasm@0x3e loop -64
;;
;; func[1] (i32, i32) -> (i32):
;;     e0: 55                     push rbp
;;     e1: 4889e5                 mov rbp, rsp
;;     e4: 4889e0                 mov rax, rsp
;;     e7: 482d10000000           sub rax, 0x10
;;     ed: 493b07                 cmp rax, qword ptr [r15]
;;     f0: 0f826a000000           jb 0x160
;;     f6: 4157                   push r15
;;     f8: 4881ec08000000         sub rsp, 8
;;     ff: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    104: 0f852c000000           jne 0x136
;;    10a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    10d: 854518                 test dword ptr [rbp + 0x18], eax
;;    110: 0f850c000000           jne 0x122
;;    116: c745f001000000         mov dword ptr [rbp - 0x10], 1
;;    11d: e907000000             jmp 0x129
;;    122: c745f002000000         mov dword ptr [rbp - 0x10], 2
;;    129: 448b5df0               mov r11d, dword ptr [rbp - 0x10]
;;    12d: 44895d10               mov dword ptr [rbp + 0x10], r11d
;;    131: 4889ec                 mov rsp, rbp
;;    134: 5d                     pop rbp
;;    135: c3                     ret
;;    136: 4d8d5f48               lea r11, [r15 + 0x48]
;;    13a: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    13e: 0f842a000000           je 0x16e
;;    144: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    14c: 0faef0                 mfence
;;    14f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    153: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    158: 0f8510000000           jne 0x16e
;;    15e: ebaa                   jmp 0x10a
;;    160: be0a000000             mov esi, 0xa
;;    165: 4c89ff                 mov rdi, r15
;;    168: ff15e2000000           call qword ptr [rip + 0xe2]               ; wasm@0x56 local.get 0
;;    16e: be0b000000             mov esi, 0xb
;;    173: 4c89ff                 mov rdi, r15
;;    176: ff15d4000000           call qword ptr [rip + 0xd4]               ; wasm@0x56 local.get 0
;;
;; func[2] (i32, i32) -> (i32):
;;    180: 55                     push rbp
;;    181: 4889e5                 mov rbp, rsp
;;    184: 4889e0                 mov rax, rsp
;;    187: 482d20000000           sub rax, 0x20
;;    18d: 493b07                 cmp rax, qword ptr [r15]
;;    190: 0f8299000000           jb 0x22f
;;    196: 4157                   push r15
;;    198: 4881ec18000000         sub rsp, 0x18
;;    19f: 48895df0               mov qword ptr [rbp - 0x10], rbx
;;    1a3: 4c8965e8               mov qword ptr [rbp - 0x18], r12
;;    1a7: 8b5d18                 mov ebx, dword ptr [rbp + 0x18]
;;    1aa: 448b6510               mov r12d, dword ptr [rbp + 0x10]
;;    1ae: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    1b3: 0f854c000000           jne 0x205
;;    1b9: 83eb01                 sub ebx, 1
;;    1bc: 4c89e0                 mov rax, r12
;;    1bf: 0fafc3                 imul eax, ebx
;;    1c2: 85c0                   test eax, eax
;;    1c4: 0f8410000000           je 0x1da
;;    1ca: 895d10                 mov dword ptr [rbp + 0x10], ebx
;;    1cd: 488b5df0               mov rbx, qword ptr [rbp - 0x10]
;;    1d1: 4c8b65e8               mov r12, qword ptr [rbp - 0x18]
;;    1d5: 4889ec                 mov rsp, rbp
;;    1d8: 5d                     pop rbp
;;    1d9: c3                     ret
;;    1da: 4101dc                 add r12d, ebx
;;    1dd: 85db                   test ebx, ebx
;;    1df: 0f8410000000           je 0x1f5
;;    1e5: 895d10                 mov dword ptr [rbp + 0x10], ebx
;;    1e8: 488b5df0               mov rbx, qword ptr [rbp - 0x10]
;;    1ec: 4c8b65e8               mov r12, qword ptr [rbp - 0x18]
;;    1f0: 4889ec                 mov rsp, rbp
;;    1f3: 5d                     pop rbp
;;    1f4: c3                     ret
;;    1f5: 895d10                 mov dword ptr [rbp + 0x10], ebx
;;    1f8: 488b5df0               mov rbx, qword ptr [rbp - 0x10]
;;    1fc: 4c8b65e8               mov r12, qword ptr [rbp - 0x18]
;;    200: 4889ec                 mov rsp, rbp
;;    203: 5d                     pop rbp
;;    204: c3                     ret
;;    205: 4d8d5f48               lea r11, [r15 + 0x48]
;;    209: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    20d: 0f842a000000           je 0x23d
;;    213: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    21b: 0faef0                 mfence
;;    21e: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    222: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    227: 0f8510000000           jne 0x23d
;;    22d: eb8a                   jmp 0x1b9
;;    22f: be0a000000             mov esi, 0xa
;;    234: 4c89ff                 mov rdi, r15
;;    237: ff1513000000           call qword ptr [rip + 0x13]               ; wasm@0x67 local.get 1
;;    23d: be0b000000             mov esi, 0xb
;;    242: 4c89ff                 mov rdi, r15
;;    245: ff1505000000           call qword ptr [rip + 5]                  ; wasm@0x67 local.get 1
