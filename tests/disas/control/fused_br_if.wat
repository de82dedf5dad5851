;; A comparison feeding br_if compiles to cmp + jcc (no setcc).
(module
  (func (export "count") (param i32) (result i32) (local i32)
    (block $out
      (loop $top
        (br_if $out (i32.ge_u (local.get 1) (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br $top)))
    (local.get 1)))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d20000000           sub rax, 0x20
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f829f000000           jb 0xb5
;;     16: 4157                   push r15
;;     18: 4881ec18000000         sub rsp, 0x18
;;     1f: 48895de8               mov qword ptr [rbp - 0x18], rbx
;;     23: 4c8965e0               mov qword ptr [rbp - 0x20], r12
;;     27: 31db                   xor ebx, ebx
;;     29: 448b6510               mov r12d, dword ptr [rbp + 0x10]
;;     2d: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     32: 0f8529000000           jne 0x61
;;     38: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     3d: 0f8548000000           jne 0x8b
;;     43: 4439e3                 cmp ebx, r12d
;;     46: 0f8305000000           jae 0x51
;;     4c: 83c301                 add ebx, 1
;;     4f: ebe7                   jmp 0x38
;;     51: 895d10                 mov dword ptr [rbp + 0x10], ebx
;;     54: 488b5de8               mov rbx, qword ptr [rbp - 0x18]
;;     58: 4c8b65e0               mov r12, qword ptr [rbp - 0x20]
;;     5c: 4889ec                 mov rsp, rbp
;;     5f: 5d                     pop rbp
;;     60: c3                     ret
;;     61: 4d8d5f48               lea r11, [r15 + 0x48]
;;     65: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     69: 0f8454000000           je 0xc3
;;     6f: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     77: 0faef0                 mfence
;;     7a: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     7e: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     83: 0f853a000000           jne 0xc3
;;     89: ebad                   jmp 0x38
;;     8b: 4d8d5f48               lea r11, [r15 + 0x48]
;;     8f: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     93: 0f8438000000           je 0xd1
;;     99: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     a1: 0faef0                 mfence
;;     a4: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     a8: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     ad: 0f851e000000           jne 0xd1
;;     b3: eb8e                   jmp 0x43
;;     b5: be0a000000             mov esi, 0xa
;;     ba: 4c89ff                 mov rdi, r15
;;     bd: ff151d000000           call qword ptr [rip + 0x1d]               ; wasm@0x26 block -64
;;     c3: be0b000000             mov esi, 0xb
;;     c8: 4c89ff                 mov rdi, r15
;;     cb: ff150f000000           call qword ptr [rip + 0xf]                ; wasm@0x26 block -64
;;     d1: be0b000000             mov esi, 0xb
;;     d6: 4c89ff                 mov rdi, r15
;;     d9: ff1501000000           call qword ptr [rip + 1]                  ; wasm@0x28 loop -64
