;; greet.wat, solved: the query arrives on standard input.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello, ")
  (data (i32.const 127) "\n")
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    ;; read the query into 256, up to 64 bytes; the count goes to 12
    (i32.store (i32.const 16) (i32.const 256))
    (i32.store (i32.const 20) (i32.const 64))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 12)))
    (call $print (i32.const 64) (i32.const 7))
    (call $print (i32.const 256) (i32.load (i32.const 12)))
    (call $print (i32.const 127) (i32.const 1))))
