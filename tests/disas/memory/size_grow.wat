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
;;     10: 0f8237000000           jb 0x4d
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f852d000000           jne 0x5b
;;     2e: 8b7510                 mov esi, dword ptr [rbp + 0x10]
;;     31: 4c89ff                 mov rdi, r15
;;     34: ff1536000000           call qword ptr [rip + 0x36]               ; wasm@0x28 memory.grow 0
;;     3a: 89c0                   mov eax, eax
;;     3c: 498b4f18               mov rcx, qword ptr [r15 + 0x18]
;;     40: 8b4910                 mov ecx, dword ptr [rcx + 0x10]
;;     43: 01c8                   add eax, ecx
;;     45: 894510                 mov dword ptr [rbp + 0x10], eax
;;     48: 4889ec                 mov rsp, rbp
;;     4b: 5d                     pop rbp
;;     4c: c3                     ret
;;     4d: be0a000000             mov esi, 0xa
;;     52: 4c89ff                 mov rdi, r15
;;     55: ff151d000000           call qword ptr [rip + 0x1d]               ; wasm@0x26 local.get 0
;;     5b: be0b000000             mov esi, 0xb
;;     60: 4c89ff                 mov rdi, r15
;;     63: ff150f000000           call qword ptr [rip + 0xf]                ; wasm@0x26 local.get 0
