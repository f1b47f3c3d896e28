;; greet.wat: says hello, on the wrong stream.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello, world!\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))   ;; the iovec: the text is at 16…
    (i32.store (i32.const 4) (i32.const 14))   ;; …and is 14 bytes long
    (drop (call $fd_write
      (i32.const 1)      ;; fd
      (i32.const 0)      ;; iovs: the iovec array is at 0
      (i32.const 1)      ;; iovs_len: one iovec
      (i32.const 8)))))  ;; nwritten: where the host writes the count
