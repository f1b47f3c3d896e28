;; gather.wat: prints two pieces of memory, "Hello, " and "world!\n".
;; fd_write takes an array of iovecs, (pointer, length) pairs of 8 bytes
;; each, and writes them all, in order, as one piece of output.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "Hello, ")
  (data (i32.const 48) "world!\n")
  (func (export "_start")
    ;; the first iovec, at 0: 7 bytes at 32
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 7))
    (drop (call $fd_write
      (i32.const 1)       ;; fd: standard output
      (i32.const 0)       ;; iovs: the array starts at 0
      (i32.const 1)       ;; iovs_len: how many iovecs
      (i32.const 24)))))  ;; nwritten
