;; A load whose value the next instruction stores to a register-pinned local is written straight
;; into that register (`mov ebx, [r14 + rbx]`, no copy through rax), also when the address reads the
;; local itself; a pending `local.get` of the local keeps the old value (copied before the load).
(module
  (memory 1)
  (func (export "chase") (param i32 i32) (result i32)
    (local f64)
    (loop $l
      (local.set 0 (i32.load (local.get 0)))
      (local.set 2 (f64.add (local.get 2) (f64.load offset=8 (local.get 0))))
      (br_if $l (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
    (i32.trunc_f64_s (local.get 2)))
  (func (export "old_value") (param i32) (result i32)
    (local i32)
    (loop $l
      (local.get 0)
      (local.set 0 (i32.load8_u (local.get 0)))
      (local.set 1 (i32.add (local.get 1)))
      (br_if $l (local.get 0)))
    (local.get 1)))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d20000000           sub rax, 0x20
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f82f7000000           jb 0x10d
;;     16: 4157                   push r15
;;     18: 4881ec18000000         sub rsp, 0x18
;;     1f: 48895de8               mov qword ptr [rbp - 0x18], rbx
;;     23: 4c8965e0               mov qword ptr [rbp - 0x20], r12
;;     27: 8b5d10                 mov ebx, dword ptr [rbp + 0x10]
;;     2a: 450f57c0               xorps xmm8, xmm8
;;     2e: 448b6518               mov r12d, dword ptr [rbp + 0x18]
;;     32: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     37: 0f8576000000           jne 0xb3
;;     3d: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     42: 0f8598000000           jne 0xe0
;;     48: 418b1c1e               mov ebx, dword ptr [r14 + rbx]            ; wasm@0x42 i32.load 2 0
;;     4c: f2410f10441e08         movsd xmm0, qword ptr [r14 + rbx + 8]     ; wasm@0x4b f64.load 3 8
;;     53: f2410f58c0             addsd xmm0, xmm8
;;     58: 440f28c0               movaps xmm8, xmm0
;;     5c: 4183ec01               sub r12d, 1
;;     60: 75db                   jne 0x3d
;;     62: 410f28c0               movaps xmm0, xmm8
;;     66: f20f2cc0               cvttsd2si eax, xmm0
;;     6a: 83f801                 cmp eax, 1
;;     6d: 0f8005000000           jo 0x78
;;     73: e92b000000             jmp 0xa3
;;     78: 660f2ec0               ucomisd xmm0, xmm0
;;     7c: 0f8a99000000           jp 0x11b
;;     82: 660f2e05d6010000       ucomisd xmm0, qword ptr [rip + 0x1d6]
;;     8a: 0f8699000000           jbe 0x129
;;     90: 660f2e05d8010000       ucomisd xmm0, qword ptr [rip + 0x1d8]
;;     98: 0f8399000000           jae 0x137
;;     9e: e900000000             jmp 0xa3
;;     a3: 894510                 mov dword ptr [rbp + 0x10], eax
;;     a6: 488b5de8               mov rbx, qword ptr [rbp - 0x18]
;;     aa: 4c8b65e0               mov r12, qword ptr [rbp - 0x20]
;;     ae: 4889ec                 mov rsp, rbp
;;     b1: 5d                     pop rbp
;;     b2: c3                     ret
;;     b3: 4d8d5f48               lea r11, [r15 + 0x48]
;;     b7: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     bb: 0f8484000000           je 0x145
;;     c1: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     c9: 0faef0                 mfence
;;     cc: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     d0: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     d5: 0f856a000000           jne 0x145
;;     db: e95dffffff             jmp 0x3d
;;     e0: 4d8d5f48               lea r11, [r15 + 0x48]
;;     e4: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     e8: 0f8465000000           je 0x153
;;     ee: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     f6: 0faef0                 mfence
;;     f9: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     fd: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    102: 0f854b000000           jne 0x153
;;    108: e93bffffff             jmp 0x48
;;    10d: be0a000000             mov esi, 0xa
;;    112: 4c89ff                 mov rdi, r15
;;    115: ff1565010000           call qword ptr [rip + 0x165]              ; wasm@0x3e loop -64
;;    11b: be04000000             mov esi, 4
;;    120: 4c89ff                 mov rdi, r15
;;    123: ff1557010000           call qword ptr [rip + 0x157]              ; wasm@0x5d i32.trunc_f64_s
;;    129: be03000000             mov esi, 3
;;    12e: 4c89ff                 mov rdi, r15
;;    131: ff1549010000           call qword ptr [rip + 0x149]              ; wasm@0x5d i32.trunc_f64_s
;;    137: be03000000             mov esi, 3
;;    13c: 4c89ff                 mov rdi, r15
;;    13f: ff153b010000           call qword ptr [rip + 0x13b]              ; wasm@0x5d i32.trunc_f64_s
;;    145: be0b000000             mov esi, 0xb
;;    14a: 4c89ff                 mov rdi, r15
;;    14d: ff152d010000           call qword ptr [rip + 0x12d]              ; wasm@0x3e loop -64
;;    153: be0b000000             mov esi, 0xb
;;    158: 4c89ff                 mov rdi, r15
;;    15b: ff151f010000           call qword ptr [rip + 0x11f]              ; wasm@0x3e loop -64
;;
;; func[1] (i32) -> (i32):
;;    170: 55                     push rbp
;;    171: 4889e5                 mov rbp, rsp
;;    174: 4889e0                 mov rax, rsp
;;    177: 482d20000000           sub rax, 0x20
;;    17d: 493b07                 cmp rax, qword ptr [r15]
;;    180: 0f82a4000000           jb 0x22a
;;    186: 4157                   push r15
;;    188: 4881ec18000000         sub rsp, 0x18
;;    18f: 48895de8               mov qword ptr [rbp - 0x18], rbx
;;    193: 4c8965e0               mov qword ptr [rbp - 0x20], r12
;;    197: 8b5d10                 mov ebx, dword ptr [rbp + 0x10]
;;    19a: 4531e4                 xor r12d, r12d
;;    19d: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    1a2: 0f852e000000           jne 0x1d6
;;    1a8: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    1ad: 0f854d000000           jne 0x200
;;    1b3: 4889d8                 mov rax, rbx
;;    1b6: 410fb61c1e             movzx ebx, byte ptr [r14 + rbx]           ; wasm@0x69 i32.load8_u 0 0
;;    1bb: 4401e0                 add eax, r12d
;;    1be: 4989c4                 mov r12, rax
;;    1c1: 85db                   test ebx, ebx
;;    1c3: 75e3                   jne 0x1a8
;;    1c5: 44896510               mov dword ptr [rbp + 0x10], r12d
;;    1c9: 488b5de8               mov rbx, qword ptr [rbp - 0x18]
;;    1cd: 4c8b65e0               mov r12, qword ptr [rbp - 0x20]
;;    1d1: 4889ec                 mov rsp, rbp
;;    1d4: 5d                     pop rbp
;;    1d5: c3                     ret
;;    1d6: 4d8d5f48               lea r11, [r15 + 0x48]
;;    1da: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    1de: 0f8454000000           je 0x238
;;    1e4: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    1ec: 0faef0                 mfence
;;    1ef: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    1f3: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    1f8: 0f853a000000           jne 0x238
;;    1fe: eba8                   jmp 0x1a8
;;    200: 4d8d5f48               lea r11, [r15 + 0x48]
;;    204: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    208: 0f8438000000           je 0x246
;;    20e: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    216: 0faef0                 mfence
;;    219: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    21d: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    222: 0f851e000000           jne 0x246
;;    228: eb89                   jmp 0x1b3
;;    22a: be0a000000             mov esi, 0xa
;;    22f: 4c89ff                 mov rdi, r15
;;    232: ff1548000000           call qword ptr [rip + 0x48]               ; wasm@0x63 loop -64
;;    238: be0b000000             mov esi, 0xb
;;    23d: 4c89ff                 mov rdi, r15
;;    240: ff153a000000           call qword ptr [rip + 0x3a]               ; wasm@0x63 loop -64
;;    246: be0b000000             mov esi, 0xb
;;    24b: 4c89ff                 mov rdi, r15
;;    24e: ff152c000000           call qword ptr [rip + 0x2c]               ; wasm@0x63 loop -64
