;; Direct calls pass arguments in the caller's outgoing area at [rsp].
(module
  (func $sq (param i64) (result i64) (i64.mul (local.get 0) (local.get 0)))
  (func (export "f") (param i64) (result i64) (i64.add (call $sq (local.get 0)) (i64.const 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] <sq> (i64) -> (i64):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8250000000           jb 0x66
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8512000000           jne 0x3c
;;     2a: 488b4510               mov rax, qword ptr [rbp + 0x10]
;;     2e: 480faf4510             imul rax, qword ptr [rbp + 0x10]
;;     33: 48894510               mov qword ptr [rbp + 0x10], rax
;;     37: 4889ec                 mov rsp, rbp
;;     3a: 5d                     pop rbp
;;     3b: c3                     ret
;;     3c: 4d8d5f48               lea r11, [r15 + 0x48]
;;     40: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     44: 0f842a000000           je 0x74
;;     4a: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     52: 0faef0                 mfence
;;     55: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     59: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     5e: 0f8510000000           jne 0x74
;;     64: ebc4                   jmp 0x2a
;;     66: be0a000000             mov esi, 0xa
;;     6b: 4c89ff                 mov rdi, r15
;;     6e: ff15ac000000           call qword ptr [rip + 0xac]               ; wasm@0x21 local.get 0
;;     74: be0b000000             mov esi, 0xb
;;     79: 4c89ff                 mov rdi, r15
;;     7c: ff159e000000           call qword ptr [rip + 0x9e]               ; wasm@0x21 local.get 0
;;
;; func[1] (i64) -> (i64):
;;     90: 55                     push rbp
;;     91: 4889e5                 mov rbp, rsp
;;     94: 4889e0                 mov rax, rsp
;;     97: 482d20000000           sub rax, 0x20
;;     9d: 493b07                 cmp rax, qword ptr [r15]
;;     a0: 0f825c000000           jb 0x102
;;     a6: 4157                   push r15
;;     a8: 4881ec18000000         sub rsp, 0x18
;;     af: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     b4: 0f851e000000           jne 0xd8
;;     ba: 4c8b5d10               mov r11, qword ptr [rbp + 0x10]
;;     be: 4c891c24               mov qword ptr [rsp], r11
;;     c2: e839ffffff             call 0                                    ; wasm@0x2b call 0
;;     c7: 488b0424               mov rax, qword ptr [rsp]
;;     cb: 4883c001               add rax, 1
;;     cf: 48894510               mov qword ptr [rbp + 0x10], rax
;;     d3: 4889ec                 mov rsp, rbp
;;     d6: 5d                     pop rbp
;;     d7: c3                     ret
;;     d8: 4d8d5f48               lea r11, [r15 + 0x48]
;;     dc: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     e0: 0f842a000000           je 0x110
;;     e6: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     ee: 0faef0                 mfence
;;     f1: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     f5: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     fa: 0f8510000000           jne 0x110
;;    100: ebb8                   jmp 0xba
;;    102: be0a000000             mov esi, 0xa
;;    107: 4c89ff                 mov rdi, r15
;;    10a: ff1510000000           call qword ptr [rip + 0x10]               ; wasm@0x29 local.get 0
;;    110: be0b000000             mov esi, 0xb
;;    115: 4c89ff                 mov rdi, r15
;;    118: ff1502000000           call qword ptr [rip + 2]                  ; wasm@0x29 local.get 0
