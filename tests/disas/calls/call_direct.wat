;; Direct calls pass arguments in the caller's outgoing area at [rsp].
(module
  (func $sq (param i64) (result i64) (i64.mul (local.get 0) (local.get 0)))
  (func (export "f") (param i64) (result i64) (i64.add (call $sq (local.get 0)) (i64.const 1))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] <sq> (i64) -> (i64):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f822a000000           jb 0x40
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     23: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     28: 0f8520000000           jne 0x4e
;;     2e: 488b4510               mov rax, qword ptr [rbp + 0x10]
;;     32: 480faf4510             imul rax, qword ptr [rbp + 0x10]
;;     37: 48894510               mov qword ptr [rbp + 0x10], rax
;;     3b: 4889ec                 mov rsp, rbp
;;     3e: 5d                     pop rbp
;;     3f: c3                     ret
;;     40: be0a000000             mov esi, 0xa
;;     45: 4c89ff                 mov rdi, r15
;;     48: ff1582000000           call qword ptr [rip + 0x82]               ; wasm@0x21 local.get 0
;;     4e: be0b000000             mov esi, 0xb
;;     53: 4c89ff                 mov rdi, r15
;;     56: ff1574000000           call qword ptr [rip + 0x74]               ; wasm@0x21 local.get 0
;;
;; func[1] (i64) -> (i64):
;;     60: 55                     push rbp
;;     61: 4889e5                 mov rbp, rsp
;;     64: 4889e0                 mov rax, rsp
;;     67: 482d20000000           sub rax, 0x20
;;     6d: 493b07                 cmp rax, qword ptr [r15]
;;     70: 0f8236000000           jb 0xac
;;     76: 4157                   push r15
;;     78: 4881ec18000000         sub rsp, 0x18
;;     7f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     83: 41837b0800             cmp dword ptr [r11 + 8], 0
;;     88: 0f852c000000           jne 0xba
;;     8e: 4c8b5d10               mov r11, qword ptr [rbp + 0x10]
;;     92: 4c891c24               mov qword ptr [rsp], r11
;;     96: e865ffffff             call 0                                    ; wasm@0x2b call 0
;;     9b: 488b0424               mov rax, qword ptr [rsp]
;;     9f: 4883c001               add rax, 1
;;     a3: 48894510               mov qword ptr [rbp + 0x10], rax
;;     a7: 4889ec                 mov rsp, rbp
;;     aa: 5d                     pop rbp
;;     ab: c3                     ret
;;     ac: be0a000000             mov esi, 0xa
;;     b1: 4c89ff                 mov rdi, r15
;;     b4: ff1516000000           call qword ptr [rip + 0x16]               ; wasm@0x29 local.get 0
;;     ba: be0b000000             mov esi, 0xb
;;     bf: 4c89ff                 mov rdi, r15
;;     c2: ff1508000000           call qword ptr [rip + 8]                  ; wasm@0x29 local.get 0
