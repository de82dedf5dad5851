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
;;     10: 0f8244000000           jb 0x5a
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f853a000000           jne 0x68
;;     2e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     31: 3b4518                 cmp eax, dword ptr [rbp + 0x18]
;;     34: 0f840c000000           je 0x46
;;     3a: c745f001000000         mov dword ptr [rbp - 0x10], 1
;;     41: e907000000             jmp 0x4d
;;     46: c745f002000000         mov dword ptr [rbp - 0x10], 2
;;     4d: 448b5df0               mov r11d, dword ptr [rbp - 0x10]
;;     51: 44895d10               mov dword ptr [rbp + 0x10], r11d
;;     55: 4889ec                 mov rsp, rbp
;;     58: 5d                     pop rbp
;;     59: c3                     ret
;;     5a: be0a000000             mov esi, 0xa
;;     5f: 4c89ff                 mov rdi, r15
;;     62: ff15e8010000           call qword ptr [rip + 0x1e8]              ; wasm@0x8e local.get 0
;;     68: be0b000000             mov esi, 0xb
;;     6d: 4c89ff                 mov rdi, r15
;;     70: ff15da010000           call qword ptr [rip + 0x1da]              ; wasm@0x8e local.get 0
;;
;; func[1] (f64, f64) -> (i32):
;;     80: 55                     push rbp
;;     81: 4889e5                 mov rbp, rsp
;;     84: 4889e0                 mov rax, rsp
;;     87: 482d10000000           sub rax, 0x10
;;     8d: 493b07                 cmp rax, qword ptr [r15]
;;     90: 0f8240000000           jb 0xd6
;;     96: 4157                   push r15
;;     98: 4881ec08000000         sub rsp, 8
;;     9f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     a3: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     a8: 0f8536000000           jne 0xe4
;;     ae: f20f104518             movsd xmm0, qword ptr [rbp + 0x18]
;;     b3: 660f2e4510             ucomisd xmm0, qword ptr [rbp + 0x10]
;;     b8: 0f860c000000           jbe 0xca
;;     be: c7451007000000         mov dword ptr [rbp + 0x10], 7
;;     c5: 4889ec                 mov rsp, rbp
;;     c8: 5d                     pop rbp
;;     c9: c3                     ret
;;     ca: c7451009000000         mov dword ptr [rbp + 0x10], 9
;;     d1: 4889ec                 mov rsp, rbp
;;     d4: 5d                     pop rbp
;;     d5: c3                     ret
;;     d6: be0a000000             mov esi, 0xa
;;     db: 4c89ff                 mov rdi, r15
;;     de: ff156c010000           call qword ptr [rip + 0x16c]              ; wasm@0x9f block -64
;;     e4: be0b000000             mov esi, 0xb
;;     e9: 4c89ff                 mov rdi, r15
;;     ec: ff155e010000           call qword ptr [rip + 0x15e]              ; wasm@0x9f block -64
;;
;; func[2] (f32, f32, i32, i32) -> (i32):
;;    100: 55                     push rbp
;;    101: 4889e5                 mov rbp, rsp
;;    104: 4889e0                 mov rax, rsp
;;    107: 482d10000000           sub rax, 0x10
;;    10d: 493b07                 cmp rax, qword ptr [r15]
;;    110: 0f823b000000           jb 0x151
;;    116: 4157                   push r15
;;    118: 4881ec08000000         sub rsp, 8
;;    11f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    123: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    128: 0f8531000000           jne 0x15f
;;    12e: f30f104510             movss xmm0, dword ptr [rbp + 0x10]
;;    133: 0f2e4518               ucomiss xmm0, dword ptr [rbp + 0x18]
;;    137: 8b4520                 mov eax, dword ptr [rbp + 0x20]
;;    13a: 0f8a09000000           jp 0x149
;;    140: 0f8503000000           jne 0x149
;;    146: 8b4528                 mov eax, dword ptr [rbp + 0x28]
;;    149: 894510                 mov dword ptr [rbp + 0x10], eax
;;    14c: 4889ec                 mov rsp, rbp
;;    14f: 5d                     pop rbp
;;    150: c3                     ret
;;    151: be0a000000             mov esi, 0xa
;;    156: 4c89ff                 mov rdi, r15
;;    159: ff15f1000000           call qword ptr [rip + 0xf1]               ; wasm@0xb2 local.get 2
;;    15f: be0b000000             mov esi, 0xb
;;    164: 4c89ff                 mov rdi, r15
;;    167: ff15e3000000           call qword ptr [rip + 0xe3]               ; wasm@0xb2 local.get 2
;;
;; func[3] (i64, i64) -> (i32):
;;    170: 55                     push rbp
;;    171: 4889e5                 mov rbp, rsp
;;    174: 4889e0                 mov rax, rsp
;;    177: 482d10000000           sub rax, 0x10
;;    17d: 493b07                 cmp rax, qword ptr [r15]
;;    180: 0f823e000000           jb 0x1c4
;;    186: 4157                   push r15
;;    188: 4881ec08000000         sub rsp, 8
;;    18f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    193: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    198: 0f8534000000           jne 0x1d2
;;    19e: 488b4510               mov rax, qword ptr [rbp + 0x10]
;;    1a2: 483b4518               cmp rax, qword ptr [rbp + 0x18]
;;    1a6: 0f850c000000           jne 0x1b8
;;    1ac: c7451007000000         mov dword ptr [rbp + 0x10], 7
;;    1b3: 4889ec                 mov rsp, rbp
;;    1b6: 5d                     pop rbp
;;    1b7: c3                     ret
;;    1b8: c7451009000000         mov dword ptr [rbp + 0x10], 9
;;    1bf: 4889ec                 mov rsp, rbp
;;    1c2: 5d                     pop rbp
;;    1c3: c3                     ret
;;    1c4: be0a000000             mov esi, 0xa
;;    1c9: 4c89ff                 mov rdi, r15
;;    1cc: ff157e000000           call qword ptr [rip + 0x7e]               ; wasm@0xc0 block -64
;;    1d2: be0b000000             mov esi, 0xb
;;    1d7: 4c89ff                 mov rdi, r15
;;    1da: ff1570000000           call qword ptr [rip + 0x70]               ; wasm@0xc0 block -64
;;
;; func[4] (i32, i32) -> (i32):
;;    1e0: 55                     push rbp                                  ; wasm@0xc0
;;    1e1: 4889e5                 mov rbp, rsp
;;    1e4: 4889e0                 mov rax, rsp
;;    1e7: 482d10000000           sub rax, 0x10
;;    1ed: 493b07                 cmp rax, qword ptr [r15]
;;    1f0: 0f8232000000           jb 0x228
;;    1f6: 4157                   push r15
;;    1f8: 4881ec08000000         sub rsp, 8
;;    1ff: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    203: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    208: 0f8528000000           jne 0x236
;;    20e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    211: 3b4518                 cmp eax, dword ptr [rbp + 0x18]
;;    214: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;    217: 3b4518                 cmp eax, dword ptr [rbp + 0x18]
;;    21a: 0f9dc0                 setge al
;;    21d: 0fb6c0                 movzx eax, al
;;    220: 894510                 mov dword ptr [rbp + 0x10], eax
;;    223: 4889ec                 mov rsp, rbp
;;    226: 5d                     pop rbp
;;    227: c3                     ret
;;    228: be0a000000             mov esi, 0xa
;;    22d: 4c89ff                 mov rdi, r15
;;    230: ff151a000000           call qword ptr [rip + 0x1a]               ; wasm@0xd4 local.get 0
;;    236: be0b000000             mov esi, 0xb
;;    23b: 4c89ff                 mov rdi, r15
;;    23e: ff150c000000           call qword ptr [rip + 0xc]                ; wasm@0xd4 local.get 0
