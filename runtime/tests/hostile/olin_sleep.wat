;; olin_sleep.wat: sleeps ten seconds, then exits 0. A time limit shorter
;; than that ends it in the sleep, as a time limit, not a success.
(module
  (import "cwa" "runtime_msleep" (func $msleep (param i32)))
  (import "cwa" "runtime_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $msleep (i32.const 10000))
    (call $exit (i32.const 0))))
