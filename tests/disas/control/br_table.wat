;; br_table jumps through a table of rel32 entries after a bounds clamp to the default label.
(module
  (func (export "f") (param i32) (result i32)
    (block $d (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $d (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 11)))
      (return (i32.const 12)))
    (i32.const 13)))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8272000000           jb 0x88
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8568000000           jne 0x96
;;     2e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     31: 83f803                 cmp eax, 3
;;     34: 0f8342000000           jae 0x7c
;;     3a: 4c8d1d0b000000         lea r11, [rip + 0xb]
;;     41: 49630483               movsxd rax, dword ptr [r11 + rax*4]
;;     45: 4c01d8                 add rax, r11
;;     48: ffe0                   jmp rax
;;     4a: cc                     int3
;;     4b: cc                     int3
;;     4c: 0c00                   or al, 0
;;     4e: 0000                   add byte ptr [rax], al
;;     50: 1800                   sbb byte ptr [rax], al
;;     52: 0000                   add byte ptr [rax], al
;;     54: 2400                   and al, 0
;;     56: 0000                   add byte ptr [rax], al
;;     58: c745100a000000         mov dword ptr [rbp + 0x10], 0xa
;;     5f: 4889ec                 mov rsp, rbp
;;     62: 5d                     pop rbp
;;     63: c3                     ret
;;     64: c745100b000000         mov dword ptr [rbp + 0x10], 0xb
;;     6b: 4889ec                 mov rsp, rbp
;;     6e: 5d                     pop rbp
;;     6f: c3                     ret
;;     70: c745100c000000         mov dword ptr [rbp + 0x10], 0xc
;;     77: 4889ec                 mov rsp, rbp
;;     7a: 5d                     pop rbp
;;     7b: c3                     ret
;;     7c: c745100d000000         mov dword ptr [rbp + 0x10], 0xd
;;     83: 4889ec                 mov rsp, rbp
;;     86: 5d                     pop rbp
;;     87: c3                     ret
;;     88: be0a000000             mov esi, 0xa
;;     8d: 4c89ff                 mov rdi, r15
;;     90: ff151a000000           call qword ptr [rip + 0x1a]               ; wasm@0x20 block -64
;;     96: be0b000000             mov esi, 0xb
;;     9b: 4c89ff                 mov rdi, r15
;;     9e: ff150c000000           call qword ptr [rip + 0xc]                ; wasm@0x20 block -64
