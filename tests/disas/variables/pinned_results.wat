;; Results computed straight into the register of the pinned local the next local.set/tee stores:
;; shifts by a constant or by cl, bit counts, and comparison results (setcc into the local's
;; register) leave no `mov pinned, rax` behind.
(module
  (func (export "mix") (param i32 i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 2 (i32.shl (local.get 0) (i32.const 3)))
      (local.set 3 (i32.rotl (local.get 2) (local.get 1)))
      (local.set 2 (i32.popcnt (local.get 3)))
      (local.set 3 (i32.lt_u (local.get 2) (local.get 3)))
      (local.set 0 (i32.add (local.get 0) (local.get 3)))
      (br_if $l (i32.lt_u (local.get 0) (local.get 1))))
    (i32.add (local.get 2) (local.get 3))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d30000000           sub rax, 0x30
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f82cc000000           jb 0xe2
;;     16: 4157                   push r15
;;     18: 4881ec28000000         sub rsp, 0x28
;;     1f: 48895de0               mov qword ptr [rbp - 0x20], rbx
;;     23: 4c8965d8               mov qword ptr [rbp - 0x28], r12
;;     27: 4c896dd0               mov qword ptr [rbp - 0x30], r13
;;     2b: 31db                   xor ebx, ebx
;;     2d: 4531e4                 xor r12d, r12d
;;     30: 448b6d10               mov r13d, dword ptr [rbp + 0x10]
;;     34: 448b4518               mov r8d, dword ptr [rbp + 0x18]
;;     38: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     3d: 0f8548000000           jne 0x8b
;;     43: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     48: 0f8567000000           jne 0xb5
;;     4e: 4d89ec                 mov r12, r13
;;     51: 41c1e403               shl r12d, 3
;;     55: 4c89c1                 mov rcx, r8
;;     58: 4c89e3                 mov rbx, r12
;;     5b: d3c3                   rol ebx, cl
;;     5d: f3440fb8e3             popcnt r12d, ebx
;;     62: 4139dc                 cmp r12d, ebx
;;     65: 0f92c3                 setb bl
;;     68: 0fb6db                 movzx ebx, bl
;;     6b: 4101dd                 add r13d, ebx
;;     6e: 4539c5                 cmp r13d, r8d
;;     71: 72d0                   jb 0x43
;;     73: 418d041c               lea eax, [r12 + rbx]
;;     77: 894510                 mov dword ptr [rbp + 0x10], eax
;;     7a: 488b5de0               mov rbx, qword ptr [rbp - 0x20]
;;     7e: 4c8b65d8               mov r12, qword ptr [rbp - 0x28]
;;     82: 4c8b6dd0               mov r13, qword ptr [rbp - 0x30]
;;     86: 4889ec                 mov rsp, rbp
;;     89: 5d                     pop rbp
;;     8a: c3                     ret
;;     8b: 4d8d5f48               lea r11, [r15 + 0x48]
;;     8f: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     93: 0f8457000000           je 0xf0
;;     99: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     a1: 0faef0                 mfence
;;     a4: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     a8: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     ad: 0f853d000000           jne 0xf0
;;     b3: eb8e                   jmp 0x43
;;     b5: 4d8d5f48               lea r11, [r15 + 0x48]
;;     b9: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     bd: 0f843b000000           je 0xfe
;;     c3: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     cb: 0faef0                 mfence
;;     ce: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     d2: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     d7: 0f8521000000           jne 0xfe
;;     dd: e96cffffff             jmp 0x4e
;;     e2: be0a000000             mov esi, 0xa
;;     e7: 4c89ff                 mov rdi, r15
;;     ea: ff1520000000           call qword ptr [rip + 0x20]               ; wasm@0x25 loop -64
;;     f0: be0b000000             mov esi, 0xb
;;     f5: 4c89ff                 mov rdi, r15
;;     f8: ff1512000000           call qword ptr [rip + 0x12]               ; wasm@0x25 loop -64
;;     fe: be0b000000             mov esi, 0xb
;;    103: 4c89ff                 mov rdi, r15
;;    106: ff1504000000           call qword ptr [rip + 4]                  ; wasm@0x25 loop -64
