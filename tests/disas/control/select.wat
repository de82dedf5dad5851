;; select on a comparison uses cmov, without materialising the condition.
(module
  (func (export "max") (param i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.gt_s (local.get 0) (local.get 1)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8253000000           jb 0x69
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8515000000           jne 0x3f
;;     2a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     2d: 3b4518                 cmp eax, dword ptr [rbp + 0x18]
;;     30: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     33: 0f4e4518               cmovle eax, dword ptr [rbp + 0x18]
;;     37: 894510                 mov dword ptr [rbp + 0x10], eax
;;     3a: 4889ec                 mov rsp, rbp
;;     3d: 5d                     pop rbp
;;     3e: c3                     ret
;;     3f: 4d8d5f48               lea r11, [r15 + 0x48]
;;     43: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     47: 0f842a000000           je 0x77
;;     4d: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     55: 0faef0                 mfence
;;     58: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     5c: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     61: 0f8510000000           jne 0x77
;;     67: ebc1                   jmp 0x2a
;;     69: be0a000000             mov esi, 0xa
;;     6e: 4c89ff                 mov rdi, r15
;;     71: ff1519000000           call qword ptr [rip + 0x19]               ; wasm@0x23 local.get 0
;;     77: be0b000000             mov esi, 0xb
;;     7c: 4c89ff                 mov rdi, r15
;;     7f: ff150b000000           call qword ptr [rip + 0xb]                ; wasm@0x23 local.get 0
