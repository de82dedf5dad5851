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
;;     4b: ff154f010000           call qword ptr [rip + 0x14f]              ; wasm@0x31 local.get 4
;;     51: be0b000000             mov esi, 0xb
;;     56: 4c89ff                 mov rdi, r15
;;     59: ff1541010000           call qword ptr [rip + 0x141]              ; wasm@0x31 local.get 4
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
;;    106: ff1594000000           call qword ptr [rip + 0x94]               ; wasm@0x36 local.get 1
;;    10c: be0b000000             mov esi, 0xb
;;    111: 4c89ff                 mov rdi, r15
;;    114: ff1586000000           call qword ptr [rip + 0x86]               ; wasm@0x36 local.get 1
;;
;; func[2] (i64) -> (i64):
;;    120: 55                     push rbp
;;    121: 4889e5                 mov rbp, rsp
;;    124: 4889e0                 mov rax, rsp
;;    127: 482d20000000           sub rax, 0x20
;;    12d: 493b07                 cmp rax, qword ptr [r15]
;;    130: 0f824e000000           jb 0x184
;;    136: 4157                   push r15
;;    138: 4881ec18000000         sub rsp, 0x18
;;    13f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    143: 41837b0800             cmp dword ptr [r11 + 8], 0
;;    148: 0f8544000000           jne 0x192
;;    14e: 4c8b5d10               mov r11, qword ptr [rbp + 0x10]
;;    152: 4c891c24               mov qword ptr [rsp], r11
;;    156: 48c744240802000000     mov qword ptr [rsp + 8], 2
;;    15f: e8fcfeffff             call 0x60                                 ; wasm@0x49 call 1
;;    164: 4c8b7df8               mov r15, qword ptr [rbp - 8]
;;    168: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;    16c: 488b0424               mov rax, qword ptr [rsp]
;;    170: 488da5e0ffffff         lea rsp, [rbp - 0x20]
;;    177: 4883c001               add rax, 1
;;    17b: 48894510               mov qword ptr [rbp + 0x10], rax
;;    17f: 4889ec                 mov rsp, rbp
;;    182: 5d                     pop rbp
;;    183: c3                     ret
;;    184: be0a000000             mov esi, 0xa
;;    189: 4c89ff                 mov rdi, r15
;;    18c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x45 local.get 0
;;    192: be0b000000             mov esi, 0xb
;;    197: 4c89ff                 mov rdi, r15
;;    19a: ff1500000000           call qword ptr [rip]                      ; wasm@0x45 local.get 0
