;; Division and remainder by constants: no div instruction. Unsigned powers of two are a shift or a
;; mask; signed powers of two add the rounding bias first; other divisors multiply by a magic
;; constant (m < 2^31: an imm32; 33-bit m for u32 7: the add-back form) and shift; x / -1 still traps
;; on INT_MIN; i64 uses the high half of mul/imul in rdx.
(module
  (func (export "rem_u_65521") (param i32) (result i32) (local.get 0) (i32.const 65521) (i32.rem_u))
  (func (export "div_u_7") (param i32) (result i32) (local.get 0) (i32.const 7) (i32.div_u))
  (func (export "div_s_m10") (param i32) (result i32) (local.get 0) (i32.const -10) (i32.div_s))
  (func (export "rem_s_8") (param i32) (result i32) (local.get 0) (i32.const 8) (i32.rem_s))
  (func (export "div_s_4") (param i32) (result i32) (local.get 0) (i32.const 4) (i32.div_s))
  (func (export "div_s_m1") (param i32) (result i32) (local.get 0) (i32.const -1) (i32.div_s))
  (func (export "i64_div_u_10") (param i64) (result i64) (local.get 0) (i64.const 10) (i64.div_u))
  (func (export "i64_rem_s_1000") (param i64) (result i64) (local.get 0) (i64.const 1000) (i64.rem_s)))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f825e000000           jb 0x74
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8520000000           jne 0x4a
;;     2a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     2d: b971800780             mov ecx, 0x80078071
;;     32: 480fafc8               imul rcx, rax
;;     36: 48c1e92f               shr rcx, 0x2f
;;     3a: 69c9f1ff0000           imul ecx, ecx, 0xfff1
;;     40: 29c8                   sub eax, ecx
;;     42: 894510                 mov dword ptr [rbp + 0x10], eax
;;     45: 4889ec                 mov rsp, rbp
;;     48: 5d                     pop rbp
;;     49: c3                     ret
;;     4a: 4d8d5f48               lea r11, [r15 + 0x48]
;;     4e: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     52: 0f842a000000           je 0x82
;;     58: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     60: 0faef0                 mfence
;;     63: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     67: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     6c: 0f8510000000           jne 0x82
;;     72: ebb6                   jmp 0x2a
;;     74: be0a000000             mov esi, 0xa
;;     79: 4c89ff                 mov rdi, r15
;;     7c: ff153e040000           call qword ptr [rip + 0x43e]              ; wasm@0x8b local.get 0
;;     82: be0b000000             mov esi, 0xb
;;     87: 4c89ff                 mov rdi, r15
;;     8a: ff1530040000           call qword ptr [rip + 0x430]              ; wasm@0x8b local.get 0
;;
;; func[1] (i32) -> (i32):
;;     90: 55                     push rbp                                  ; wasm@0x8b
;;     91: 4889e5                 mov rbp, rsp
;;     94: 4889e0                 mov rax, rsp
;;     97: 482d10000000           sub rax, 0x10
;;     9d: 493b07                 cmp rax, qword ptr [r15]
;;     a0: 0f825b000000           jb 0x101
;;     a6: 4157                   push r15
;;     a8: 4881ec08000000         sub rsp, 8
;;     af: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     b4: 0f851d000000           jne 0xd7
;;     ba: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     bd: 4869c825499224         imul rcx, rax, 0x24924925
;;     c4: 48c1e920               shr rcx, 0x20
;;     c8: 4801c1                 add rcx, rax
;;     cb: 48c1e903               shr rcx, 3
;;     cf: 894d10                 mov dword ptr [rbp + 0x10], ecx
;;     d2: 4889ec                 mov rsp, rbp
;;     d5: 5d                     pop rbp
;;     d6: c3                     ret
;;     d7: 4d8d5f48               lea r11, [r15 + 0x48]
;;     db: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     df: 0f842a000000           je 0x10f
;;     e5: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     ed: 0faef0                 mfence
;;     f0: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     f4: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     f9: 0f8510000000           jne 0x10f
;;     ff: ebb9                   jmp 0xba
;;    101: be0a000000             mov esi, 0xa
;;    106: 4c89ff                 mov rdi, r15
;;    109: ff15b1030000           call qword ptr [rip + 0x3b1]              ; wasm@0x95 local.get 0
;;    10f: be0b000000             mov esi, 0xb
;;    114: 4c89ff                 mov rdi, r15
;;    117: ff15a3030000           call qword ptr [rip + 0x3a3]              ; wasm@0x95 local.get 0
;;
;; func[2] (i32) -> (i32):
;;    120: 55                     push rbp
;;    121: 4889e5                 mov rbp, rsp
;;    124: 4889e0                 mov rax, rsp
;;    127: 482d10000000           sub rax, 0x10
;;    12d: 493b07                 cmp rax, qword ptr [r15]
;;    130: 0f8263000000           jb 0x199
;;    136: 4157                   push r15
;;    138: 4881ec08000000         sub rsp, 8
;;    13f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    144: 0f8525000000           jne 0x16f
;;    14a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    14d: 4863c8                 movsxd rcx, eax
;;    150: 4869c967666666         imul rcx, rcx, 0x66666667
;;    157: 48c1f922               sar rcx, 0x22
;;    15b: 4189cb                 mov r11d, ecx
;;    15e: 41c1eb1f               shr r11d, 0x1f
;;    162: 4401d9                 add ecx, r11d
;;    165: f7d9                   neg ecx
;;    167: 894d10                 mov dword ptr [rbp + 0x10], ecx
;;    16a: 4889ec                 mov rsp, rbp
;;    16d: 5d                     pop rbp
;;    16e: c3                     ret
;;    16f: 4d8d5f48               lea r11, [r15 + 0x48]
;;    173: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    177: 0f842a000000           je 0x1a7
;;    17d: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    185: 0faef0                 mfence
;;    188: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    18c: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    191: 0f8510000000           jne 0x1a7
;;    197: ebb1                   jmp 0x14a
;;    199: be0a000000             mov esi, 0xa
;;    19e: 4c89ff                 mov rdi, r15
;;    1a1: ff1519030000           call qword ptr [rip + 0x319]              ; wasm@0x9d local.get 0
;;    1a7: be0b000000             mov esi, 0xb
;;    1ac: 4c89ff                 mov rdi, r15
;;    1af: ff150b030000           call qword ptr [rip + 0x30b]              ; wasm@0x9d local.get 0
;;
;; func[3] (i32) -> (i32):
;;    1c0: 55                     push rbp
;;    1c1: 4889e5                 mov rbp, rsp
;;    1c4: 4889e0                 mov rax, rsp
;;    1c7: 482d10000000           sub rax, 0x10
;;    1cd: 493b07                 cmp rax, qword ptr [r15]
;;    1d0: 0f825e000000           jb 0x234
;;    1d6: 4157                   push r15
;;    1d8: 4881ec08000000         sub rsp, 8
;;    1df: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    1e4: 0f8520000000           jne 0x20a
;;    1ea: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    1ed: 4989c3                 mov r11, rax
;;    1f0: 41c1fb02               sar r11d, 2
;;    1f4: 41c1eb1d               shr r11d, 0x1d
;;    1f8: 4101c3                 add r11d, eax
;;    1fb: 4183e3f8               and r11d, 0xfffffff8
;;    1ff: 4429d8                 sub eax, r11d
;;    202: 894510                 mov dword ptr [rbp + 0x10], eax
;;    205: 4889ec                 mov rsp, rbp
;;    208: 5d                     pop rbp
;;    209: c3                     ret
;;    20a: 4d8d5f48               lea r11, [r15 + 0x48]
;;    20e: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    212: 0f842a000000           je 0x242
;;    218: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    220: 0faef0                 mfence
;;    223: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    227: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    22c: 0f8510000000           jne 0x242
;;    232: ebb6                   jmp 0x1ea
;;    234: be0a000000             mov esi, 0xa
;;    239: 4c89ff                 mov rdi, r15
;;    23c: ff157e020000           call qword ptr [rip + 0x27e]              ; wasm@0xa5 local.get 0
;;    242: be0b000000             mov esi, 0xb
;;    247: 4c89ff                 mov rdi, r15
;;    24a: ff1570020000           call qword ptr [rip + 0x270]              ; wasm@0xa5 local.get 0
;;
;; func[4] (i32) -> (i32):
;;    250: 55                     push rbp                                  ; wasm@0xa5
;;    251: 4889e5                 mov rbp, rsp
;;    254: 4889e0                 mov rax, rsp
;;    257: 482d10000000           sub rax, 0x10
;;    25d: 493b07                 cmp rax, qword ptr [r15]
;;    260: 0f8259000000           jb 0x2bf
;;    266: 4157                   push r15
;;    268: 4881ec08000000         sub rsp, 8
;;    26f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    274: 0f851b000000           jne 0x295
;;    27a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    27d: 4989c3                 mov r11, rax
;;    280: 41d1fb                 sar r11d, 1
;;    283: 41c1eb1e               shr r11d, 0x1e
;;    287: 4401d8                 add eax, r11d
;;    28a: c1f802                 sar eax, 2
;;    28d: 894510                 mov dword ptr [rbp + 0x10], eax
;;    290: 4889ec                 mov rsp, rbp
;;    293: 5d                     pop rbp
;;    294: c3                     ret
;;    295: 4d8d5f48               lea r11, [r15 + 0x48]
;;    299: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    29d: 0f842a000000           je 0x2cd
;;    2a3: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    2ab: 0faef0                 mfence
;;    2ae: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    2b2: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    2b7: 0f8510000000           jne 0x2cd
;;    2bd: ebbb                   jmp 0x27a
;;    2bf: be0a000000             mov esi, 0xa
;;    2c4: 4c89ff                 mov rdi, r15
;;    2c7: ff15f3010000           call qword ptr [rip + 0x1f3]              ; wasm@0xad local.get 0
;;    2cd: be0b000000             mov esi, 0xb
;;    2d2: 4c89ff                 mov rdi, r15
;;    2d5: ff15e5010000           call qword ptr [rip + 0x1e5]              ; wasm@0xad local.get 0
;;
;; func[5] (i32) -> (i32):
;;    2e0: 55                     push rbp
;;    2e1: 4889e5                 mov rbp, rsp
;;    2e4: 4889e0                 mov rax, rsp
;;    2e7: 482d10000000           sub rax, 0x10
;;    2ed: 493b07                 cmp rax, qword ptr [r15]
;;    2f0: 0f8251000000           jb 0x347
;;    2f6: 4157                   push r15
;;    2f8: 4881ec08000000         sub rsp, 8
;;    2ff: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    304: 0f8513000000           jne 0x31d
;;    30a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    30d: f7d8                   neg eax
;;    30f: 0f8040000000           jo 0x355
;;    315: 894510                 mov dword ptr [rbp + 0x10], eax
;;    318: 4889ec                 mov rsp, rbp
;;    31b: 5d                     pop rbp
;;    31c: c3                     ret
;;    31d: 4d8d5f48               lea r11, [r15 + 0x48]
;;    321: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    325: 0f8438000000           je 0x363
;;    32b: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    333: 0faef0                 mfence
;;    336: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    33a: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    33f: 0f851e000000           jne 0x363
;;    345: ebc3                   jmp 0x30a
;;    347: be0a000000             mov esi, 0xa
;;    34c: 4c89ff                 mov rdi, r15
;;    34f: ff156b010000           call qword ptr [rip + 0x16b]              ; wasm@0xb5 local.get 0
;;    355: be03000000             mov esi, 3
;;    35a: 4c89ff                 mov rdi, r15
;;    35d: ff155d010000           call qword ptr [rip + 0x15d]              ; wasm@0xb9 i32.div_s
;;    363: be0b000000             mov esi, 0xb
;;    368: 4c89ff                 mov rdi, r15
;;    36b: ff154f010000           call qword ptr [rip + 0x14f]              ; wasm@0xb5 local.get 0
;;
;; func[6] (i64) -> (i64):
;;    380: 55                     push rbp
;;    381: 4889e5                 mov rbp, rsp
;;    384: 4889e0                 mov rax, rsp
;;    387: 482d10000000           sub rax, 0x10
;;    38d: 493b07                 cmp rax, qword ptr [r15]
;;    390: 0f825c000000           jb 0x3f2
;;    396: 4157                   push r15
;;    398: 4881ec08000000         sub rsp, 8
;;    39f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    3a4: 0f851e000000           jne 0x3c8
;;    3aa: 488b4d10               mov rcx, qword ptr [rbp + 0x10]
;;    3ae: 48b8cdcccccccccccccc   movabs rax, 0xcccccccccccccccd
;;    3b8: 48f7e1                 mul rcx
;;    3bb: 48c1ea03               shr rdx, 3
;;    3bf: 48895510               mov qword ptr [rbp + 0x10], rdx
;;    3c3: 4889ec                 mov rsp, rbp
;;    3c6: 5d                     pop rbp
;;    3c7: c3                     ret
;;    3c8: 4d8d5f48               lea r11, [r15 + 0x48]
;;    3cc: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    3d0: 0f842a000000           je 0x400
;;    3d6: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    3de: 0faef0                 mfence
;;    3e1: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    3e5: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    3ea: 0f8510000000           jne 0x400
;;    3f0: ebb8                   jmp 0x3aa
;;    3f2: be0a000000             mov esi, 0xa
;;    3f7: 4c89ff                 mov rdi, r15
;;    3fa: ff15c0000000           call qword ptr [rip + 0xc0]               ; wasm@0xbd local.get 0
;;    400: be0b000000             mov esi, 0xb
;;    405: 4c89ff                 mov rdi, r15
;;    408: ff15b2000000           call qword ptr [rip + 0xb2]               ; wasm@0xbd local.get 0
;;
;; func[7] (i64) -> (i64):
;;    410: 55                     push rbp
;;    411: 4889e5                 mov rbp, rsp
;;    414: 4889e0                 mov rax, rsp
;;    417: 482d10000000           sub rax, 0x10
;;    41d: 493b07                 cmp rax, qword ptr [r15]
;;    420: 0f8270000000           jb 0x496
;;    426: 4157                   push r15
;;    428: 4881ec08000000         sub rsp, 8
;;    42f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    434: 0f8532000000           jne 0x46c
;;    43a: 488b4d10               mov rcx, qword ptr [rbp + 0x10]
;;    43e: 48b8cff753e3a59bc420   movabs rax, 0x20c49ba5e353f7cf
;;    448: 48f7e9                 imul rcx
;;    44b: 48c1fa07               sar rdx, 7
;;    44f: 4989d3                 mov r11, rdx
;;    452: 49c1eb3f               shr r11, 0x3f
;;    456: 4c01da                 add rdx, r11
;;    459: 4869d2e8030000         imul rdx, rdx, 0x3e8
;;    460: 4829d1                 sub rcx, rdx
;;    463: 48894d10               mov qword ptr [rbp + 0x10], rcx
;;    467: 4889ec                 mov rsp, rbp
;;    46a: 5d                     pop rbp
;;    46b: c3                     ret
;;    46c: 4d8d5f48               lea r11, [r15 + 0x48]
;;    470: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    474: 0f842a000000           je 0x4a4
;;    47a: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    482: 0faef0                 mfence
;;    485: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    489: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    48e: 0f8510000000           jne 0x4a4
;;    494: eba4                   jmp 0x43a
;;    496: be0a000000             mov esi, 0xa
;;    49b: 4c89ff                 mov rdi, r15
;;    49e: ff151c000000           call qword ptr [rip + 0x1c]               ; wasm@0xc5 local.get 0
;;    4a4: be0b000000             mov esi, 0xb
;;    4a9: 4c89ff                 mov rdi, r15
;;    4ac: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0xc5 local.get 0
