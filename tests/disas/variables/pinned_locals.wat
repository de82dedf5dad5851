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
;;     10: 0f825c000000           jb 0x72
;;     16: 4157                   push r15
;;     18: 4881ec28000000         sub rsp, 0x28
;;     1f: 48895de0               mov qword ptr [rbp - 0x20], rbx
;;     23: 4c8965d8               mov qword ptr [rbp - 0x28], r12
;;     27: 4c896dd0               mov qword ptr [rbp - 0x30], r13
;;     2b: 31db                   xor ebx, ebx
;;     2d: 4531e4                 xor r12d, r12d
;;     30: 448b6d10               mov r13d, dword ptr [rbp + 0x10]
;;     34: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     38: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     3d: 0f853d000000           jne 0x80
;;     43: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     47: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     4c: 0f853c000000           jne 0x8e
;;     52: 4101dc                 add r12d, ebx
;;     55: 83c301                 add ebx, 1
;;     58: 4439eb                 cmp ebx, r13d
;;     5b: 72e6                   jb 0x43
;;     5d: 44896510               mov dword ptr [rbp + 0x10], r12d
;;     61: 488b5de0               mov rbx, qword ptr [rbp - 0x20]
;;     65: 4c8b65d8               mov r12, qword ptr [rbp - 0x28]
;;     69: 4c8b6dd0               mov r13, qword ptr [rbp - 0x30]
;;     6d: 4889ec                 mov rsp, rbp
;;     70: 5d                     pop rbp
;;     71: c3                     ret
;;     72: be0a000000             mov esi, 0xa
;;     77: 4c89ff                 mov rdi, r15
;;     7a: ff1520000000           call qword ptr [rip + 0x20]               ; wasm@0x24 loop -64
;;     80: be0b000000             mov esi, 0xb
;;     85: 4c89ff                 mov rdi, r15
;;     88: ff1512000000           call qword ptr [rip + 0x12]               ; wasm@0x24 loop -64
;;     8e: be0b000000             mov esi, 0xb
;;     93: 4c89ff                 mov rdi, r15
;;     96: ff1504000000           call qword ptr [rip + 4]                  ; wasm@0x24 loop -64
