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
;;     10: 0f8231000000           jb 0x47
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8527000000           jne 0x55
;;     2e: 498b4770               mov rax, qword ptr [r15 + 0x70]
;;     32: 48034510               add rax, qword ptr [rbp + 0x10]
;;     36: 49894770               mov qword ptr [r15 + 0x70], rax
;;     3a: 498b4770               mov rax, qword ptr [r15 + 0x70]
;;     3e: 48894510               mov qword ptr [rbp + 0x10], rax
;;     42: 4889ec                 mov rsp, rbp
;;     45: 5d                     pop rbp
;;     46: c3                     ret
;;     47: be0a000000             mov esi, 0xa
;;     4c: 4c89ff                 mov rdi, r15
;;     4f: ff151b000000           call qword ptr [rip + 0x1b]               ; wasm@0x2b global.get 0
;;     55: be0b000000             mov esi, 0xb
;;     5a: 4c89ff                 mov rdi, r15
;;     5d: ff150d000000           call qword ptr [rip + 0xd]                ; wasm@0x2b global.get 0
