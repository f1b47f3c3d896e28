;; to_log.wat: opens a stream by URL and writes a line to it.
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (import "dagger" "close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "log://?prefix=lesson\00")
  (data (i32.const 64) "hello\n")
  (func (export "main") (result i32)
    (local $fd i32)
    (local.set $fd (call $open (i32.const 0) (i32.const 0)))
    (drop (call $write (local.get $fd) (i32.const 64) (i32.const 6)))
    (drop (call $close (local.get $fd)))
    (i32.const 0)))
