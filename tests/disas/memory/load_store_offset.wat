;; Loads and stores address [r14 + index + offset]; the guard region does the bounds check.
(module
  (memory 1)
  (func (export "copy") (param i32 i32)
    (i64.store offset=8 (local.get 1) (i64.load offset=16 (local.get 0)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> ():
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8255000000           jb 0x6b
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8517000000           jne 0x41
;;     2a: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     2e: 4b8b441e10             mov rax, qword ptr [r14 + r11 + 0x10]     ; wasm@0x2c i64.load 3 16
;;     33: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;     37: 4b89441e08             mov qword ptr [r14 + r11 + 8], rax        ; wasm@0x2f i64.store 3 8
;;     3c: 4889ec                 mov rsp, rbp
;;     3f: 5d                     pop rbp
;;     40: c3                     ret
;;     41: 4d8d5f48               lea r11, [r15 + 0x48]
;;     45: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     49: 0f842a000000           je 0x79
;;     4f: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     57: 0faef0                 mfence
;;     5a: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     5e: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     63: 0f8510000000           jne 0x79
;;     69: ebbf                   jmp 0x2a
;;     6b: be0a000000             mov esi, 0xa
;;     70: 4c89ff                 mov rdi, r15
;;     73: ff1517000000           call qword ptr [rip + 0x17]               ; wasm@0x28 local.get 1
;;     79: be0b000000             mov esi, 0xb
;;     7e: 4c89ff                 mov rdi, r15
;;     81: ff1509000000           call qword ptr [rip + 9]                  ; wasm@0x28 local.get 1
