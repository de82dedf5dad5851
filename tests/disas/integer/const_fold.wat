;; Constants fold into immediates; constant subexpressions fold at compile time.
(module
  (func (export "f") (param i32) (result i32)
    (i32.add (local.get 0) (i32.mul (i32.const 6) (i32.const 7)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f824c000000           jb 0x62
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f850e000000           jne 0x38
;;     2a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     2d: 83c02a                 add eax, 0x2a
;;     30: 894510                 mov dword ptr [rbp + 0x10], eax
;;     33: 4889ec                 mov rsp, rbp
;;     36: 5d                     pop rbp
;;     37: c3                     ret
;;     38: 4d8d5f48               lea r11, [r15 + 0x48]
;;     3c: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     40: 0f842a000000           je 0x70
;;     46: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     4e: 0faef0                 mfence
;;     51: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     55: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     5a: 0f8510000000           jne 0x70
;;     60: ebc8                   jmp 0x2a
;;     62: be0a000000             mov esi, 0xa
;;     67: 4c89ff                 mov rdi, r15
;;     6a: ff1510000000           call qword ptr [rip + 0x10]               ; wasm@0x20 local.get 0
;;     70: be0b000000             mov esi, 0xb
;;     75: 4c89ff                 mov rdi, r15
;;     78: ff1502000000           call qword ptr [rip + 2]                  ; wasm@0x20 local.get 0
