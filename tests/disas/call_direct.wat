;; Direct calls pass arguments in the caller's outgoing area at [rsp].
(module
  (func $sq (param i64) (result i64) (i64.mul (local.get 0) (local.get 0)))
  (func (export "f") (param i64) (result i64) (i64.add (call $sq (local.get 0)) (i64.const 1))))
