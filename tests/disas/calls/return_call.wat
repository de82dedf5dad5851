;; return_call stages the arguments at [rsp], copies them to where the callee's argument area ends at
;; the caller's area end (here it grows: 2 slots -> 5 slots), moves the return address below it and jumps;
;; a direct call in a module with tail calls reloads r15/r14 and resets rsp after reading the results.
(module
  (func $wide (param i64 i64 i64 i64 i64) (result i64) (local.get 4))
  (func $tail (param i64 i64) (result i64)
    (return_call $wide (local.get 1) (local.get 0) (i64.const 3) (i64.const 4) (i64.const 5)))
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
;;     71: ff15b9010000           call qword ptr [rip + 0x1b9]              ; wasm@0x31 local.get 4
;;     77: be0b000000             mov esi, 0xb
;;     7c: 4c89ff                 mov rdi, r15
;;     7f: ff15ab010000           call qword ptr [rip + 0x1ab]              ; wasm@0x31 local.get 4
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
;;    15f: ff15cb000000           call qword ptr [rip + 0xcb]               ; wasm@0x36 local.get 1
;;    165: be0b000000             mov esi, 0xb
;;    16a: 4c89ff                 mov rdi, r15
;;    16d: ff15bd000000           call qword ptr [rip + 0xbd]               ; wasm@0x36 local.get 1
;;
;; func[2] (i64) -> (i64):
;;    180: 55                     push rbp
;;    181: 4889e5                 mov rbp, rsp
;;    184: 4889e0                 mov rax, rsp
;;    187: 482d20000000           sub rax, 0x20
;;    18d: 493b07                 cmp rax, qword ptr [r15]
;;    190: 0f8274000000           jb 0x20a
;;    196: 4157                   push r15
;;    198: 4881ec18000000         sub rsp, 0x18
;;    19f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    1a4: 0f8536000000           jne 0x1e0
;;    1aa: 4c8b5d10               mov r11, qword ptr [rbp + 0x10]
;;    1ae: 4c891c24               mov qword ptr [rsp], r11
;;    1b2: 48c744240802000000     mov qword ptr [rsp + 8], 2
;;    1bb: e8d0feffff             call 0x90                                 ; wasm@0x49 call 1
;;    1c0: 4c8b7df8               mov r15, qword ptr [rbp - 8]
;;    1c4: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;    1c8: 488b0424               mov rax, qword ptr [rsp]
;;    1cc: 488da5e0ffffff         lea rsp, [rbp - 0x20]
;;    1d3: 4883c001               add rax, 1
;;    1d7: 48894510               mov qword ptr [rbp + 0x10], rax
;;    1db: 4889ec                 mov rsp, rbp
;;    1de: 5d                     pop rbp
;;    1df: c3                     ret
;;    1e0: 4d8d5f48               lea r11, [r15 + 0x48]
;;    1e4: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    1e8: 0f842a000000           je 0x218
;;    1ee: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    1f6: 0faef0                 mfence
;;    1f9: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    1fd: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    202: 0f8510000000           jne 0x218
;;    208: eba0                   jmp 0x1aa
;;    20a: be0a000000             mov esi, 0xa
;;    20f: 4c89ff                 mov rdi, r15
;;    212: ff1518000000           call qword ptr [rip + 0x18]               ; wasm@0x45 local.get 0
;;    218: be0b000000             mov esi, 0xb
;;    21d: 4c89ff                 mov rdi, r15
;;    220: ff150a000000           call qword ptr [rip + 0xa]                ; wasm@0x45 local.get 0
