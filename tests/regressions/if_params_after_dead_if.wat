;; An `if` with parameters keeps them in hidden locals for its `else`. Hidden locals were handed out
;; in compile order, and an `if` in dead code is never compiled, so the live `if` below took the
;; hidden locals typed for the dead one: its v128 went into an 8-byte i32 slot and overwrote the
;; i64 beside it (found by the SIMD differential fuzzer).
(module
  (func (export "f") (param i64 i32) (result i64)
    (local v128)
    block
      br 0
      f64.const 1
      i32.const 1
      i32.const 0
      if (param f64 i32) (result f64)
        drop
      else
        drop
      end
      drop
    end
    local.get 0
    local.get 2
    local.get 1
    if (param i64 v128) (result i64)
      drop
    else
      drop
    end))
