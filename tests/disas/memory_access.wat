;; Loads and stores address [r14 + index + offset]; the guard region does the bounds check.
(module
  (memory 1)
  (func (export "copy") (param i32 i32)
    (i64.store offset=8 (local.get 1) (i64.load offset=16 (local.get 0)))))
