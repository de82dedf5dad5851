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
;;     10: 0f829b000000           jb 0xb1
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f855a000000           jne 0x84
;;     2a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     2d: 83f803                 cmp eax, 3
;;     30: 0f8342000000           jae 0x78
;;     36: 4c8d1d0b000000         lea r11, [rip + 0xb]
;;     3d: 49630483               movsxd rax, dword ptr [r11 + rax*4]
;;     41: 4c01d8                 add rax, r11
;;     44: ffe0                   jmp rax
;;     46: cc                     int3
;;     47: cc                     int3
;;     48: 0c00                   or al, 0
;;     4a: 0000                   add byte ptr [rax], al
;;     4c: 1800                   sbb byte ptr [rax], al
;;     4e: 0000                   add byte ptr [rax], al
;;     50: 2400                   and al, 0
;;     52: 0000                   add byte ptr [rax], al
;;     54: c745100a000000         mov dword ptr [rbp + 0x10], 0xa
;;     5b: 4889ec                 mov rsp, rbp
;;     5e: 5d                     pop rbp
;;     5f: c3                     ret
;;     60: c745100b000000         mov dword ptr [rbp + 0x10], 0xb
;;     67: 4889ec                 mov rsp, rbp
;;     6a: 5d                     pop rbp
;;     6b: c3                     ret
;;     6c: c745100c000000         mov dword ptr [rbp + 0x10], 0xc
;;     73: 4889ec                 mov rsp, rbp
;;     76: 5d                     pop rbp
;;     77: c3                     ret
;;     78: c745100d000000         mov dword ptr [rbp + 0x10], 0xd
;;     7f: 4889ec                 mov rsp, rbp
;;     82: 5d                     pop rbp
;;     83: c3                     ret
;;     84: 4d8d5f48               lea r11, [r15 + 0x48]
;;     88: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     8c: 0f842d000000           je 0xbf
;;     92: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     9a: 0faef0                 mfence
;;     9d: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     a1: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     a6: 0f8513000000           jne 0xbf
;;     ac: e979ffffff             jmp 0x2a
;;     b1: be0a000000             mov esi, 0xa
;;     b6: 4c89ff                 mov rdi, r15
;;     b9: ff1511000000           call qword ptr [rip + 0x11]               ; wasm@0x20 block -64
;;     bf: be0b000000             mov esi, 0xb
;;     c4: 4c89ff                 mov rdi, r15
;;     c7: ff1503000000           call qword ptr [rip + 3]                  ; wasm@0x20 block -64
