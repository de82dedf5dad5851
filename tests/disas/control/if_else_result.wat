;; if/else with a result: both arms leave the value in the same register.
(module
  (func (export "f") (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.add (local.get 1) (i32.const 1)))
      (else (i32.sub (local.get 1) (i32.const 1))))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32, i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f826c000000           jb 0x82
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f852e000000           jne 0x58
;;     2a: 837d1000               cmp dword ptr [rbp + 0x10], 0
;;     2e: 0f850e000000           jne 0x42
;;     34: 8b4518                 mov eax, dword ptr [rbp + 0x18]
;;     37: 83c001                 add eax, 1
;;     3a: 8945f0                 mov dword ptr [rbp - 0x10], eax
;;     3d: e909000000             jmp 0x4b
;;     42: 8b4518                 mov eax, dword ptr [rbp + 0x18]
;;     45: 83e801                 sub eax, 1
;;     48: 8945f0                 mov dword ptr [rbp - 0x10], eax
;;     4b: 448b5df0               mov r11d, dword ptr [rbp - 0x10]
;;     4f: 44895d10               mov dword ptr [rbp + 0x10], r11d
;;     53: 4889ec                 mov rsp, rbp
;;     56: 5d                     pop rbp
;;     57: c3                     ret
;;     58: 4d8d5f48               lea r11, [r15 + 0x48]
;;     5c: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     60: 0f842a000000           je 0x90
;;     66: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     6e: 0faef0                 mfence
;;     71: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     75: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     7a: 0f8510000000           jne 0x90
;;     80: eba8                   jmp 0x2a
;;     82: be0a000000             mov esi, 0xa
;;     87: 4c89ff                 mov rdi, r15
;;     8a: ff1510000000           call qword ptr [rip + 0x10]               ; wasm@0x21 local.get 0
;;     90: be0b000000             mov esi, 0xb
;;     95: 4c89ff                 mov rdi, r15
;;     98: ff1502000000           call qword ptr [rip + 2]                  ; wasm@0x21 local.get 0
