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
;;     10: 0f824c000000           jb 0x62
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f850e000000           jne 0x38
;;     2a: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     2d: 83c001                 add eax, 1
;;     30: 894510                 mov dword ptr [rbp + 0x10], eax
;;     33: 4889ec                 mov rsp, rbp
;;     36: 5d                     pop rbp
;;     37: c3                     ret
;;     38: 4d8d5f48               lea r11, [r15 + 0x48]
;;     3c: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     40: 0f842a000000           je 0x70
;;     46: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     4e: 0faef0                 mfence
;;     51: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     55: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     5a: 0f8510000000           jne 0x70
;;     60: ebc8                   jmp 0x2a
;;     62: be0a000000             mov esi, 0xa
;;     67: 4c89ff                 mov rdi, r15
;;     6a: ff1510010000           call qword ptr [rip + 0x110]              ; wasm@0x37 local.get 0
;;     70: be0b000000             mov esi, 0xb
;;     75: 4c89ff                 mov rdi, r15
;;     78: ff1502010000           call qword ptr [rip + 0x102]              ; wasm@0x37 local.get 0
;;
;; func[1] (i32, i32) -> (i32):
;;     80: 55                     push rbp
;;     81: 4889e5                 mov rbp, rsp
;;     84: 4889e0                 mov rax, rsp
;;     87: 482d20000000           sub rax, 0x20
;;     8d: 493b07                 cmp rax, qword ptr [r15]
;;     90: 0f82a4000000           jb 0x13a
;;     96: 4157                   push r15
;;     98: 4881ec18000000         sub rsp, 0x18
;;     9f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     a4: 0f8563000000           jne 0x10d
;;     aa: 448b5d18               mov r11d, dword ptr [rbp + 0x18]
;;     ae: 44891c24               mov dword ptr [rsp], r11d
;;     b2: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     b5: 498b4f78               mov rcx, qword ptr [r15 + 0x78]
;;     b9: 483b4108               cmp rax, qword ptr [rcx + 8]
;;     bd: 0f8385000000           jae 0x148
;;     c3: 488b09                 mov rcx, qword ptr [rcx]
;;     c6: 488b0cc1               mov rcx, qword ptr [rcx + rax*8]
;;     ca: 4885c9                 test rcx, rcx
;;     cd: 0f8483000000           je 0x156
;;     d3: 498b9780000000         mov rdx, qword ptr [r15 + 0x80]
;;     da: 483b5110               cmp rdx, qword ptr [rcx + 0x10]
;;     de: 0f8580000000           jne 0x164
;;     e4: 488b01                 mov rax, qword ptr [rcx]
;;     e7: 488b4908               mov rcx, qword ptr [rcx + 8]
;;     eb: 498b17                 mov rdx, qword ptr [r15]
;;     ee: 488911                 mov qword ptr [rcx], rdx
;;     f1: 4989cf                 mov r15, rcx
;;     f4: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;     f8: ffd0                   call rax                                  ; wasm@0x43 call_indirect 0 0
;;     fa: 4c8b7df8               mov r15, qword ptr [rbp - 8]
;;     fe: 4d8b7710               mov r14, qword ptr [r15 + 0x10]
;;    102: 8b0424                 mov eax, dword ptr [rsp]
;;    105: 894510                 mov dword ptr [rbp + 0x10], eax
;;    108: 4889ec                 mov rsp, rbp
;;    10b: 5d                     pop rbp
;;    10c: c3                     ret
;;    10d: 4d8d5f48               lea r11, [r15 + 0x48]
;;    111: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    115: 0f8457000000           je 0x172
;;    11b: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    123: 0faef0                 mfence
;;    126: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    12a: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    12f: 0f853d000000           jne 0x172
;;    135: e970ffffff             jmp 0xaa
;;    13a: be0a000000             mov esi, 0xa
;;    13f: 4c89ff                 mov rdi, r15
;;    142: ff1538000000           call qword ptr [rip + 0x38]               ; wasm@0x3f local.get 1
;;    148: be08000000             mov esi, 8
;;    14d: 4c89ff                 mov rdi, r15
;;    150: ff152a000000           call qword ptr [rip + 0x2a]               ; wasm@0x43 call_indirect 0 0
;;    156: be09000000             mov esi, 9
;;    15b: 4c89ff                 mov rdi, r15
;;    15e: ff151c000000           call qword ptr [rip + 0x1c]               ; wasm@0x43 call_indirect 0 0
;;    164: be07000000             mov esi, 7
;;    169: 4c89ff                 mov rdi, r15
;;    16c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x43 call_indirect 0 0
;;    172: be0b000000             mov esi, 0xb
;;    177: 4c89ff                 mov rdi, r15
;;    17a: ff1500000000           call qword ptr [rip]                      ; wasm@0x3f local.get 1
