;; Mutable globals are read and written through the vmctx (r15).
(module
  (global $g (mut i64) (i64.const 0))
  (func (export "bump") (param i64) (result i64)
    (global.set $g (i64.add (global.get $g) (local.get 0)))
    (global.get $g)))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i64) -> (i64):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8257000000           jb 0x6d
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8519000000           jne 0x43
;;     2a: 498b4770               mov rax, qword ptr [r15 + 0x70]
;;     2e: 48034510               add rax, qword ptr [rbp + 0x10]
;;     32: 49894770               mov qword ptr [r15 + 0x70], rax
;;     36: 498b4770               mov rax, qword ptr [r15 + 0x70]
;;     3a: 48894510               mov qword ptr [rbp + 0x10], rax
;;     3e: 4889ec                 mov rsp, rbp
;;     41: 5d                     pop rbp
;;     42: c3                     ret
;;     43: 4d8d5f48               lea r11, [r15 + 0x48]
;;     47: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     4b: 0f842a000000           je 0x7b
;;     51: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     59: 0faef0                 mfence
;;     5c: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     60: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     65: 0f8510000000           jne 0x7b
;;     6b: ebbd                   jmp 0x2a
;;     6d: be0a000000             mov esi, 0xa
;;     72: 4c89ff                 mov rdi, r15
;;     75: ff1515000000           call qword ptr [rip + 0x15]               ; wasm@0x2b global.get 0
;;     7b: be0b000000             mov esi, 0xb
;;     80: 4c89ff                 mov rdi, r15
;;     83: ff1507000000           call qword ptr [rip + 7]                  ; wasm@0x2b global.get 0
