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
;;     10: 0f8271000000           jb 0x87
;;     16: 4157                   push r15
;;     18: 4881ec18000000         sub rsp, 0x18
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8533000000           jne 0x5d
;;     2a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     2d: 6bc003                 imul eax, eax, 3
;;     30: 890424                 mov dword ptr [rsp], eax
;;     33: 498b4768               mov rax, qword ptr [r15 + 0x68]
;;     37: 498b4f70               mov rcx, qword ptr [r15 + 0x70]
;;     3b: 498b17                 mov rdx, qword ptr [r15]
;;     3e: 488911                 mov qword ptr [rcx], rdx
;;     41: 4989cf                 mov r15, rcx
;;     44: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;     48: ffd0                   call rax                                  ; wasm@0x30 call 0
;;     4a: 4c8b7df8               mov r15, qword ptr [rbp - 8]
;;     4e: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;     52: 8b0424                 mov eax, dword ptr [rsp]
;;     55: 894510                 mov dword ptr [rbp + 0x10], eax
;;     58: 4889ec                 mov rsp, rbp
;;     5b: 5d                     pop rbp
;;     5c: c3                     ret
;;     5d: 4d8d5f48               lea r11, [r15 + 0x48]
;;     61: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     65: 0f842a000000           je 0x95
;;     6b: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     73: 0faef0                 mfence
;;     76: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     7a: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     7f: 0f8510000000           jne 0x95
;;     85: eba3                   jmp 0x2a
;;     87: be0a000000             mov esi, 0xa
;;     8c: 4c89ff                 mov rdi, r15
;;     8f: ff153b000000           call qword ptr [rip + 0x3b]               ; wasm@0x2b local.get 0
;;     95: be0b000000             mov esi, 0xb
;;     9a: 4c89ff                 mov rdi, r15
;;     9d: ff152d000000           call qword ptr [rip + 0x2d]               ; wasm@0x2b local.get 0
