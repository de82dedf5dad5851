;; return_call to a larger area (2 slots -> 5) stages the arguments at [rsp], reads the saved rbp and
;; return address, copies the arguments to where the callee's area ends at the caller's area end, moves
;; the return address below it and jumps; to an area no larger (self recursion) the arguments go
;; straight into it. A direct call in a module with tail calls reloads r15/r14 and resets rsp after
;; reading the results.
(module
  (func $wide (param i64 i64 i64 i64 i64) (result i64) (local.get 4))
  (func $tail (param i64 i64) (result i64)
    (return_call $wide (local.get 1) (local.get 0) (i64.const 3) (i64.const 4) (i64.const 5)))
  (func $count (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $count (i64.sub (local.get $n) (i64.const 1)) (local.get $n)))
  (func (export "f") (param i64) (result i64)
    (i64.add (call $tail (local.get 0) (i64.const 2)) (i64.const 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] <wide> (i64, i64, i64, i64, i64) -> (i64):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8253000000           jb 0x69
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8515000000           jne 0x3f
;;     2a: 4c8b5d30               mov r11, qword ptr [rbp + 0x30]
;;     2e: 4c895df0               mov qword ptr [rbp - 0x10], r11
;;     32: 4c8b5df0               mov r11, qword ptr [rbp - 0x10]
;;     36: 4c895d10               mov qword ptr [rbp + 0x10], r11
;;     3a: 4889ec                 mov rsp, rbp
;;     3d: 5d                     pop rbp
;;     3e: c3                     ret
;;     3f: 4d8d5f48               lea r11, [r15 + 0x48]
;;     43: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     47: 0f842a000000           je 0x77
;;     4d: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     55: 0faef0                 mfence
;;     58: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     5c: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     61: 0f8510000000           jne 0x77
;;     67: ebc1                   jmp 0x2a
;;     69: be0a000000             mov esi, 0xa
;;     6e: 4c89ff                 mov rdi, r15
;;     71: ff1569020000           call qword ptr [rip + 0x269]              ; wasm@0x32 local.get 4
;;     77: be0b000000             mov esi, 0xb
;;     7c: 4c89ff                 mov rdi, r15
;;     7f: ff155b020000           call qword ptr [rip + 0x25b]              ; wasm@0x32 local.get 4
;;
;; func[1] <tail> (i64, i64) -> (i64):
;;     90: 55                     push rbp
;;     91: 4889e5                 mov rbp, rsp
;;     94: 4889e0                 mov rax, rsp
;;     97: 482d40000000           sub rax, 0x40
;;     9d: 493b07                 cmp rax, qword ptr [r15]
;;     a0: 0f82b1000000           jb 0x157
;;     a6: 4157                   push r15
;;     a8: 4881ec38000000         sub rsp, 0x38
;;     af: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     b4: 0f8570000000           jne 0x12a
;;     ba: 4c8b5d18               mov r11, qword ptr [rbp + 0x18]
;;     be: 4c891c24               mov qword ptr [rsp], r11
;;     c2: 4c8b5d10               mov r11, qword ptr [rbp + 0x10]
;;     c6: 4c895c2408             mov qword ptr [rsp + 8], r11
;;     cb: 48c744241003000000     mov qword ptr [rsp + 0x10], 3
;;     d4: 48c744241804000000     mov qword ptr [rsp + 0x18], 4
;;     dd: 48c744242005000000     mov qword ptr [rsp + 0x20], 5
;;     e6: 488b7508               mov rsi, qword ptr [rbp + 8]
;;     ea: 488b7d00               mov rdi, qword ptr [rbp]
;;     ee: 4c8b5c2420             mov r11, qword ptr [rsp + 0x20]
;;     f3: 4c895d10               mov qword ptr [rbp + 0x10], r11
;;     f7: 4c8b5c2418             mov r11, qword ptr [rsp + 0x18]
;;     fc: 4c895d08               mov qword ptr [rbp + 8], r11
;;    100: 4c8b5c2410             mov r11, qword ptr [rsp + 0x10]
;;    105: 4c895d00               mov qword ptr [rbp], r11
;;    109: 4c8b5c2408             mov r11, qword ptr [rsp + 8]
;;    10e: 4c895df8               mov qword ptr [rbp - 8], r11
;;    112: 4c8b1c24               mov r11, qword ptr [rsp]
;;    116: 4c895df0               mov qword ptr [rbp - 0x10], r11
;;    11a: 488d65e8               lea rsp, [rbp - 0x18]
;;    11e: 48893424               mov qword ptr [rsp], rsi
;;    122: 4889fd                 mov rbp, rdi
;;    125: e9d6feffff             jmp 0
;;    12a: 4d8d5f48               lea r11, [r15 + 0x48]
;;    12e: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    132: 0f842d000000           je 0x165
;;    138: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    140: 0faef0                 mfence
;;    143: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    147: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    14c: 0f8513000000           jne 0x165
;;    152: e963ffffff             jmp 0xba
;;    157: be0a000000             mov esi, 0xa
;;    15c: 4c89ff                 mov rdi, r15
;;    15f: ff157b010000           call qword ptr [rip + 0x17b]              ; wasm@0x37 local.get 1
;;    165: be0b000000             mov esi, 0xb
;;    16a: 4c89ff                 mov rdi, r15
;;    16d: ff156d010000           call qword ptr [rip + 0x16d]              ; wasm@0x37 local.get 1
;;
;; func[2] <count> (i64, i64) -> (i64):
;;    180: 55                     push rbp
;;    181: 4889e5                 mov rbp, rsp
;;    184: 4889e0                 mov rax, rsp
;;    187: 482d20000000           sub rax, 0x20
;;    18d: 493b07                 cmp rax, qword ptr [r15]
;;    190: 0f827e000000           jb 0x214
;;    196: 4157                   push r15
;;    198: 4881ec18000000         sub rsp, 0x18
;;    19f: 48895df0               mov qword ptr [rbp - 0x10], rbx
;;    1a3: 488b5d10               mov rbx, qword ptr [rbp + 0x10]
;;    1a7: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    1ac: 0f8538000000           jne 0x1ea
;;    1b2: 4885db                 test rbx, rbx
;;    1b5: 0f8519000000           jne 0x1d4
;;    1bb: 4c8b5d18               mov r11, qword ptr [rbp + 0x18]
;;    1bf: 4c895de8               mov qword ptr [rbp - 0x18], r11
;;    1c3: 4c8b5de8               mov r11, qword ptr [rbp - 0x18]
;;    1c7: 4c895d10               mov qword ptr [rbp + 0x10], r11
;;    1cb: 488b5df0               mov rbx, qword ptr [rbp - 0x10]
;;    1cf: 4889ec                 mov rsp, rbp
;;    1d2: 5d                     pop rbp
;;    1d3: c3                     ret
;;    1d4: 488d43ff               lea rax, [rbx - 1]
;;    1d8: 48894510               mov qword ptr [rbp + 0x10], rax
;;    1dc: 48895d18               mov qword ptr [rbp + 0x18], rbx
;;    1e0: 488b5df0               mov rbx, qword ptr [rbp - 0x10]
;;    1e4: 4889ec                 mov rsp, rbp
;;    1e7: 5d                     pop rbp
;;    1e8: eb96                   jmp 0x180
;;    1ea: 4d8d5f48               lea r11, [r15 + 0x48]
;;    1ee: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    1f2: 0f842a000000           je 0x222
;;    1f8: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    200: 0faef0                 mfence
;;    203: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    207: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    20c: 0f8510000000           jne 0x222
;;    212: eb9e                   jmp 0x1b2
;;    214: be0a000000             mov esi, 0xa
;;    219: 4c89ff                 mov rdi, r15
;;    21c: ff15be000000           call qword ptr [rip + 0xbe]               ; wasm@0x46 local.get 0
;;    222: be0b000000             mov esi, 0xb
;;    227: 4c89ff                 mov rdi, r15
;;    22a: ff15b0000000           call qword ptr [rip + 0xb0]               ; wasm@0x46 local.get 0
;;
;; func[3] (i64) -> (i64):
;;    230: 55                     push rbp                                  ; wasm@0x46
;;    231: 4889e5                 mov rbp, rsp
;;    234: 4889e0                 mov rax, rsp
;;    237: 482d20000000           sub rax, 0x20
;;    23d: 493b07                 cmp rax, qword ptr [r15]
;;    240: 0f8274000000           jb 0x2ba
;;    246: 4157                   push r15
;;    248: 4881ec18000000         sub rsp, 0x18
;;    24f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    254: 0f8536000000           jne 0x290
;;    25a: 4c8b5d10               mov r11, qword ptr [rbp + 0x10]
;;    25e: 4c891c24               mov qword ptr [rsp], r11
;;    262: 48c744240802000000     mov qword ptr [rsp + 8], 2
;;    26b: e820feffff             call 0x90                                 ; wasm@0x5f call 1
;;    270: 4c8b7df8               mov r15, qword ptr [rbp - 8]
;;    274: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;    278: 488b0424               mov rax, qword ptr [rsp]
;;    27c: 488da5e0ffffff         lea rsp, [rbp - 0x20]
;;    283: 4883c001               add rax, 1
;;    287: 48894510               mov qword ptr [rbp + 0x10], rax
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
;;    2b8: eba0                   jmp 0x25a
;;    2ba: be0a000000             mov esi, 0xa
;;    2bf: 4c89ff                 mov rdi, r15
;;    2c2: ff1518000000           call qword ptr [rip + 0x18]               ; wasm@0x5b local.get 0
;;    2c8: be0b000000             mov esi, 0xb
;;    2cd: 4c89ff                 mov rdi, r15
;;    2d0: ff150a000000           call qword ptr [rip + 0xa]                ; wasm@0x5b local.get 0
