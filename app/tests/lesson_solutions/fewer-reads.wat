;; slow_cat.wat: copies standard input to standard output, 4 bytes at a time.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $more
      ;; read into the buffer at 0x100, up to 4 bytes; the count goes to 8
      (i32.store (i32.const 0) (i32.const 0x100))
      (i32.store (i32.const 4) (i32.const 256))
      (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
        (then (return)))
      ;; 0 bytes: the end of the input
      (if (i32.eqz (i32.load (i32.const 8))) (then (return)))
      ;; write what arrived
      (i32.store (i32.const 4) (i32.load (i32.const 8)))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))
      (br $more))))
