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
;;     10: 0f822d000000           jb 0x43
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8523000000           jne 0x51
;;     2e: 4c8b5d30               mov r11, qword ptr [rbp + 0x30]
;;     32: 4c895df0               mov qword ptr [rbp - 0x10], r11
;;     36: 4c8b5df0               mov r11, qword ptr [rbp - 0x10]
;;     3a: 4c895d10               mov qword ptr [rbp + 0x10], r11
;;     3e: 4889ec                 mov rsp, rbp
;;     41: 5d                     pop rbp
;;     42: c3                     ret
;;     43: be0a000000             mov esi, 0xa
;;     48: 4c89ff                 mov rdi, r15
;;     4b: ff15df010000           call qword ptr [rip + 0x1df]              ; wasm@0x32 local.get 4
;;     51: be0b000000             mov esi, 0xb
;;     56: 4c89ff                 mov rdi, r15
;;     59: ff15d1010000           call qword ptr [rip + 0x1d1]              ; wasm@0x32 local.get 4
;;
;; func[1] <tail> (i64, i64) -> (i64):
;;     60: 55                     push rbp
;;     61: 4889e5                 mov rbp, rsp
;;     64: 4889e0                 mov rax, rsp
;;     67: 482d40000000           sub rax, 0x40
;;     6d: 493b07                 cmp rax, qword ptr [r15]
;;     70: 0f8288000000           jb 0xfe
;;     76: 4157                   push r15
;;     78: 4881ec38000000         sub rsp, 0x38
;;     7f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     83: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     88: 0f857e000000           jne 0x10c
;;     8e: 4c8b5d18               mov r11, qword ptr [rbp + 0x18]
;;     92: 4c891c24               mov qword ptr [rsp], r11
;;     96: 4c8b5d10               mov r11, qword ptr [rbp + 0x10]
;;     9a: 4c895c2408             mov qword ptr [rsp + 8], r11
;;     9f: 48c744241003000000     mov qword ptr [rsp + 0x10], 3
;;     a8: 48c744241804000000     mov qword ptr [rsp + 0x18], 4
;;     b1: 48c744242005000000     mov qword ptr [rsp + 0x20], 5
;;     ba: 488b7508               mov rsi, qword ptr [rbp + 8]
;;     be: 488b7d00               mov rdi, qword ptr [rbp]
;;     c2: 4c8b5c2420             mov r11, qword ptr [rsp + 0x20]
;;     c7: 4c895d10               mov qword ptr [rbp + 0x10], r11
;;     cb: 4c8b5c2418             mov r11, qword ptr [rsp + 0x18]
;;     d0: 4c895d08               mov qword ptr [rbp + 8], r11
;;     d4: 4c8b5c2410             mov r11, qword ptr [rsp + 0x10]
;;     d9: 4c895d00               mov qword ptr [rbp], r11
;;     dd: 4c8b5c2408             mov r11, qword ptr [rsp + 8]
;;     e2: 4c895df8               mov qword ptr [rbp - 8], r11
;;     e6: 4c8b1c24               mov r11, qword ptr [rsp]
;;     ea: 4c895df0               mov qword ptr [rbp - 0x10], r11
;;     ee: 488d65e8               lea rsp, [rbp - 0x18]
;;     f2: 48893424               mov qword ptr [rsp], rsi
;;     f6: 4889fd                 mov rbp, rdi
;;     f9: e902ffffff             jmp 0
;;     fe: be0a000000             mov esi, 0xa
;;    103: 4c89ff                 mov rdi, r15
;;    106: ff1524010000           call qword ptr [rip + 0x124]              ; wasm@0x37 local.get 1
;;    10c: be0b000000             mov esi, 0xb
;;    111: 4c89ff                 mov rdi, r15
;;    114: ff1516010000           call qword ptr [rip + 0x116]              ; wasm@0x37 local.get 1
;;
;; func[2] <count> (i64, i64) -> (i64):
;;    120: 55                     push rbp
;;    121: 4889e5                 mov rbp, rsp
;;    124: 4889e0                 mov rax, rsp
;;    127: 482d20000000           sub rax, 0x20
;;    12d: 493b07                 cmp rax, qword ptr [r15]
;;    130: 0f825b000000           jb 0x191
;;    136: 4157                   push r15
;;    138: 4881ec18000000         sub rsp, 0x18
;;    13f: 48895df0               mov qword ptr [rbp - 0x10], rbx
;;    143: 488b5d10               mov rbx, qword ptr [rbp + 0x10]
;;    147: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    14b: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    150: 0f8549000000           jne 0x19f
;;    156: 4885db                 test rbx, rbx
;;    159: 0f8519000000           jne 0x178
;;    15f: 4c8b5d18               mov r11, qword ptr [rbp + 0x18]
;;    163: 4c895de8               mov qword ptr [rbp - 0x18], r11
;;    167: 4c8b5de8               mov r11, qword ptr [rbp - 0x18]
;;    16b: 4c895d10               mov qword ptr [rbp + 0x10], r11
;;    16f: 488b5df0               mov rbx, qword ptr [rbp - 0x10]
;;    173: 4889ec                 mov rsp, rbp
;;    176: 5d                     pop rbp
;;    177: c3                     ret
;;    178: 4889d8                 mov rax, rbx
;;    17b: 4883e801               sub rax, 1
;;    17f: 48894510               mov qword ptr [rbp + 0x10], rax
;;    183: 48895d18               mov qword ptr [rbp + 0x18], rbx
;;    187: 488b5df0               mov rbx, qword ptr [rbp - 0x10]
;;    18b: 4889ec                 mov rsp, rbp
;;    18e: 5d                     pop rbp
;;    18f: eb8f                   jmp 0x120
;;    191: be0a000000             mov esi, 0xa
;;    196: 4c89ff                 mov rdi, r15
;;    199: ff1591000000           call qword ptr [rip + 0x91]               ; wasm@0x46 local.get 0
;;    19f: be0b000000             mov esi, 0xb
;;    1a4: 4c89ff                 mov rdi, r15
;;    1a7: ff1583000000           call qword ptr [rip + 0x83]               ; wasm@0x46 local.get 0
;;
;; func[3] (i64) -> (i64):
;;    1b0: 55                     push rbp
;;    1b1: 4889e5                 mov rbp, rsp
;;    1b4: 4889e0                 mov rax, rsp
;;    1b7: 482d20000000           sub rax, 0x20
;;    1bd: 493b07                 cmp rax, qword ptr [r15]
;;    1c0: 0f824e000000           jb 0x214
;;    1c6: 4157                   push r15
;;    1c8: 4881ec18000000         sub rsp, 0x18
;;    1cf: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    1d3: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    1d8: 0f8544000000           jne 0x222
;;    1de: 4c8b5d10               mov r11, qword ptr [rbp + 0x10]
;;    1e2: 4c891c24               mov qword ptr [rsp], r11
;;    1e6: 48c744240802000000     mov qword ptr [rsp + 8], 2
;;    1ef: e86cfeffff             call 0x60                                 ; wasm@0x5f call 1
;;    1f4: 4c8b7df8               mov r15, qword ptr [rbp - 8]
;;    1f8: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;    1fc: 488b0424               mov rax, qword ptr [rsp]
;;    200: 488da5e0ffffff         lea rsp, [rbp - 0x20]
;;    207: 4883c001               add rax, 1
;;    20b: 48894510               mov qword ptr [rbp + 0x10], rax
;;    20f: 4889ec                 mov rsp, rbp
;;    212: 5d                     pop rbp
;;    213: c3                     ret
;;    214: be0a000000             mov esi, 0xa
;;    219: 4c89ff                 mov rdi, r15
;;    21c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x5b local.get 0
;;    222: be0b000000             mov esi, 0xb
;;    227: 4c89ff                 mov rdi, r15
;;    22a: ff1500000000           call qword ptr [rip]                      ; wasm@0x5b local.get 0
