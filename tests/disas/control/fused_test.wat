;; i32.and / i64.and read only by br_if, if, select or eqz: one test (register, immediate or memory operand), the result in the flags.
(module
  (memory 1)
  (func (export "odd") (param $x i32) (result i32)
    (if (result i32) (i32.and (local.get $x) (i32.const 1)) (then (i32.const 10)) (else (i32.const 20))))
  (func (export "both") (param $x i32) (param $y i32) (result i32)
    (block $out
      (br_if $out (i32.eqz (i32.and (local.get $x) (local.get $y))))
      (return (i32.const 1)))
    (i32.const 0))
  (func (export "high") (param $x i64) (result i32)
    (i64.eqz (i64.and (local.get $x) (i64.const 0x100000000))))
  (func (export "pick") (param $x i32) (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.and (i32.load (i32.const 16)) (local.get $x)))))

;; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----
;; func[0] (i32) -> (i32):
;;      0: 55                     push rbp
;;      1: 4889e5                 mov rbp, rsp
;;      4: 4889e0                 mov rax, rsp
;;      7: 482d10000000           sub rax, 0x10
;;      d: 493b07                 cmp rax, qword ptr [r15]
;;     10: 0f826b000000           jb 0x81
;;     16: 4157                   push r15
;;     18: 4881ec08000000         sub rsp, 8
;;     1f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     24: 0f852d000000           jne 0x57
;;     2a: f7451001000000         test dword ptr [rbp + 0x10], 1
;;     31: 0f840c000000           je 0x43
;;     37: c745f00a000000         mov dword ptr [rbp - 0x10], 0xa
;;     3e: e907000000             jmp 0x4a
;;     43: c745f014000000         mov dword ptr [rbp - 0x10], 0x14
;;     4a: 448b5df0               mov r11d, dword ptr [rbp - 0x10]
;;     4e: 44895d10               mov dword ptr [rbp + 0x10], r11d
;;     52: 4889ec                 mov rsp, rbp
;;     55: 5d                     pop rbp
;;     56: c3                     ret
;;     57: 4d8d5f48               lea r11, [r15 + 0x48]
;;     5b: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     5f: 0f842a000000           je 0x8f
;;     65: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;     6d: 0faef0                 mfence
;;     70: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;     74: 49837b0800             cmp qword ptr [r11 + 8], 0
;;     79: 0f8510000000           jne 0x8f
;;     7f: eba9                   jmp 0x2a
;;     81: be0a000000             mov esi, 0xa
;;     86: 4c89ff                 mov rdi, r15
;;     89: ff15d1010000           call qword ptr [rip + 0x1d1]              ; wasm@0x51 local.get 0
;;     8f: be0b000000             mov esi, 0xb
;;     94: 4c89ff                 mov rdi, r15
;;     97: ff15c3010000           call qword ptr [rip + 0x1c3]              ; wasm@0x51 local.get 0
;;
;; func[1] (i32, i32) -> (i32):
;;     a0: 55                     push rbp
;;     a1: 4889e5                 mov rbp, rsp
;;     a4: 4889e0                 mov rax, rsp
;;     a7: 482d10000000           sub rax, 0x10
;;     ad: 493b07                 cmp rax, qword ptr [r15]
;;     b0: 0f8262000000           jb 0x118
;;     b6: 4157                   push r15
;;     b8: 4881ec08000000         sub rsp, 8
;;     bf: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;     c4: 0f8524000000           jne 0xee
;;     ca: 8b4510                 mov eax, dword ptr [rbp + 0x10]
;;     cd: 854518                 test dword ptr [rbp + 0x18], eax
;;     d0: 0f840c000000           je 0xe2
;;     d6: c7451001000000         mov dword ptr [rbp + 0x10], 1
;;     dd: 4889ec                 mov rsp, rbp
;;     e0: 5d                     pop rbp
;;     e1: c3                     ret
;;     e2: c7451000000000         mov dword ptr [rbp + 0x10], 0
;;     e9: 4889ec                 mov rsp, rbp
;;     ec: 5d                     pop rbp
;;     ed: c3                     ret
;;     ee: 4d8d5f48               lea r11, [r15 + 0x48]
;;     f2: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;     f6: 0f842a000000           je 0x126
;;     fc: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    104: 0faef0                 mfence
;;    107: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    10b: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    110: 0f8510000000           jne 0x126
;;    116: ebb2                   jmp 0xca
;;    118: be0a000000             mov esi, 0xa
;;    11d: 4c89ff                 mov rdi, r15
;;    120: ff153a010000           call qword ptr [rip + 0x13a]              ; wasm@0x61 block -64
;;    126: be0b000000             mov esi, 0xb
;;    12b: 4c89ff                 mov rdi, r15
;;    12e: ff152c010000           call qword ptr [rip + 0x12c]              ; wasm@0x61 block -64
;;
;; func[2] (i64) -> (i32):
;;    140: 55                     push rbp
;;    141: 4889e5                 mov rbp, rsp
;;    144: 4889e0                 mov rax, rsp
;;    147: 482d10000000           sub rax, 0x10
;;    14d: 493b07                 cmp rax, qword ptr [r15]
;;    150: 0f825a000000           jb 0x1b0
;;    156: 4157                   push r15
;;    158: 4881ec08000000         sub rsp, 8
;;    15f: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    164: 0f851c000000           jne 0x186
;;    16a: 48b80000000001000000   movabs rax, 0x100000000
;;    174: 48854510               test qword ptr [rbp + 0x10], rax
;;    178: 0f94c0                 sete al
;;    17b: 0fb6c0                 movzx eax, al
;;    17e: 894510                 mov dword ptr [rbp + 0x10], eax
;;    181: 4889ec                 mov rsp, rbp
;;    184: 5d                     pop rbp
;;    185: c3                     ret
;;    186: 4d8d5f48               lea r11, [r15 + 0x48]
;;    18a: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    18e: 0f842a000000           je 0x1be
;;    194: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    19c: 0faef0                 mfence
;;    19f: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    1a3: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    1a8: 0f8510000000           jne 0x1be
;;    1ae: ebba                   jmp 0x16a
;;    1b0: be0a000000             mov esi, 0xa
;;    1b5: 4c89ff                 mov rdi, r15
;;    1b8: ff15a2000000           call qword ptr [rip + 0xa2]               ; wasm@0x74 local.get 0
;;    1be: be0b000000             mov esi, 0xb
;;    1c3: 4c89ff                 mov rdi, r15
;;    1c6: ff1594000000           call qword ptr [rip + 0x94]               ; wasm@0x74 local.get 0
;;
;; func[3] (i32, i32, i32) -> (i32):
;;    1d0: 55                     push rbp
;;    1d1: 4889e5                 mov rbp, rsp
;;    1d4: 4889e0                 mov rax, rsp
;;    1d7: 482d10000000           sub rax, 0x10
;;    1dd: 493b07                 cmp rax, qword ptr [r15]
;;    1e0: 0f8254000000           jb 0x23a
;;    1e6: 4157                   push r15
;;    1e8: 4881ec08000000         sub rsp, 8
;;    1ef: 49837f5000             cmp qword ptr [r15 + 0x50], 0
;;    1f4: 0f8516000000           jne 0x210
;;    1fa: 418b4610               mov eax, dword ptr [r14 + 0x10]           ; wasm@0x87 i32.load 2 0
;;    1fe: 854510                 test dword ptr [rbp + 0x10], eax
;;    201: 8b4518                 mov eax, dword ptr [rbp + 0x18]
;;    204: 0f444520               cmove eax, dword ptr [rbp + 0x20]
;;    208: 894510                 mov dword ptr [rbp + 0x10], eax
;;    20b: 4889ec                 mov rsp, rbp
;;    20e: 5d                     pop rbp
;;    20f: c3                     ret
;;    210: 4d8d5f48               lea r11, [r15 + 0x48]
;;    214: 4d3b5f40               cmp r11, qword ptr [r15 + 0x40]
;;    218: 0f842a000000           je 0x248
;;    21e: 49c7475000000000       mov qword ptr [r15 + 0x50], 0
;;    226: 0faef0                 mfence
;;    229: 4d8b5f40               mov r11, qword ptr [r15 + 0x40]
;;    22d: 49837b0800             cmp qword ptr [r11 + 8], 0
;;    232: 0f8510000000           jne 0x248
;;    238: ebc0                   jmp 0x1fa
;;    23a: be0a000000             mov esi, 0xa
;;    23f: 4c89ff                 mov rdi, r15
;;    242: ff1518000000           call qword ptr [rip + 0x18]               ; wasm@0x81 local.get 1
;;    248: be0b000000             mov esi, 0xb
;;    24d: 4c89ff                 mov rdi, r15
;;    250: ff150a000000           call qword ptr [rip + 0xa]                ; wasm@0x81 local.get 1
