;; memory.size reads the vmctx; memory.grow calls the runtime helper.
(module
  (memory 1 10)
  (func (export "f") (param i32) (result i32)
    (i32.add (memory.grow (local.get 0)) (memory.size))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f825d000000           jb 0x73
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f851f000000           jne 0x49
;;     2a: 8b7510                 mov esi, dword ptr [rbp + 0x10]
;;     2d: 4c89ff                 mov rdi, r15
;;     30: ff155a000000           call qword ptr [rip + 0x5a]               ; wasm@0x28 memory.grow 0
;;     36: 89c0                   mov eax, eax
;;     38: 498b4f18               mov rcx, qword ptr [r15 + 0x18]
;;     3c: 8b4910                 mov ecx, dword ptr [rcx + 0x10]
;;     3f: 01c8                   add eax, ecx
;;     41: 894510                 mov dword ptr [rbp + 0x10], eax
;;     44: 4889ec                 mov rsp, rbp
;;     47: 5d                     pop rbp
;;     48: c3                     ret
;;     49: 4d8d5f48               lea r11, [r15 + 0x48]
;;     4d: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     51: 0f842a000000           je 0x81
;;     57: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     5f: 0faef0                 mfence
;;     62: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     66: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     6b: 0f8510000000           jne 0x81
;;     71: ebb7                   jmp 0x2a
;;     73: be0a000000             mov esi, 0xa
;;     78: 4c89ff                 mov rdi, r15
;;     7b: ff1517000000           call qword ptr [rip + 0x17]               ; wasm@0x26 local.get 0
;;     81: be0b000000             mov esi, 0xb
;;     86: 4c89ff                 mov rdi, r15
;;     89: ff1509000000           call qword ptr [rip + 9]                  ; wasm@0x26 local.get 0
