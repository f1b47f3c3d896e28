;; log.wat: the two ways an Olin guest logs.
;; Teaches: `log_write` sends one message at a level (1 error, 3 warning,
;; 6 info) to the host's log, which the command line prints on standard
;; error as `GUEST: LEVEL: message`. A `log://?prefix=P` resource is a
;; stream of lines instead, each printed as `P: line`.
;;
;;   wasmhole run samples/olin/log.wat
;;   log.wat: info: starting
;;   log.wat: warning: this is only a sample
;;   log.wat: error: nothing is actually wrong
;;   olin-log: one line
;;   olin-log: another line
(module
  (import "cwa" "log_write" (func $log (param i32 i32 i32)))
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_close" (func $close (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "starting")
  (data (i32.const 16) "this is only a sample")
  (data (i32.const 48) "nothing is actually wrong")
  (data (i32.const 80) "log://?prefix=olin-log")
  (data (i32.const 112) "one line\nanother line\n")
  (func (export "_start")
    (local $res i32)
    (call $log (i32.const 6) (i32.const 0) (i32.const 8))
    (call $log (i32.const 3) (i32.const 16) (i32.const 21))
    (call $log (i32.const 1) (i32.const 48) (i32.const 25))
    (local.set $res (call $open (i32.const 80) (i32.const 22)))
    (drop (call $write (local.get $res) (i32.const 112) (i32.const 22)))
    (call $close (local.get $res))))
