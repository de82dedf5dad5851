;; table.get/table.set bounds-check against the table's current length.
(module
  (table $t 4 externref)
  (func (export "swap") (param i32 i32)
    (local $tmp externref)
    (local.set $tmp (table.get $t (local.get 0)))
    (table.set $t (local.get 0) (table.get $t (local.get 1)))
    (table.set $t (local.get 1) (local.get $tmp))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> ():
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f828b000000           jb 0xa1
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 31c0                   xor eax, eax
;;     21: 488945f0               mov qword ptr [rbp - 0x10], rax
;;     25: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     29: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     2e: 0f857b000000           jne 0xaf
;;     34: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     37: 4d8b5f60               mov r11, qword ptr [r15 + 0x60]
;;     3b: 493b4308               cmp rax, qword ptr [r11 + 8]
;;     3f: 0f8378000000           jae 0xbd
;;     45: 4d8b1b                 mov r11, qword ptr [r11]
;;     48: 498b04c3               mov rax, qword ptr [r11 + rax*8]
;;     4c: 488945f0               mov qword ptr [rbp - 0x10], rax
;;     50: 8b4518                 mov eax, dword ptr [rbp + 0x18]
;;     53: 4d8b5f60               mov r11, qword ptr [r15 + 0x60]
;;     57: 493b4308               cmp rax, qword ptr [r11 + 8]
;;     5b: 0f836a000000           jae 0xcb
;;     61: 4d8b1b                 mov r11, qword ptr [r11]
;;     64: 498b04c3               mov rax, qword ptr [r11 + rax*8]
;;     68: 8b4d10                 mov ecx, dword ptr [rbp + 0x10]
;;     6b: 4d8b5f60               mov r11, qword ptr [r15 + 0x60]
;;     6f: 493b4b08               cmp rcx, qword ptr [r11 + 8]
;;     73: 0f8360000000           jae 0xd9
;;     79: 4d8b1b                 mov r11, qword ptr [r11]
;;     7c: 498904cb               mov qword ptr [r11 + rcx*8], rax
;;     80: 488b45f0               mov rax, qword ptr [rbp - 0x10]
;;     84: 8b4d18                 mov ecx, dword ptr [rbp + 0x18]
;;     87: 4d8b5f60               mov r11, qword ptr [r15 + 0x60]
;;     8b: 493b4b08               cmp rcx, qword ptr [r11 + 8]
;;     8f: 0f8352000000           jae 0xe7
;;     95: 4d8b1b                 mov r11, qword ptr [r11]
;;     98: 498904cb               mov qword ptr [r11 + rcx*8], rax
;;     9c: 4889ec                 mov rsp, rbp
;;     9f: 5d                     pop rbp
;;     a0: c3                     ret
;;     a1: be0a000000             mov esi, 0xa
;;     a6: 4c89ff                 mov rdi, r15
;;     a9: ff1551000000           call qword ptr [rip + 0x51]               ; wasm@0x2b local.get 0
;;     af: be0b000000             mov esi, 0xb
;;     b4: 4c89ff                 mov rdi, r15
;;     b7: ff1543000000           call qword ptr [rip + 0x43]               ; wasm@0x2b local.get 0
;;     bd: be06000000             mov esi, 6
;;     c2: 4c89ff                 mov rdi, r15
;;     c5: ff1535000000           call qword ptr [rip + 0x35]               ; wasm@0x2d table.get 0
;;     cb: be06000000             mov esi, 6
;;     d0: 4c89ff                 mov rdi, r15
;;     d3: ff1527000000           call qword ptr [rip + 0x27]               ; wasm@0x35 table.get 0
;;     d9: be06000000             mov esi, 6
;;     de: 4c89ff                 mov rdi, r15
;;     e1: ff1519000000           call qword ptr [rip + 0x19]               ; wasm@0x37 table.set 0
;;     e7: be06000000             mov esi, 6
;;     ec: 4c89ff                 mov rdi, r15
;;     ef: ff150b000000           call qword ptr [rip + 0xb]                ; wasm@0x3d table.set 0
