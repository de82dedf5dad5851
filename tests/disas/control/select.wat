;; select on a comparison uses cmov, without materialising the condition.
(module
  (func (export "max") (param i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.gt_s (local.get 0) (local.get 1)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f822d000000           jb 0x43
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8523000000           jne 0x51
;;     2e: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     31: 3b4518                 cmp eax, dword ptr [rbp + 0x18]
;;     34: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     37: 0f4e4518               cmovle eax, dword ptr [rbp + 0x18]
;;     3b: 894510                 mov dword ptr [rbp + 0x10], eax
;;     3e: 4889ec                 mov rsp, rbp
;;     41: 5d                     pop rbp
;;     42: c3                     ret
;;     43: be0a000000             mov esi, 0xa
;;     48: 4c89ff                 mov rdi, r15
;;     4b: ff150f000000           call qword ptr [rip + 0xf]                ; wasm@0x23 local.get 0
;;     51: be0b000000             mov esi, 0xb
;;     56: 4c89ff                 mov rdi, r15
;;     59: ff1501000000           call qword ptr [rip + 1]                  ; wasm@0x23 local.get 0
