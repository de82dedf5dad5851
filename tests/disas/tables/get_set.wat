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
;;     10: 0f82b4000000           jb 0xca
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 31c0                   xor eax, eax
;;     21: 488945f0               mov qword ptr [rbp - 0x10], rax
;;     25: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     2a: 0f856d000000           jne 0x9d
;;     30: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     33: 4d8b5f78               mov r11, qword ptr [r15 + 0x78]
;;     37: 493b4308               cmp rax, qword ptr [r11 + 8]
;;     3b: 0f8397000000           jae 0xd8
;;     41: 4d8b1b                 mov r11, qword ptr [r11]
;;     44: 498b04c3               mov rax, qword ptr [r11 + rax*8]
;;     48: 488945f0               mov qword ptr [rbp - 0x10], rax
;;     4c: 8b4518                 mov eax, dword ptr [rbp + 0x18]
;;     4f: 4d8b5f78               mov r11, qword ptr [r15 + 0x78]
;;     53: 493b4308               cmp rax, qword ptr [r11 + 8]
;;     57: 0f8389000000           jae 0xe6
;;     5d: 4d8b1b                 mov r11, qword ptr [r11]
;;     60: 498b04c3               mov rax, qword ptr [r11 + rax*8]
;;     64: 8b4d10                 mov ecx, dword ptr [rbp + 0x10]
;;     67: 4d8b5f78               mov r11, qword ptr [r15 + 0x78]
;;     6b: 493b4b08               cmp rcx, qword ptr [r11 + 8]
;;     6f: 0f837f000000           jae 0xf4
;;     75: 4d8b1b                 mov r11, qword ptr [r11]
;;     78: 498904cb               mov qword ptr [r11 + rcx*8], rax
;;     7c: 488b45f0               mov rax, qword ptr [rbp - 0x10]
;;     80: 8b4d18                 mov ecx, dword ptr [rbp + 0x18]
;;     83: 4d8b5f78               mov r11, qword ptr [r15 + 0x78]
;;     87: 493b4b08               cmp rcx, qword ptr [r11 + 8]
;;     8b: 0f8371000000           jae 0x102
;;     91: 4d8b1b                 mov r11, qword ptr [r11]
;;     94: 498904cb               mov qword ptr [r11 + rcx*8], rax
;;     98: 4889ec                 mov rsp, rbp
;;     9b: 5d                     pop rbp
;;     9c: c3                     ret
;;     9d: 4d8d5f48               lea r11, [r15 + 0x48]
;;     a1: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     a5: 0f8465000000           je 0x110
;;     ab: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     b3: 0faef0                 mfence
;;     b6: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     ba: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     bf: 0f854b000000           jne 0x110
;;     c5: e966ffffff             jmp 0x30
;;     ca: be0a000000             mov esi, 0xa
;;     cf: 4c89ff                 mov rdi, r15
;;     d2: ff1548000000           call qword ptr [rip + 0x48]               ; wasm@0x2b local.get 0
;;     d8: be06000000             mov esi, 6
;;     dd: 4c89ff                 mov rdi, r15
;;     e0: ff153a000000           call qword ptr [rip + 0x3a]               ; wasm@0x2d table.get 0
;;     e6: be06000000             mov esi, 6
;;     eb: 4c89ff                 mov rdi, r15
;;     ee: ff152c000000           call qword ptr [rip + 0x2c]               ; wasm@0x35 table.get 0
;;     f4: be06000000             mov esi, 6
;;     f9: 4c89ff                 mov rdi, r15
;;     fc: ff151e000000           call qword ptr [rip + 0x1e]               ; wasm@0x37 table.set 0
;;    102: be06000000             mov esi, 6
;;    107: 4c89ff                 mov rdi, r15
;;    10a: ff1510000000           call qword ptr [rip + 0x10]               ; wasm@0x3d table.set 0
;;    110: be0b000000             mov esi, 0xb
;;    115: 4c89ff                 mov rdi, r15
;;    118: ff1502000000           call qword ptr [rip + 2]                  ; wasm@0x2b local.get 0
