;; Hot locals live in callee-saved registers; the loop reads and writes them without stack traffic.
(module
  (func (export "sum") (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 2)))
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 2) (local.get 0))))
    (local.get 1)))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d30000000           sub rax, 0x30
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f82a8000000           jb 0xbe
;;     16: 4157                   push r15
;;     18: 4881ec28000000         sub rsp, 0x28
;;     1f: 48895de0               mov qword ptr [rbp - 0x20], rbx
;;     23: 4c8965d8               mov qword ptr [rbp - 0x28], r12
;;     27: 4c896dd0               mov qword ptr [rbp - 0x30], r13
;;     2b: 31db                   xor ebx, ebx
;;     2d: 4531e4                 xor r12d, r12d
;;     30: 448b6d10               mov r13d, dword ptr [rbp + 0x10]
;;     34: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     39: 0f852b000000           jne 0x6a
;;     3f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     44: 0f854a000000           jne 0x94
;;     4a: 4101dc                 add r12d, ebx
;;     4d: 83c301                 add ebx, 1
;;     50: 4439eb                 cmp ebx, r13d
;;     53: 72ea                   jb 0x3f
;;     55: 44896510               mov dword ptr [rbp + 0x10], r12d
;;     59: 488b5de0               mov rbx, qword ptr [rbp - 0x20]
;;     5d: 4c8b65d8               mov r12, qword ptr [rbp - 0x28]
;;     61: 4c8b6dd0               mov r13, qword ptr [rbp - 0x30]
;;     65: 4889ec                 mov rsp, rbp
;;     68: 5d                     pop rbp
;;     69: c3                     ret
;;     6a: 4d8d5f48               lea r11, [r15 + 0x48]
;;     6e: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     72: 0f8454000000           je 0xcc
;;     78: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     80: 0faef0                 mfence
;;     83: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     87: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     8c: 0f853a000000           jne 0xcc
;;     92: ebab                   jmp 0x3f
;;     94: 4d8d5f48               lea r11, [r15 + 0x48]
;;     98: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     9c: 0f8438000000           je 0xda
;;     a2: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     aa: 0faef0                 mfence
;;     ad: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     b1: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     b6: 0f851e000000           jne 0xda
;;     bc: eb8c                   jmp 0x4a
;;     be: be0a000000             mov esi, 0xa
;;     c3: 4c89ff                 mov rdi, r15
;;     c6: ff1524000000           call qword ptr [rip + 0x24]               ; wasm@0x24 loop -64
;;     cc: be0b000000             mov esi, 0xb
;;     d1: 4c89ff                 mov rdi, r15
;;     d4: ff1516000000           call qword ptr [rip + 0x16]               ; wasm@0x24 loop -64
;;     da: be0b000000             mov esi, 0xb
;;     df: 4c89ff                 mov rdi, r15
;;     e2: ff1508000000           call qword ptr [rip + 8]                  ; wasm@0x24 loop -64
