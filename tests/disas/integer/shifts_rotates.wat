;; Variable shifts put the count in cl; constant counts become immediates.
(module
  (func (export "f") (param i32 i32) (result i32)
    (i32.xor (i32.rotl (local.get 0) (local.get 1)) (i32.shr_u (local.get 0) (i32.const 3)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8256000000           jb 0x6c
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f8518000000           jne 0x42
;;     2a: 8b4d18                 mov ecx, dword ptr [rbp + 0x18]
;;     2d: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     30: d3c0                   rol eax, cl
;;     32: 8b4d10                 mov ecx, dword ptr [rbp + 0x10]
;;     35: c1e903                 shr ecx, 3
;;     38: 31c8                   xor eax, ecx
;;     3a: 894510                 mov dword ptr [rbp + 0x10], eax
;;     3d: 4889ec                 mov rsp, rbp
;;     40: 5d                     pop rbp
;;     41: c3                     ret
;;     42: 4d8d5f48               lea r11, [r15 + 0x48]
;;     46: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     4a: 0f842a000000           je 0x7a
;;     50: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     58: 0faef0                 mfence
;;     5b: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     5f: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     64: 0f8510000000           jne 0x7a
;;     6a: ebbe                   jmp 0x2a
;;     6c: be0a000000             mov esi, 0xa
;;     71: 4c89ff                 mov rdi, r15
;;     74: ff1516000000           call qword ptr [rip + 0x16]               ; wasm@0x21 local.get 0
;;     7a: be0b000000             mov esi, 0xb
;;     7f: 4c89ff                 mov rdi, r15
;;     82: ff1508000000           call qword ptr [rip + 8]                  ; wasm@0x21 local.get 0
