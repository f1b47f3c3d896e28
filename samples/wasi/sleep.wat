;; sleep.wat: sleeps for a tenth of a second and says how long it slept.
;; Teaches: WASI has no `sleep` call; a guest sleeps by waiting in
;; `poll_oneoff` for a clock subscription to time out. A subscription is a
;; 48-byte struct: userdata (echoed back in the event), a tag (0 = clock),
;; the clock id, a timeout in nanoseconds, a precision and flags (0 means
;; the timeout is relative). `clock_time_get` on the MONOTONIC clock, which
;; never goes backwards, measures how long the wait really took.
;; Try: wasmhole run --trace samples/wasi/sleep.wat
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; Memory: an iovec at 0, a count at 8, a time at 16, the subscription at
  ;; 64, the event the host writes at 128, the message at 256 and the digits
  ;; at 512.
  (data (i32.const 256) "slept  ms\n")
  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $proc_exit (local.get $errno)))))
  (func $now (result i64)
    (call $check (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 16)))
    (i64.load (i32.const 16)))
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $check (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (local $start i64) (local $ms i64) (local $p i32)
    (local.set $start (call $now))
    ;; the subscription: userdata 42, tag 0 (clock), MONOTONIC, 100 ms, relative
    (i64.store (i32.const 64) (i64.const 42))
    (i32.store8 (i32.const 72) (i32.const 0))
    (i32.store (i32.const 80) (i32.const 1))
    (i64.store (i32.const 88) (i64.const 100000000))
    (i64.store (i32.const 96) (i64.const 0))
    (i32.store16 (i32.const 104) (i32.const 0))
    ;; poll_oneoff(in=64, out=128, nsubscriptions=1, nevents=8)
    (call $check (call $poll_oneoff (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 8)))
    (local.set $ms (i64.div_u (i64.sub (call $now) (local.get $start)) (i64.const 1000000)))
    ;; "slept " + the milliseconds in decimal + " ms\n"
    (call $print (i32.const 256) (i32.const 6))
    (local.set $p (i32.const 532))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $ms) (i64.const 10)))))
      (local.set $ms (i64.div_u (local.get $ms) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $ms) (i64.const 0))))
    (call $print (local.get $p) (i32.sub (i32.const 532) (local.get $p)))
    (call $print (i32.const 262) (i32.const 4))))
