(module
  (func (export "c") (param $x i32) (param $h i64) (result i32)
    (local $y i32) (local $t i64)
    i32.const 7
    local.get $x
    i32.add
    local.set $y
    local.get $y
    i64.extend_i32_u
    local.get $h
    i64.const 31
    i64.mul
    i64.add
    local.set $t
    local.get $y))
