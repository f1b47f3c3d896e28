;; greet.wat: a gopherd handler for /greet. Whatever it writes to standard
;; output is the menu the client gets; a line without a tab is shown as text.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello, ")
  (data (i32.const 96) "world")
  (data (i32.const 127) "\n")
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $print (i32.const 64) (i32.const 7))
    (call $print (i32.const 96) (i32.const 5))
    (call $print (i32.const 127) (i32.const 1))))
