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
;;     10: 0f822f000000           jb 0x45
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8525000000           jne 0x53
;;     2e: 448b5d10               mov r11d, dword ptr [rbp + 0x10]
;;     32: 4b8b441e10             mov rax, qword ptr [r14 + r11 + 0x10]     ; wasm@0x2c i64.load 3 16
;;     37: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;     3b: 4b89441e08             mov qword ptr [r14 + r11 + 8], rax        ; wasm@0x2f i64.store 3 8
;;     40: 4889ec                 mov rsp, rbp
;;     43: 5d                     pop rbp
;;     44: c3                     ret
;;     45: be0a000000             mov esi, 0xa
;;     4a: 4c89ff                 mov rdi, r15
;;     4d: ff151d000000           call qword ptr [rip + 0x1d]               ; wasm@0x28 local.get 1
;;     53: be0b000000             mov esi, 0xb
;;     58: 4c89ff                 mov rdi, r15
;;     5b: ff150f000000           call qword ptr [rip + 0xf]                ; wasm@0x28 local.get 1
