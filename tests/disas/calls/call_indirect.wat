;; call_indirect bounds-checks the index, checks the signature id and calls with the callee's vmctx.
(module
  (type $t (func (param i32) (result i32)))
  (table 2 funcref)
  (func $a (type $t) (i32.add (local.get 0) (i32.const 1)))
  (elem (i32.const 0) $a $a)
  (func (export "f") (param i32 i32) (result i32)
    (call_indirect (type $t) (local.get 1) (local.get 0))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] <a> (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8226000000           jb 0x3c
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f851c000000           jne 0x4a
;;     2e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     31: 83c001                 add eax, 1
;;     34: 894510                 mov dword ptr [rbp + 0x10], eax
;;     37: 4889ec                 mov rsp, rbp
;;     3a: 5d                     pop rbp
;;     3b: c3                     ret
;;     3c: be0a000000             mov esi, 0xa
;;     41: 4c89ff                 mov rdi, r15
;;     44: ff15f6000000           call qword ptr [rip + 0xf6]               ; wasm@0x37 local.get 0
;;     4a: be0b000000             mov esi, 0xb
;;     4f: 4c89ff                 mov rdi, r15
;;     52: ff15e8000000           call qword ptr [rip + 0xe8]               ; wasm@0x37 local.get 0
;;
;; func[1] (i32, i32) -> (i32):
;;     60: 55                     push rbp
;;     61: 4889e5                 mov rbp, rsp
;;     64: 4889e0                 mov rax, rsp
;;     67: 482d20000000           sub rax, 0x20
;;     6d: 493b07                 cmp rax, qword ptr [r15]
;;     70: 0f8278000000           jb 0xee
;;     76: 4157                   push r15
;;     78: 4881ec18000000         sub rsp, 0x18
;;     7f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     83: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     88: 0f856e000000           jne 0xfc
;;     8e: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;     92: 44891c24               mov dword ptr [rsp], r11d
;;     96: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     99: 498b4f60               mov rcx, qword ptr [r15 + 0x60]
;;     9d: 483b4108               cmp rax, qword ptr [rcx + 8]
;;     a1: 0f8363000000           jae 0x10a
;;     a7: 488b09                 mov rcx, qword ptr [rcx]
;;     aa: 488b0cc1               mov rcx, qword ptr [rcx + rax*8]
;;     ae: 4885c9                 test rcx, rcx
;;     b1: 0f8461000000           je 0x118
;;     b7: 498b5768               mov rdx, qword ptr [r15 + 0x68]
;;     bb: 483b5110               cmp rdx, qword ptr [rcx + 0x10]
;;     bf: 0f8561000000           jne 0x126
;;     c5: 488b01                 mov rax, qword ptr [rcx]
;;     c8: 488b4908               mov rcx, qword ptr [rcx + 8]
;;     cc: 498b17                 mov rdx, qword ptr [r15]
;;     cf: 488911                 mov qword ptr [rcx], rdx
;;     d2: 4989cf                 mov r15, rcx
;;     d5: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;     d9: ffd0                   call rax                                  ; wasm@0x43 call_indirect 0 0
;;     db: 4c8b7df8               mov r15, qword ptr [rbp - 8]
;;     df: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;     e3: 8b0424                 mov eax, dword ptr [rsp]
;;     e6: 894510                 mov dword ptr [rbp + 0x10], eax
;;     e9: 4889ec                 mov rsp, rbp
;;     ec: 5d                     pop rbp
;;     ed: c3                     ret
;;     ee: be0a000000             mov esi, 0xa
;;     f3: 4c89ff                 mov rdi, r15
;;     f6: ff1544000000           call qword ptr [rip + 0x44]               ; wasm@0x3f local.get 1
;;     fc: be0b000000             mov esi, 0xb
;;    101: 4c89ff                 mov rdi, r15
;;    104: ff1536000000           call qword ptr [rip + 0x36]               ; wasm@0x3f local.get 1
;;    10a: be08000000             mov esi, 8
;;    10f: 4c89ff                 mov rdi, r15
;;    112: ff1528000000           call qword ptr [rip + 0x28]               ; wasm@0x43 call_indirect 0 0
;;    118: be09000000             mov esi, 9
;;    11d: 4c89ff                 mov rdi, r15
;;    120: ff151a000000           call qword ptr [rip + 0x1a]               ; wasm@0x43 call_indirect 0 0
;;    126: be07000000             mov esi, 7
;;    12b: 4c89ff                 mov rdi, r15
;;    12e: ff150c000000           call qword ptr [rip + 0xc]                ; wasm@0x43 call_indirect 0 0
