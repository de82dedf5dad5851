;; Address arithmetic: base + (index << 0..3) +/- const is one lea of the operand size (exact modulo 2^32, no range proof needed), then [r14 + reg].
(module
  (memory 1)
  (func (export "elem") (param $base i32) (param $i i32) (result i64)
    (i64.load (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 3)))))
  (func (export "elem_disp") (param $base i32) (param $i i32) (result i32)
    (i32.load (i32.sub (i32.add (i32.shl (local.get $i) (i32.const 2)) (local.get $base)) (i32.const 16))))
  (func (export "const_base") (param $i i32) (result i32)
    (i32.load8_u (i32.add (i32.const 3712) (i32.shl (local.get $i) (i32.const 1)))))
  (func (export "into_local") (param $base i32) (param $i i32) (result i32)
    (local $p i32)
    (local.set $p (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2))))
    (i32.store (local.get $p) (local.get $i))
    (local.get $p))
  (func (export "wide") (param $base i64) (param $i i64) (result i64)
    (i64.add (i64.add (local.get $base) (i64.shl (local.get $i) (i64.const 3))) (i64.const -8)))
  (func (export "lea_add") (param $a i32) (param $b i32) (result i32)
    (i32.mul (i32.add (local.get $a) (i32.const 5)) (i32.add (local.get $a) (local.get $b)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i64):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8254000000           jb 0x6a
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8516000000           jne 0x40
;;     2a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     2d: 8b4d18                 mov ecx, dword ptr [rbp + 0x18]
;;     30: 8d0cc8                 lea ecx, [rax + rcx*8]
;;     33: 498b040e               mov rax, qword ptr [r14 + rcx]            ; wasm@0x7e i64.load 3 0
;;     37: 48894510               mov qword ptr [rbp + 0x10], rax
;;     3b: 4889ec                 mov rsp, rbp
;;     3e: 5d                     pop rbp
;;     3f: c3                     ret
;;     40: 4d8d5f48               lea r11, [r15 + 0x48]
;;     44: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     48: 0f842a000000           je 0x78
;;     4e: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     56: 0faef0                 mfence
;;     59: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     5d: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     62: 0f8510000000           jne 0x78
;;     68: ebc0                   jmp 0x2a
;;     6a: be0a000000             mov esi, 0xa
;;     6f: 4c89ff                 mov rdi, r15
;;     72: ff15f8020000           call qword ptr [rip + 0x2f8]              ; wasm@0x76 local.get 0
;;     78: be0b000000             mov esi, 0xb
;;     7d: 4c89ff                 mov rdi, r15
;;     80: ff15ea020000           call qword ptr [rip + 0x2ea]              ; wasm@0x76 local.get 0
;;
;; func[1] (i32, i32) -> (i32):
;;     90: 55                     push rbp
;;     91: 4889e5                 mov rbp, rsp
;;     94: 4889e0                 mov rax, rsp
;;     97: 482d10000000           sub rax, 0x10
;;     9d: 493b07                 cmp rax, qword ptr [r15]
;;     a0: 0f8254000000           jb 0xfa
;;     a6: 4157                   push r15
;;     a8: 4881ec08000000         sub rsp, 8
;;     af: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     b4: 0f8516000000           jne 0xd0
;;     ba: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     bd: 8b4d18                 mov ecx, dword ptr [rbp + 0x18]
;;     c0: 8d4c88f0               lea ecx, [rax + rcx*4 - 0x10]
;;     c4: 418b040e               mov eax, dword ptr [r14 + rcx]            ; wasm@0x8f i32.load 2 0
;;     c8: 894510                 mov dword ptr [rbp + 0x10], eax
;;     cb: 4889ec                 mov rsp, rbp
;;     ce: 5d                     pop rbp
;;     cf: c3                     ret
;;     d0: 4d8d5f48               lea r11, [r15 + 0x48]
;;     d4: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     d8: 0f842a000000           je 0x108
;;     de: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     e6: 0faef0                 mfence
;;     e9: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     ed: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     f2: 0f8510000000           jne 0x108
;;     f8: ebc0                   jmp 0xba
;;     fa: be0a000000             mov esi, 0xa
;;     ff: 4c89ff                 mov rdi, r15
;;    102: ff1568020000           call qword ptr [rip + 0x268]              ; wasm@0x84 local.get 1
;;    108: be0b000000             mov esi, 0xb
;;    10d: 4c89ff                 mov rdi, r15
;;    110: ff155a020000           call qword ptr [rip + 0x25a]              ; wasm@0x84 local.get 1
;;
;; func[2] (i32) -> (i32):
;;    120: 55                     push rbp
;;    121: 4889e5                 mov rbp, rsp
;;    124: 4889e0                 mov rax, rsp
;;    127: 482d10000000           sub rax, 0x10
;;    12d: 493b07                 cmp rax, qword ptr [r15]
;;    130: 0f8255000000           jb 0x18b
;;    136: 4157                   push r15
;;    138: 4881ec08000000         sub rsp, 8
;;    13f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    144: 0f8517000000           jne 0x161
;;    14a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    14d: 8d0445800e0000         lea eax, [rax*2 + 0xe80]
;;    154: 410fb60406             movzx eax, byte ptr [r14 + rax]           ; wasm@0x9e i32.load8_u 0 0
;;    159: 894510                 mov dword ptr [rbp + 0x10], eax
;;    15c: 4889ec                 mov rsp, rbp
;;    15f: 5d                     pop rbp
;;    160: c3                     ret
;;    161: 4d8d5f48               lea r11, [r15 + 0x48]
;;    165: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    169: 0f842a000000           je 0x199
;;    16f: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    177: 0faef0                 mfence
;;    17a: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    17e: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    183: 0f8510000000           jne 0x199
;;    189: ebbf                   jmp 0x14a
;;    18b: be0a000000             mov esi, 0xa
;;    190: 4c89ff                 mov rdi, r15
;;    193: ff15d7010000           call qword ptr [rip + 0x1d7]              ; wasm@0x95 i32.const 3712
;;    199: be0b000000             mov esi, 0xb
;;    19e: 4c89ff                 mov rdi, r15
;;    1a1: ff15c9010000           call qword ptr [rip + 0x1c9]              ; wasm@0x95 i32.const 3712
;;
;; func[3] (i32, i32) -> (i32):
;;    1b0: 55                     push rbp
;;    1b1: 4889e5                 mov rbp, rsp
;;    1b4: 4889e0                 mov rax, rsp
;;    1b7: 482d20000000           sub rax, 0x20
;;    1bd: 493b07                 cmp rax, qword ptr [r15]
;;    1c0: 0f8260000000           jb 0x226
;;    1c6: 4157                   push r15
;;    1c8: 4881ec18000000         sub rsp, 0x18
;;    1cf: 48895de8               mov qword ptr [rbp - 0x18], rbx
;;    1d3: 31db                   xor ebx, ebx
;;    1d5: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    1da: 0f851c000000           jne 0x1fc
;;    1e0: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    1e3: 8b4d18                 mov ecx, dword ptr [rbp + 0x18]
;;    1e6: 8d1c88                 lea ebx, [rax + rcx*4]
;;    1e9: 8b4518                 mov eax, dword ptr [rbp + 0x18]
;;    1ec: 4189041e               mov dword ptr [r14 + rbx], eax            ; wasm@0xb4 i32.store 2 0
;;    1f0: 895d10                 mov dword ptr [rbp + 0x10], ebx
;;    1f3: 488b5de8               mov rbx, qword ptr [rbp - 0x18]
;;    1f7: 4889ec                 mov rsp, rbp
;;    1fa: 5d                     pop rbp
;;    1fb: c3                     ret
;;    1fc: 4d8d5f48               lea r11, [r15 + 0x48]
;;    200: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    204: 0f842a000000           je 0x234
;;    20a: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    212: 0faef0                 mfence
;;    215: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    219: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    21e: 0f8510000000           jne 0x234
;;    224: ebba                   jmp 0x1e0
;;    226: be0a000000             mov esi, 0xa
;;    22b: 4c89ff                 mov rdi, r15
;;    22e: ff153c010000           call qword ptr [rip + 0x13c]              ; wasm@0xa6 local.get 0
;;    234: be0b000000             mov esi, 0xb
;;    239: 4c89ff                 mov rdi, r15
;;    23c: ff152e010000           call qword ptr [rip + 0x12e]              ; wasm@0xa6 local.get 0
;;
;; func[4] (i64, i64) -> (i64):
;;    250: 55                     push rbp
;;    251: 4889e5                 mov rbp, rsp
;;    254: 4889e0                 mov rax, rsp
;;    257: 482d10000000           sub rax, 0x10
;;    25d: 493b07                 cmp rax, qword ptr [r15]
;;    260: 0f8254000000           jb 0x2ba
;;    266: 4157                   push r15
;;    268: 4881ec08000000         sub rsp, 8
;;    26f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    274: 0f8516000000           jne 0x290
;;    27a: 488b4510               mov rax, qword ptr [rbp + 0x10]
;;    27e: 488b4d18               mov rcx, qword ptr [rbp + 0x18]
;;    282: 488d4cc8f8             lea rcx, [rax + rcx*8 - 8]
;;    287: 48894d10               mov qword ptr [rbp + 0x10], rcx
;;    28b: 4889ec                 mov rsp, rbp
;;    28e: 5d                     pop rbp
;;    28f: c3                     ret
;;    290: 4d8d5f48               lea r11, [r15 + 0x48]
;;    294: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    298: 0f842a000000           je 0x2c8
;;    29e: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    2a6: 0faef0                 mfence
;;    2a9: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    2ad: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    2b2: 0f8510000000           jne 0x2c8
;;    2b8: ebc0                   jmp 0x27a
;;    2ba: be0a000000             mov esi, 0xa
;;    2bf: 4c89ff                 mov rdi, r15
;;    2c2: ff15a8000000           call qword ptr [rip + 0xa8]               ; wasm@0xbc local.get 0
;;    2c8: be0b000000             mov esi, 0xb
;;    2cd: 4c89ff                 mov rdi, r15
;;    2d0: ff159a000000           call qword ptr [rip + 0x9a]               ; wasm@0xbc local.get 0
;;
;; func[5] (i32, i32) -> (i32):
;;    2e0: 55                     push rbp
;;    2e1: 4889e5                 mov rbp, rsp
;;    2e4: 4889e0                 mov rax, rsp
;;    2e7: 482d10000000           sub rax, 0x10
;;    2ed: 493b07                 cmp rax, qword ptr [r15]
;;    2f0: 0f8255000000           jb 0x34b
;;    2f6: 4157                   push r15
;;    2f8: 4881ec08000000         sub rsp, 8
;;    2ff: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    304: 0f8517000000           jne 0x321
;;    30a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    30d: 83c005                 add eax, 5
;;    310: 8b4d10                 mov ecx, dword ptr [rbp + 0x10]
;;    313: 034d18                 add ecx, dword ptr [rbp + 0x18]
;;    316: 0fafc1                 imul eax, ecx
;;    319: 894510                 mov dword ptr [rbp + 0x10], eax
;;    31c: 4889ec                 mov rsp, rbp
;;    31f: 5d                     pop rbp
;;    320: c3                     ret
;;    321: 4d8d5f48               lea r11, [r15 + 0x48]
;;    325: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    329: 0f842a000000           je 0x359
;;    32f: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    337: 0faef0                 mfence
;;    33a: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    33e: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    343: 0f8510000000           jne 0x359
;;    349: ebbf                   jmp 0x30a
;;    34b: be0a000000             mov esi, 0xa
;;    350: 4c89ff                 mov rdi, r15
;;    353: ff1517000000           call qword ptr [rip + 0x17]               ; wasm@0xca local.get 0
;;    359: be0b000000             mov esi, 0xb
;;    35e: 4c89ff                 mov rdi, r15
;;    361: ff1509000000           call qword ptr [rip + 9]                  ; wasm@0xca local.get 0
