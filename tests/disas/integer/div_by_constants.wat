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
;;     10: 0f8238000000           jb 0x4e
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f852e000000           jne 0x5c
;;     2e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     31: b971800780             mov ecx, 0x80078071
;;     36: 480fafc8               imul rcx, rax
;;     3a: 48c1e92f               shr rcx, 0x2f
;;     3e: 69c9f1ff0000           imul ecx, ecx, 0xfff1
;;     44: 29c8                   sub eax, ecx
;;     46: 894510                 mov dword ptr [rbp + 0x10], eax
;;     49: 4889ec                 mov rsp, rbp
;;     4c: 5d                     pop rbp
;;     4d: c3                     ret
;;     4e: be0a000000             mov esi, 0xa
;;     53: 4c89ff                 mov rdi, r15
;;     56: ff1534030000           call qword ptr [rip + 0x334]              ; wasm@0x8b local.get 0
;;     5c: be0b000000             mov esi, 0xb
;;     61: 4c89ff                 mov rdi, r15
;;     64: ff1526030000           call qword ptr [rip + 0x326]              ; wasm@0x8b local.get 0
;;
;; func[1] (i32) -> (i32):
;;     70: 55                     push rbp
;;     71: 4889e5                 mov rbp, rsp
;;     74: 4889e0                 mov rax, rsp
;;     77: 482d10000000           sub rax, 0x10
;;     7d: 493b07                 cmp rax, qword ptr [r15]
;;     80: 0f8235000000           jb 0xbb
;;     86: 4157                   push r15
;;     88: 4881ec08000000         sub rsp, 8
;;     8f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     93: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     98: 0f852b000000           jne 0xc9
;;     9e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     a1: 4869c825499224         imul rcx, rax, 0x24924925
;;     a8: 48c1e920               shr rcx, 0x20
;;     ac: 4801c1                 add rcx, rax
;;     af: 48c1e903               shr rcx, 3
;;     b3: 894d10                 mov dword ptr [rbp + 0x10], ecx
;;     b6: 4889ec                 mov rsp, rbp
;;     b9: 5d                     pop rbp
;;     ba: c3                     ret
;;     bb: be0a000000             mov esi, 0xa
;;     c0: 4c89ff                 mov rdi, r15
;;     c3: ff15c7020000           call qword ptr [rip + 0x2c7]              ; wasm@0x95 local.get 0
;;     c9: be0b000000             mov esi, 0xb
;;     ce: 4c89ff                 mov rdi, r15
;;     d1: ff15b9020000           call qword ptr [rip + 0x2b9]              ; wasm@0x95 local.get 0
;;
;; func[2] (i32) -> (i32):
;;     e0: 55                     push rbp
;;     e1: 4889e5                 mov rbp, rsp
;;     e4: 4889e0                 mov rax, rsp
;;     e7: 482d10000000           sub rax, 0x10
;;     ed: 493b07                 cmp rax, qword ptr [r15]
;;     f0: 0f823d000000           jb 0x133
;;     f6: 4157                   push r15
;;     f8: 4881ec08000000         sub rsp, 8
;;     ff: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    103: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    108: 0f8533000000           jne 0x141
;;    10e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    111: 4863c8                 movsxd rcx, eax
;;    114: 4869c967666666         imul rcx, rcx, 0x66666667
;;    11b: 48c1f922               sar rcx, 0x22
;;    11f: 4189cb                 mov r11d, ecx
;;    122: 41c1eb1f               shr r11d, 0x1f
;;    126: 4401d9                 add ecx, r11d
;;    129: f7d9                   neg ecx
;;    12b: 894d10                 mov dword ptr [rbp + 0x10], ecx
;;    12e: 4889ec                 mov rsp, rbp
;;    131: 5d                     pop rbp
;;    132: c3                     ret
;;    133: be0a000000             mov esi, 0xa
;;    138: 4c89ff                 mov rdi, r15
;;    13b: ff154f020000           call qword ptr [rip + 0x24f]              ; wasm@0x9d local.get 0
;;    141: be0b000000             mov esi, 0xb
;;    146: 4c89ff                 mov rdi, r15
;;    149: ff1541020000           call qword ptr [rip + 0x241]              ; wasm@0x9d local.get 0
;;
;; func[3] (i32) -> (i32):
;;    150: 55                     push rbp
;;    151: 4889e5                 mov rbp, rsp
;;    154: 4889e0                 mov rax, rsp
;;    157: 482d10000000           sub rax, 0x10
;;    15d: 493b07                 cmp rax, qword ptr [r15]
;;    160: 0f8238000000           jb 0x19e
;;    166: 4157                   push r15
;;    168: 4881ec08000000         sub rsp, 8
;;    16f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    173: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    178: 0f852e000000           jne 0x1ac
;;    17e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    181: 4989c3                 mov r11, rax
;;    184: 41c1fb02               sar r11d, 2
;;    188: 41c1eb1d               shr r11d, 0x1d
;;    18c: 4101c3                 add r11d, eax
;;    18f: 4183e3f8               and r11d, 0xfffffff8
;;    193: 4429d8                 sub eax, r11d
;;    196: 894510                 mov dword ptr [rbp + 0x10], eax
;;    199: 4889ec                 mov rsp, rbp
;;    19c: 5d                     pop rbp
;;    19d: c3                     ret
;;    19e: be0a000000             mov esi, 0xa
;;    1a3: 4c89ff                 mov rdi, r15
;;    1a6: ff15e4010000           call qword ptr [rip + 0x1e4]              ; wasm@0xa5 local.get 0
;;    1ac: be0b000000             mov esi, 0xb
;;    1b1: 4c89ff                 mov rdi, r15
;;    1b4: ff15d6010000           call qword ptr [rip + 0x1d6]              ; wasm@0xa5 local.get 0
;;
;; func[4] (i32) -> (i32):
;;    1c0: 55                     push rbp
;;    1c1: 4889e5                 mov rbp, rsp
;;    1c4: 4889e0                 mov rax, rsp
;;    1c7: 482d10000000           sub rax, 0x10
;;    1cd: 493b07                 cmp rax, qword ptr [r15]
;;    1d0: 0f8233000000           jb 0x209
;;    1d6: 4157                   push r15
;;    1d8: 4881ec08000000         sub rsp, 8
;;    1df: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    1e3: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    1e8: 0f8529000000           jne 0x217
;;    1ee: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    1f1: 4989c3                 mov r11, rax
;;    1f4: 41d1fb                 sar r11d, 1
;;    1f7: 41c1eb1e               shr r11d, 0x1e
;;    1fb: 4401d8                 add eax, r11d
;;    1fe: c1f802                 sar eax, 2
;;    201: 894510                 mov dword ptr [rbp + 0x10], eax
;;    204: 4889ec                 mov rsp, rbp
;;    207: 5d                     pop rbp
;;    208: c3                     ret
;;    209: be0a000000             mov esi, 0xa
;;    20e: 4c89ff                 mov rdi, r15
;;    211: ff1579010000           call qword ptr [rip + 0x179]              ; wasm@0xad local.get 0
;;    217: be0b000000             mov esi, 0xb
;;    21c: 4c89ff                 mov rdi, r15
;;    21f: ff156b010000           call qword ptr [rip + 0x16b]              ; wasm@0xad local.get 0
;;
;; func[5] (i32) -> (i32):
;;    230: 55                     push rbp
;;    231: 4889e5                 mov rbp, rsp
;;    234: 4889e0                 mov rax, rsp
;;    237: 482d10000000           sub rax, 0x10
;;    23d: 493b07                 cmp rax, qword ptr [r15]
;;    240: 0f822b000000           jb 0x271
;;    246: 4157                   push r15
;;    248: 4881ec08000000         sub rsp, 8
;;    24f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    253: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    258: 0f8521000000           jne 0x27f
;;    25e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    261: f7d8                   neg eax
;;    263: 0f8024000000           jo 0x28d
;;    269: 894510                 mov dword ptr [rbp + 0x10], eax
;;    26c: 4889ec                 mov rsp, rbp
;;    26f: 5d                     pop rbp
;;    270: c3                     ret
;;    271: be0a000000             mov esi, 0xa
;;    276: 4c89ff                 mov rdi, r15
;;    279: ff1511010000           call qword ptr [rip + 0x111]              ; wasm@0xb5 local.get 0
;;    27f: be0b000000             mov esi, 0xb
;;    284: 4c89ff                 mov rdi, r15
;;    287: ff1503010000           call qword ptr [rip + 0x103]              ; wasm@0xb5 local.get 0
;;    28d: be03000000             mov esi, 3
;;    292: 4c89ff                 mov rdi, r15
;;    295: ff15f5000000           call qword ptr [rip + 0xf5]               ; wasm@0xb9 i32.div_s
;;
;; func[6] (i64) -> (i64):
;;    2a0: 55                     push rbp
;;    2a1: 4889e5                 mov rbp, rsp
;;    2a4: 4889e0                 mov rax, rsp
;;    2a7: 482d10000000           sub rax, 0x10
;;    2ad: 493b07                 cmp rax, qword ptr [r15]
;;    2b0: 0f8236000000           jb 0x2ec
;;    2b6: 4157                   push r15
;;    2b8: 4881ec08000000         sub rsp, 8
;;    2bf: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    2c3: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    2c8: 0f852c000000           jne 0x2fa
;;    2ce: 488b4d10               mov rcx, qword ptr [rbp + 0x10]
;;    2d2: 48b8cdcccccccccccccc   movabs rax, 0xcccccccccccccccd
;;    2dc: 48f7e1                 mul rcx
;;    2df: 48c1ea03               shr rdx, 3
;;    2e3: 48895510               mov qword ptr [rbp + 0x10], rdx
;;    2e7: 4889ec                 mov rsp, rbp
;;    2ea: 5d                     pop rbp
;;    2eb: c3                     ret
;;    2ec: be0a000000             mov esi, 0xa
;;    2f1: 4c89ff                 mov rdi, r15
;;    2f4: ff1596000000           call qword ptr [rip + 0x96]               ; wasm@0xbd local.get 0
;;    2fa: be0b000000             mov esi, 0xb
;;    2ff: 4c89ff                 mov rdi, r15
;;    302: ff1588000000           call qword ptr [rip + 0x88]               ; wasm@0xbd local.get 0
;;
;; func[7] (i64) -> (i64):
;;    310: 55                     push rbp
;;    311: 4889e5                 mov rbp, rsp
;;    314: 4889e0                 mov rax, rsp
;;    317: 482d10000000           sub rax, 0x10
;;    31d: 493b07                 cmp rax, qword ptr [r15]
;;    320: 0f824a000000           jb 0x370
;;    326: 4157                   push r15
;;    328: 4881ec08000000         sub rsp, 8
;;    32f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    333: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    338: 0f8540000000           jne 0x37e
;;    33e: 488b4d10               mov rcx, qword ptr [rbp + 0x10]
;;    342: 48b8cff753e3a59bc420   movabs rax, 0x20c49ba5e353f7cf
;;    34c: 48f7e9                 imul rcx
;;    34f: 48c1fa07               sar rdx, 7
;;    353: 4989d3                 mov r11, rdx
;;    356: 49c1eb3f               shr r11, 0x3f
;;    35a: 4c01da                 add rdx, r11
;;    35d: 4869d2e8030000         imul rdx, rdx, 0x3e8
;;    364: 4829d1                 sub rcx, rdx
;;    367: 48894d10               mov qword ptr [rbp + 0x10], rcx
;;    36b: 4889ec                 mov rsp, rbp
;;    36e: 5d                     pop rbp
;;    36f: c3                     ret
;;    370: be0a000000             mov esi, 0xa
;;    375: 4c89ff                 mov rdi, r15
;;    378: ff1512000000           call qword ptr [rip + 0x12]               ; wasm@0xc5 local.get 0
;;    37e: be0b000000             mov esi, 0xb
;;    383: 4c89ff                 mov rdi, r15
;;    386: ff1504000000           call qword ptr [rip + 4]                  ; wasm@0xc5 local.get 0
