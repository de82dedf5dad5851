;; A comparison feeding br_if compiles to cmp + jcc (no setcc).
(module
  (func (export "count") (param i32) (result i32) (local i32)
    (block $out
      (loop $top
        (br_if $out (i32.ge_u (local.get 1) (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br $top)))
    (local.get 1)))
