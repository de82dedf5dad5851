;; clang shape: (uint64_t)len * 8 through local.tee, then `len` is returned (compiler-bugs: extend aliasing).
(module
  (func (export "f") (param $len i32) (result i32) (local $bits i64)
    local.get $len
    i64.extend_i32_u
    local.tee $bits
    i64.const 5
    i64.shr_u
    drop
    local.get $bits
    i64.const 3
    i64.shl
    local.set $bits
    local.get $len))
