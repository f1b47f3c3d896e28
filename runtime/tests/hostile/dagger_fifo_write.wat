;; dagger_fifo_write.wat: opens the FIFO /data/fifo for writing and writes
;; to it. Nobody ever reads it: the time limit ends the wait.
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "file:///data/fifo?mode=w\00")
  (data (i32.const 64) "hello\n")
  (func (export "main") (result i32)
    (local $fd i32)
    (local.set $fd (call $open (i32.const 0) (i32.const 0)))
    (if (i32.lt_s (local.get $fd) (i32.const 0)) (then (return (i32.const 2))))
    (drop (call $write (local.get $fd) (i32.const 64) (i32.const 6)))
    (i32.const 0)))
