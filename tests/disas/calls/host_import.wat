;; A call to an imported function goes through the import's entry in the vmctx.
(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (func (export "f") (param i32) (result i32)
    (call $h (i32.mul (local.get 0) (i32.const 3)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[1] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d20000000           sub rax, 0x20
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8274000000           jb 0x8a
;;     16: 4157                   push r15
;;     18: 4881ec18000000         sub rsp, 0x18
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8536000000           jne 0x60
;;     2a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     2d: 6bc003                 imul eax, eax, 3
;;     30: 890424                 mov dword ptr [rsp], eax
;;     33: 498b4778               mov rax, qword ptr [r15 + 0x78]
;;     37: 498b8f80000000         mov rcx, qword ptr [r15 + 0x80]
;;     3e: 498b17                 mov rdx, qword ptr [r15]
;;     41: 488911                 mov qword ptr [rcx], rdx
;;     44: 4989cf                 mov r15, rcx
;;     47: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;     4b: ffd0                   call rax                                  ; wasm@0x30 call 0
;;     4d: 4c8b7df8               mov r15, qword ptr [rbp - 8]
;;     51: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;     55: 8b0424                 mov eax, dword ptr [rsp]
;;     58: 894510                 mov dword ptr [rbp + 0x10], eax
;;     5b: 4889ec                 mov rsp, rbp
;;     5e: 5d                     pop rbp
;;     5f: c3                     ret
;;     60: 4d8d5f48               lea r11, [r15 + 0x48]
;;     64: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     68: 0f842a000000           je 0x98
;;     6e: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     76: 0faef0                 mfence
;;     79: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     7d: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     82: 0f8510000000           jne 0x98
;;     88: eba0                   jmp 0x2a
;;     8a: be0a000000             mov esi, 0xa
;;     8f: 4c89ff                 mov rdi, r15
;;     92: ff1538000000           call qword ptr [rip + 0x38]               ; wasm@0x2b local.get 0
;;     98: be0b000000             mov esi, 0xb
;;     9d: 4c89ff                 mov rdi, r15
;;     a0: ff152a000000           call qword ptr [rip + 0x2a]               ; wasm@0x2b local.get 0
