;; gather.wat, solved: two iovecs, one call.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "Hello, ")
  (data (i32.const 48) "world!\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 7))
    (i32.store (i32.const 8) (i32.const 48))
    (i32.store (i32.const 12) (i32.const 7))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 24)))))
