;; log.wat: write to the host's log.
;; Teaches: `log://?prefix=P` is a stream whose lines go to standard error,
;; each prefixed `P: `. A line without its newline waits until the stream
;; is flushed; here that is done under `sync`, the name the oldest Dagger
;; host gave to `flush` (both names reach the same call).
;;
;;   wasmhole run samples/dagger/log.wat
;;   dagger-log: starting up
;;   dagger-log: still going
;;   dagger-log: done, without a newline
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (import "dagger" "sync" (func $sync (param i32) (result i32)))
  (import "dagger" "close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "log://?prefix=dagger-log\00")
  (data (i32.const 64) "starting up\nstill going\n")
  (data (i32.const 128) "done, without a newline")
  (func (export "main") (result i32)
    (local $log i32)
    (local.set $log (call $open (i32.const 0) (i32.const 0)))
    (drop (call $write (local.get $log) (i32.const 64) (i32.const 24)))
    (drop (call $write (local.get $log) (i32.const 128) (i32.const 23)))
    (drop (call $sync (local.get $log)))
    (drop (call $close (local.get $log)))
    (i32.const 0)))
