;; popcnt and lzcnt when the CPU has them (the same on every run of the process).
(module
  (func (export "f") (param i64) (result i64)
    (i64.add (i64.popcnt (local.get 0)) (i64.clz (local.get 0)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i64) -> (i64):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f8230000000           jb 0x46
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8526000000           jne 0x54
;;     2e: f3480fb84510           popcnt rax, qword ptr [rbp + 0x10]
;;     34: f3480fbd4d10           lzcnt rcx, qword ptr [rbp + 0x10]
;;     3a: 4801c8                 add rax, rcx
;;     3d: 48894510               mov qword ptr [rbp + 0x10], rax
;;     41: 4889ec                 mov rsp, rbp
;;     44: 5d                     pop rbp
;;     45: c3                     ret
;;     46: be0a000000             mov esi, 0xa
;;     4b: 4c89ff                 mov rdi, r15
;;     4e: ff151c000000           call qword ptr [rip + 0x1c]               ; wasm@0x20 local.get 0
;;     54: be0b000000             mov esi, 0xb
;;     59: 4c89ff                 mov rdi, r15
;;     5c: ff150e000000           call qword ptr [rip + 0xe]                ; wasm@0x20 local.get 0
