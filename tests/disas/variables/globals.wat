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
;;     10: 0f8260000000           jb 0x76
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8522000000           jne 0x4c
;;     2a: 498b8790000000         mov rax, qword ptr [r15 + 0x90]
;;     31: 48034510               add rax, qword ptr [rbp + 0x10]
;;     35: 49898790000000         mov qword ptr [r15 + 0x90], rax
;;     3c: 498b8790000000         mov rax, qword ptr [r15 + 0x90]
;;     43: 48894510               mov qword ptr [rbp + 0x10], rax
;;     47: 4889ec                 mov rsp, rbp
;;     4a: 5d                     pop rbp
;;     4b: c3                     ret
;;     4c: 4d8d5f48               lea r11, [r15 + 0x48]
;;     50: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     54: 0f842a000000           je 0x84
;;     5a: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     62: 0faef0                 mfence
;;     65: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     69: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     6e: 0f8510000000           jne 0x84
;;     74: ebb4                   jmp 0x2a
;;     76: be0a000000             mov esi, 0xa
;;     7b: 4c89ff                 mov rdi, r15
;;     7e: ff151c000000           call qword ptr [rip + 0x1c]               ; wasm@0x2b global.get 0
;;     84: be0b000000             mov esi, 0xb
;;     89: 4c89ff                 mov rdi, r15
;;     8c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x2b global.get 0
