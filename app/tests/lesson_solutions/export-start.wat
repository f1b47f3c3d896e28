;; export_start.wat: a guest its host cannot start.
;; It prints a line, but exports its function as `start`, and a WASI host
;; calls the function exported as `_start`. Export it under that name.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "I was started!\n")
  (func $main (export "_start")
    ;; the iovec at 0: the text is at 16 and is 15 bytes long
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 15))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
