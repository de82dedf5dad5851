;; A comparison under i32.eqz still fuses: each eqz negates the condition (for floats the negation
;; keeps the NaN cases: not-equal-or-unordered, below-or-equal-or-unordered), so `cmp; jcc` remains,
;; with no setcc/test in between; a comparison that is dropped leaves no code after the cmp; an
;; eqz chain that ends in a value is one setcc of the negated condition.
(module
  (func (export "eq_eqz_if") (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (i32.eq (local.get 0) (local.get 1)))
      (then (i32.const 1)) (else (i32.const 2))))
  (func (export "f64_lt_eqz_br_if") (param f64 f64) (result i32)
    (block $b (br_if $b (i32.eqz (f64.lt (local.get 0) (local.get 1)))) (return (i32.const 7)))
    (i32.const 9))
  (func (export "f32_eq_eqz_select") (param f32 f32 i32 i32) (result i32)
    (select (local.get 2) (local.get 3) (i32.eqz (f32.eq (local.get 0) (local.get 1)))))
  (func (export "i64_ne_eqz_eqz_br_if") (param i64 i64) (result i32)
    (block $b (br_if $b (i32.eqz (i32.eqz (i64.ne (local.get 0) (local.get 1))))) (return (i32.const 7)))
    (i32.const 9))
  (func (export "lt_eqz_value") (param i32 i32) (result i32)
    (drop (i32.lt_u (local.get 0) (local.get 1)))
    (i32.eqz (i32.lt_s (local.get 0) (local.get 1)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f826a000000           jb 0x80
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f852c000000           jne 0x56
;;     2a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     2d: 3b4518                 cmp eax, dword ptr [rbp + 0x18]
;;     30: 0f840c000000           je 0x42
;;     36: c745f001000000         mov dword ptr [rbp - 0x10], 1
;;     3d: e907000000             jmp 0x49
;;     42: c745f002000000         mov dword ptr [rbp - 0x10], 2
;;     49: 448b5df0               mov r11d, dword ptr [rbp - 0x10]
;;     4d: 44895d10               mov dword ptr [rbp + 0x10], r11d
;;     51: 4889ec                 mov rsp, rbp
;;     54: 5d                     pop rbp
;;     55: c3                     ret
;;     56: 4d8d5f48               lea r11, [r15 + 0x48]
;;     5a: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     5e: 0f842a000000           je 0x8e
;;     64: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     6c: 0faef0                 mfence
;;     6f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     73: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     78: 0f8510000000           jne 0x8e
;;     7e: ebaa                   jmp 0x2a
;;     80: be0a000000             mov esi, 0xa
;;     85: 4c89ff                 mov rdi, r15
;;     88: ff1582020000           call qword ptr [rip + 0x282]              ; wasm@0x8e local.get 0
;;     8e: be0b000000             mov esi, 0xb
;;     93: 4c89ff                 mov rdi, r15
;;     96: ff1574020000           call qword ptr [rip + 0x274]              ; wasm@0x8e local.get 0
;;
;; func[1] (f64, f64) -> (i32):
;;     a0: 55                     push rbp
;;     a1: 4889e5                 mov rbp, rsp
;;     a4: 4889e0                 mov rax, rsp
;;     a7: 482d10000000           sub rax, 0x10
;;     ad: 493b07                 cmp rax, qword ptr [r15]
;;     b0: 0f8266000000           jb 0x11c
;;     b6: 4157                   push r15
;;     b8: 4881ec08000000         sub rsp, 8
;;     bf: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     c4: 0f8528000000           jne 0xf2
;;     ca: f20f104518             movsd xmm0, qword ptr [rbp + 0x18]
;;     cf: 660f2e4510             ucomisd xmm0, qword ptr [rbp + 0x10]
;;     d4: 0f860c000000           jbe 0xe6
;;     da: c7451007000000         mov dword ptr [rbp + 0x10], 7
;;     e1: 4889ec                 mov rsp, rbp
;;     e4: 5d                     pop rbp
;;     e5: c3                     ret
;;     e6: c7451009000000         mov dword ptr [rbp + 0x10], 9
;;     ed: 4889ec                 mov rsp, rbp
;;     f0: 5d                     pop rbp
;;     f1: c3                     ret
;;     f2: 4d8d5f48               lea r11, [r15 + 0x48]
;;     f6: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     fa: 0f842a000000           je 0x12a
;;    100: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    108: 0faef0                 mfence
;;    10b: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    10f: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    114: 0f8510000000           jne 0x12a
;;    11a: ebae                   jmp 0xca
;;    11c: be0a000000             mov esi, 0xa
;;    121: 4c89ff                 mov rdi, r15
;;    124: ff15e6010000           call qword ptr [rip + 0x1e6]              ; wasm@0x9f block -64
;;    12a: be0b000000             mov esi, 0xb
;;    12f: 4c89ff                 mov rdi, r15
;;    132: ff15d8010000           call qword ptr [rip + 0x1d8]              ; wasm@0x9f block -64
;;
;; func[2] (f32, f32, i32, i32) -> (i32):
;;    140: 55                     push rbp
;;    141: 4889e5                 mov rbp, rsp
;;    144: 4889e0                 mov rax, rsp
;;    147: 482d10000000           sub rax, 0x10
;;    14d: 493b07                 cmp rax, qword ptr [r15]
;;    150: 0f8261000000           jb 0x1b7
;;    156: 4157                   push r15
;;    158: 4881ec08000000         sub rsp, 8
;;    15f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    164: 0f8523000000           jne 0x18d
;;    16a: f30f104510             movss xmm0, dword ptr [rbp + 0x10]
;;    16f: 0f2e4518               ucomiss xmm0, dword ptr [rbp + 0x18]
;;    173: 8b4520                 mov eax, dword ptr [rbp + 0x20]
;;    176: 0f8a09000000           jp 0x185
;;    17c: 0f8503000000           jne 0x185
;;    182: 8b4528                 mov eax, dword ptr [rbp + 0x28]
;;    185: 894510                 mov dword ptr [rbp + 0x10], eax
;;    188: 4889ec                 mov rsp, rbp
;;    18b: 5d                     pop rbp
;;    18c: c3                     ret
;;    18d: 4d8d5f48               lea r11, [r15 + 0x48]
;;    191: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    195: 0f842a000000           je 0x1c5
;;    19b: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    1a3: 0faef0                 mfence
;;    1a6: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    1aa: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    1af: 0f8510000000           jne 0x1c5
;;    1b5: ebb3                   jmp 0x16a
;;    1b7: be0a000000             mov esi, 0xa
;;    1bc: 4c89ff                 mov rdi, r15
;;    1bf: ff154b010000           call qword ptr [rip + 0x14b]              ; wasm@0xb2 local.get 2
;;    1c5: be0b000000             mov esi, 0xb
;;    1ca: 4c89ff                 mov rdi, r15
;;    1cd: ff153d010000           call qword ptr [rip + 0x13d]              ; wasm@0xb2 local.get 2
;;
;; func[3] (i64, i64) -> (i32):
;;    1e0: 55                     push rbp
;;    1e1: 4889e5                 mov rbp, rsp
;;    1e4: 4889e0                 mov rax, rsp
;;    1e7: 482d10000000           sub rax, 0x10
;;    1ed: 493b07                 cmp rax, qword ptr [r15]
;;    1f0: 0f8264000000           jb 0x25a
;;    1f6: 4157                   push r15
;;    1f8: 4881ec08000000         sub rsp, 8
;;    1ff: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    204: 0f8526000000           jne 0x230
;;    20a: 488b4510               mov rax, qword ptr [rbp + 0x10]
;;    20e: 483b4518               cmp rax, qword ptr [rbp + 0x18]
;;    212: 0f850c000000           jne 0x224
;;    218: c7451007000000         mov dword ptr [rbp + 0x10], 7
;;    21f: 4889ec                 mov rsp, rbp
;;    222: 5d                     pop rbp
;;    223: c3                     ret
;;    224: c7451009000000         mov dword ptr [rbp + 0x10], 9
;;    22b: 4889ec                 mov rsp, rbp
;;    22e: 5d                     pop rbp
;;    22f: c3                     ret
;;    230: 4d8d5f48               lea r11, [r15 + 0x48]
;;    234: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    238: 0f842a000000           je 0x268
;;    23e: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    246: 0faef0                 mfence
;;    249: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    24d: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    252: 0f8510000000           jne 0x268
;;    258: ebb0                   jmp 0x20a
;;    25a: be0a000000             mov esi, 0xa
;;    25f: 4c89ff                 mov rdi, r15
;;    262: ff15a8000000           call qword ptr [rip + 0xa8]               ; wasm@0xc0 block -64
;;    268: be0b000000             mov esi, 0xb
;;    26d: 4c89ff                 mov rdi, r15
;;    270: ff159a000000           call qword ptr [rip + 0x9a]               ; wasm@0xc0 block -64
;;
;; func[4] (i32, i32) -> (i32):
;;    280: 55                     push rbp
;;    281: 4889e5                 mov rbp, rsp
;;    284: 4889e0                 mov rax, rsp
;;    287: 482d10000000           sub rax, 0x10
;;    28d: 493b07                 cmp rax, qword ptr [r15]
;;    290: 0f8258000000           jb 0x2ee
;;    296: 4157                   push r15
;;    298: 4881ec08000000         sub rsp, 8
;;    29f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    2a4: 0f851a000000           jne 0x2c4
;;    2aa: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    2ad: 3b4518                 cmp eax, dword ptr [rbp + 0x18]
;;    2b0: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    2b3: 3b4518                 cmp eax, dword ptr [rbp + 0x18]
;;    2b6: 0f9dc0                 setge al
;;    2b9: 0fb6c0                 movzx eax, al
;;    2bc: 894510                 mov dword ptr [rbp + 0x10], eax
;;    2bf: 4889ec                 mov rsp, rbp
;;    2c2: 5d                     pop rbp
;;    2c3: c3                     ret
;;    2c4: 4d8d5f48               lea r11, [r15 + 0x48]
;;    2c8: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    2cc: 0f842a000000           je 0x2fc
;;    2d2: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    2da: 0faef0                 mfence
;;    2dd: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    2e1: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    2e6: 0f8510000000           jne 0x2fc
;;    2ec: ebbc                   jmp 0x2aa
;;    2ee: be0a000000             mov esi, 0xa
;;    2f3: 4c89ff                 mov rdi, r15
;;    2f6: ff1514000000           call qword ptr [rip + 0x14]               ; wasm@0xd4 local.get 0
;;    2fc: be0b000000             mov esi, 0xb
;;    301: 4c89ff                 mov rdi, r15
;;    304: ff1506000000           call qword ptr [rip + 6]                  ; wasm@0xd4 local.get 0
