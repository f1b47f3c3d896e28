;; olin_log_flood.wat: writes to a log resource forever, never a newline.
;; The host holds at most one log line of it; the output limit stops it.
(module
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "log://?prefix=flood")
  (func (export "_start")
    (local $log i32)
    (local.set $log (call $open (i32.const 0) (i32.const 19)))
    (memory.fill (i32.const 65536) (i32.const 97) (i32.const 65536))
    (loop $flood
      (drop (call $write (local.get $log) (i32.const 65536) (i32.const 65536)))
      (br $flood))))
