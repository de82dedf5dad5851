;; Constants fold into immediates; constant subexpressions fold at compile time.
(module
  (func (export "f") (param i32) (result i32)
    (i32.add (local.get 0) (i32.mul (i32.const 6) (i32.const 7)))))
