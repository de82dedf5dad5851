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
;;     10: 0f8253000000           jb 0x69
;;     16: 4157                   push r15
;;     18: 4881ec18000000         sub rsp, 0x18
;;     1f: 48895de8               mov qword ptr [rbp - 0x18], rbx
;;     23: 4c8965e0               mov qword ptr [rbp - 0x20], r12
;;     27: 31db                   xor ebx, ebx
;;     29: 448b6510               mov r12d, dword ptr [rbp + 0x10]
;;     2d: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     31: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     36: 0f853b000000           jne 0x77
;;     3c: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     40: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     45: 0f853a000000           jne 0x85
;;     4b: 4439e3                 cmp ebx, r12d
;;     4e: 0f8305000000           jae 0x59
;;     54: 83c301                 add ebx, 1
;;     57: ebe3                   jmp 0x3c
;;     59: 895d10                 mov dword ptr [rbp + 0x10], ebx
;;     5c: 488b5de8               mov rbx, qword ptr [rbp - 0x18]
;;     60: 4c8b65e0               mov r12, qword ptr [rbp - 0x20]
;;     64: 4889ec                 mov rsp, rbp
;;     67: 5d                     pop rbp
;;     68: c3                     ret
;;     69: be0a000000             mov esi, 0xa
;;     6e: 4c89ff                 mov rdi, r15
;;     71: ff1529000000           call qword ptr [rip + 0x29]               ; wasm@0x26 block -64
;;     77: be0b000000             mov esi, 0xb
;;     7c: 4c89ff                 mov rdi, r15
;;     7f: ff151b000000           call qword ptr [rip + 0x1b]               ; wasm@0x26 block -64
;;     85: be0b000000             mov esi, 0xb
;;     8a: 4c89ff                 mov rdi, r15
;;     8d: ff150d000000           call qword ptr [rip + 0xd]                ; wasm@0x28 loop -64
