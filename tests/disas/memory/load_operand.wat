;; A full-width integer load read only as the right operand of the next add/sub/and/or/xor/mul or comparison: the operation reads memory itself (the pc of a fault is the load's).
(module
  (memory 1)
  (func (export "sum") (param $p i32) (param $n i32) (result i32)
    (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func (export "sub64") (param $x i64) (param $p i32) (result i64)
    (i64.sub (local.get $x) (i64.load offset=8 (local.get $p))))
  (func (export "less") (param $x i32) (param $p i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $x) (i32.load (local.get $p))) (then (i32.const 1)) (else (i32.const 2))))
  (func (export "self_addr") (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (loop $l
      (local.set $q (i32.xor (local.get $p) (i32.load (local.get $q))))
      (br_if $l (i32.eqz (local.get $q))))
    (local.get $q)))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d30000000           sub rax, 0x30
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f82ab000000           jb 0xc1
;;     16: 4157                   push r15
;;     18: 4881ec28000000         sub rsp, 0x28
;;     1f: 48895de8               mov qword ptr [rbp - 0x18], rbx
;;     23: 4c8965e0               mov qword ptr [rbp - 0x20], r12
;;     27: 4c896dd8               mov qword ptr [rbp - 0x28], r13
;;     2b: 8b5d10                 mov ebx, dword ptr [rbp + 0x10]
;;     2e: 4531e4                 xor r12d, r12d
;;     31: 448b6d18               mov r13d, dword ptr [rbp + 0x18]
;;     35: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     3a: 0f852d000000           jne 0x6d
;;     40: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     45: 0f854c000000           jne 0x97
;;     4b: 4503241e               add r12d, dword ptr [r14 + rbx]           ; wasm@0x59 i32.load 2 0
;;     4f: 83c304                 add ebx, 4
;;     52: 4183ed01               sub r13d, 1
;;     56: 75e8                   jne 0x40
;;     58: 44896510               mov dword ptr [rbp + 0x10], r12d
;;     5c: 488b5de8               mov rbx, qword ptr [rbp - 0x18]
;;     60: 4c8b65e0               mov r12, qword ptr [rbp - 0x20]
;;     64: 4c8b6dd8               mov r13, qword ptr [rbp - 0x28]
;;     68: 4889ec                 mov rsp, rbp
;;     6b: 5d                     pop rbp
;;     6c: c3                     ret
;;     6d: 4d8d5f48               lea r11, [r15 + 0x48]
;;     71: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     75: 0f8454000000           je 0xcf
;;     7b: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     83: 0faef0                 mfence
;;     86: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     8a: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     8f: 0f853a000000           jne 0xcf
;;     95: eba9                   jmp 0x40
;;     97: 4d8d5f48               lea r11, [r15 + 0x48]
;;     9b: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     9f: 0f8438000000           je 0xdd
;;     a5: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     ad: 0faef0                 mfence
;;     b0: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     b4: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     b9: 0f851e000000           jne 0xdd
;;     bf: eb8a                   jmp 0x4b
;;     c1: be0a000000             mov esi, 0xa
;;     c6: 4c89ff                 mov rdi, r15
;;     c9: ff1551020000           call qword ptr [rip + 0x251]              ; wasm@0x53 loop -64
;;     cf: be0b000000             mov esi, 0xb
;;     d4: 4c89ff                 mov rdi, r15
;;     d7: ff1543020000           call qword ptr [rip + 0x243]              ; wasm@0x53 loop -64
;;     dd: be0b000000             mov esi, 0xb
;;     e2: 4c89ff                 mov rdi, r15
;;     e5: ff1535020000           call qword ptr [rip + 0x235]              ; wasm@0x53 loop -64
;;
;; func[1] (i64, i32) -> (i64):
;;     f0: 55                     push rbp
;;     f1: 4889e5                 mov rbp, rsp
;;     f4: 4889e0                 mov rax, rsp
;;     f7: 482d10000000           sub rax, 0x10
;;     fd: 493b07                 cmp rax, qword ptr [r15]
;;    100: 0f8254000000           jb 0x15a
;;    106: 4157                   push r15
;;    108: 4881ec08000000         sub rsp, 8
;;    10f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    114: 0f8516000000           jne 0x130
;;    11a: 488b4510               mov rax, qword ptr [rbp + 0x10]
;;    11e: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;    122: 4b2b441e08             sub rax, qword ptr [r14 + r11 + 8]        ; wasm@0x79 i64.load 3 8
;;    127: 48894510               mov qword ptr [rbp + 0x10], rax
;;    12b: 4889ec                 mov rsp, rbp
;;    12e: 5d                     pop rbp
;;    12f: c3                     ret
;;    130: 4d8d5f48               lea r11, [r15 + 0x48]
;;    134: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    138: 0f842a000000           je 0x168
;;    13e: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    146: 0faef0                 mfence
;;    149: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    14d: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    152: 0f8510000000           jne 0x168
;;    158: ebc0                   jmp 0x11a
;;    15a: be0a000000             mov esi, 0xa
;;    15f: 4c89ff                 mov rdi, r15
;;    162: ff15b8010000           call qword ptr [rip + 0x1b8]              ; wasm@0x75 local.get 0
;;    168: be0b000000             mov esi, 0xb
;;    16d: 4c89ff                 mov rdi, r15
;;    170: ff15aa010000           call qword ptr [rip + 0x1aa]              ; wasm@0x75 local.get 0
;;
;; func[2] (i32, i32) -> (i32):
;;    180: 55                     push rbp
;;    181: 4889e5                 mov rbp, rsp
;;    184: 4889e0                 mov rax, rsp
;;    187: 482d10000000           sub rax, 0x10
;;    18d: 493b07                 cmp rax, qword ptr [r15]
;;    190: 0f826f000000           jb 0x205
;;    196: 4157                   push r15
;;    198: 4881ec08000000         sub rsp, 8
;;    19f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    1a4: 0f8531000000           jne 0x1db
;;    1aa: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    1ad: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;    1b1: 433b041e               cmp eax, dword ptr [r14 + r11]            ; wasm@0x84 i32.load 2 0
;;    1b5: 0f830c000000           jae 0x1c7
;;    1bb: c745f001000000         mov dword ptr [rbp - 0x10], 1
;;    1c2: e907000000             jmp 0x1ce
;;    1c7: c745f002000000         mov dword ptr [rbp - 0x10], 2
;;    1ce: 448b5df0               mov r11d, dword ptr [rbp - 0x10]
;;    1d2: 44895d10               mov dword ptr [rbp + 0x10], r11d
;;    1d6: 4889ec                 mov rsp, rbp
;;    1d9: 5d                     pop rbp
;;    1da: c3                     ret
;;    1db: 4d8d5f48               lea r11, [r15 + 0x48]
;;    1df: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    1e3: 0f842a000000           je 0x213
;;    1e9: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    1f1: 0faef0                 mfence
;;    1f4: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    1f8: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    1fd: 0f8510000000           jne 0x213
;;    203: eba5                   jmp 0x1aa
;;    205: be0a000000             mov esi, 0xa
;;    20a: 4c89ff                 mov rdi, r15
;;    20d: ff150d010000           call qword ptr [rip + 0x10d]              ; wasm@0x80 local.get 0
;;    213: be0b000000             mov esi, 0xb
;;    218: 4c89ff                 mov rdi, r15
;;    21b: ff15ff000000           call qword ptr [rip + 0xff]               ; wasm@0x80 local.get 0
;;
;; func[3] (i32) -> (i32):
;;    230: 55                     push rbp
;;    231: 4889e5                 mov rbp, rsp
;;    234: 4889e0                 mov rax, rsp
;;    237: 482d20000000           sub rax, 0x20
;;    23d: 493b07                 cmp rax, qword ptr [r15]
;;    240: 0f82a2000000           jb 0x2e8
;;    246: 4157                   push r15
;;    248: 4881ec18000000         sub rsp, 0x18
;;    24f: 48895de8               mov qword ptr [rbp - 0x18], rbx
;;    253: 4c8965e0               mov qword ptr [rbp - 0x20], r12
;;    257: 31db                   xor ebx, ebx
;;    259: 448b6510               mov r12d, dword ptr [rbp + 0x10]
;;    25d: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    262: 0f852c000000           jne 0x294
;;    268: 4c89e3                 mov rbx, r12
;;    26b: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    270: 0f8548000000           jne 0x2be
;;    276: 4c89e0                 mov rax, r12
;;    279: 4133041e               xor eax, dword ptr [r14 + rbx]            ; wasm@0x9f i32.load 2 0
;;    27d: 4889c3                 mov rbx, rax
;;    280: 85c0                   test eax, eax
;;    282: 74e7                   je 0x26b
;;    284: 895d10                 mov dword ptr [rbp + 0x10], ebx
;;    287: 488b5de8               mov rbx, qword ptr [rbp - 0x18]
;;    28b: 4c8b65e0               mov r12, qword ptr [rbp - 0x20]
;;    28f: 4889ec                 mov rsp, rbp
;;    292: 5d                     pop rbp
;;    293: c3                     ret
;;    294: 4d8d5f48               lea r11, [r15 + 0x48]
;;    298: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    29c: 0f8454000000           je 0x2f6
;;    2a2: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    2aa: 0faef0                 mfence
;;    2ad: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    2b1: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    2b6: 0f853a000000           jne 0x2f6
;;    2bc: ebaa                   jmp 0x268
;;    2be: 4d8d5f48               lea r11, [r15 + 0x48]
;;    2c2: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    2c6: 0f8438000000           je 0x304
;;    2cc: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    2d4: 0faef0                 mfence
;;    2d7: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    2db: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    2e0: 0f851e000000           jne 0x304
;;    2e6: eb8e                   jmp 0x276
;;    2e8: be0a000000             mov esi, 0xa
;;    2ed: 4c89ff                 mov rdi, r15
;;    2f0: ff152a000000           call qword ptr [rip + 0x2a]               ; wasm@0x95 local.get 0
;;    2f6: be0b000000             mov esi, 0xb
;;    2fb: 4c89ff                 mov rdi, r15
;;    2fe: ff151c000000           call qword ptr [rip + 0x1c]               ; wasm@0x95 local.get 0
;;    304: be0b000000             mov esi, 0xb
;;    309: 4c89ff                 mov rdi, r15
;;    30c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x99 loop -64
