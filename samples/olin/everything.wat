;; everything.wat: calls every Olin function once and reports what it got.
;; Teaches: the whole CommonWA surface in one place: the runtime's name
;; and spec version, arguments, environment, clock, random numbers, the
;; standard streams' resource ids, the null://, zero://, random:// and
;; log:// resources, logging, sleeping and exiting. Run it with --trace to
;; see each call decoded next to what the guest printed.
;;
;;   wasmhole run --env GREETING=hi --trace samples/olin/everything.wat
(module
  (import "cwa" "log_write" (func $log_write (param i32 i32 i32)))
  (import "cwa" "env_get" (func $env_get (param i32 i32 i32 i32) (result i32)))
  (import "cwa" "runtime_exit" (func $exit (param i32)))
  (import "cwa" "runtime_spec_major" (func $spec_major (result i32)))
  (import "cwa" "runtime_spec_minor" (func $spec_minor (result i32)))
  (import "cwa" "runtime_name" (func $runtime_name (param i32 i32) (result i32)))
  (import "cwa" "runtime_msleep" (func $msleep (param i32)))
  (import "cwa" "startup_arg_len" (func $arg_len (result i32)))
  (import "cwa" "startup_arg_at" (func $arg_at (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "resource_read" (func $read (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_close" (func $close (param i32)))
  (import "cwa" "resource_flush" (func $flush (param i32) (result i32)))
  (import "cwa" "time_now" (func $time_now (result i64)))
  (import "cwa" "io_get_stdin" (func $stdin (result i32)))
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "io_get_stderr" (func $stderr (result i32)))
  (import "cwa" "random_i32" (func $random_i32 (result i32)))
  (import "cwa" "random_i64" (func $random_i64 (result i64)))
  (memory (export "memory") 1)
  (global $out (mut i32) (i32.const 1))

  (data (i32.const 0) "\n\00")
  (data (i32.const 8) "GREETING")
  (data (i32.const 16) "zero://")
  (data (i32.const 24) "null://")
  (data (i32.const 32) "random://")
  (data (i32.const 48) "log://?prefix=everything")
  (data (i32.const 80) "via a log resource\n")
  (data (i32.const 100) "everything logs at level 6")
  (data (i32.const 200) "runtime_name = \00")
  (data (i32.const 240) "runtime_spec_major.minor = \00")
  (data (i32.const 280) ".\00")
  (data (i32.const 290) "startup_arg_len = \00")
  (data (i32.const 320) "startup_arg_at(0) = \00")
  (data (i32.const 350) "env_get(GREETING) = \00")
  (data (i32.const 380) "env_get(GREETING) is not set: \00")
  (data (i32.const 420) "time_now is after 2020: \00")
  (data (i32.const 450) "random_i32 and random_i64 vary: \00")
  (data (i32.const 490) "io_get_stdin, io_get_stdout, io_get_stderr = \00")
  (data (i32.const 540) ", \00")
  (data (i32.const 550) "resource_open(zero://) = \00")
  (data (i32.const 580) "resource_read(zero, 8) = \00")
  (data (i32.const 610) "zero:// gave zeros: \00")
  (data (i32.const 640) "resource_open(null://) = \00")
  (data (i32.const 670) "resource_read(null, 8) = \00")
  (data (i32.const 700) "resource_write(null, 5) = \00")
  (data (i32.const 730) "resource_open(random://) = \00")
  (data (i32.const 760) "resource_read(random, 16) = \00")
  (data (i32.const 790) "resource_flush(zero) = \00")
  (data (i32.const 820) "resource_open(log://?prefix=everything) = \00")
  (data (i32.const 870) "runtime_msleep(10) returned\n\00")
  (data (i32.const 900) "yes\00")
  (data (i32.const 910) "no\00")
  (data (i32.const 920) "calling runtime_exit(0)\n\00")

  ;; the NUL-terminated string at $p
  (func $print (param $p i32)
    (local $n i32)
    (block $end
      (loop $len
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $len)))
    (drop (call $write (global.get $out) (local.get $p) (local.get $n))))
  ;; $v in decimal
  (func $num (param $v i64)
    (local $p i32) (local $u i64)
    (local.set $p (i32.const 8000))
    (local.set $u (select (i64.sub (i64.const 0) (local.get $v)) (local.get $v)
                          (i64.lt_s (local.get $v) (i64.const 0))))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $u) (i64.const 10))))
      (local.set $u (i64.div_u (local.get $u) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $u) (i64.const 0))))
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.const 45))))
    (drop (call $write (global.get $out) (local.get $p) (i32.sub (i32.const 8000) (local.get $p)))))
  ;; label, number, newline
  (func $line (param $label i32) (param $v i32)
    (call $print (local.get $label))
    (call $num (i64.extend_i32_s (local.get $v)))
    (call $print (i32.const 0)))
  ;; label, yes or no, newline
  (func $yes (param $label i32) (param $ok i32)
    (call $print (local.get $label))
    (call $print (select (i32.const 900) (i32.const 910) (local.get $ok)))
    (call $print (i32.const 0)))

  (func (export "_start")
    (local $n i32) (local $zero i32) (local $null i32) (local $rnd i32) (local $log i32)
    (global.set $out (call $stdout))

    ;; the runtime
    (local.set $n (call $runtime_name (i32.const 4096) (i32.const 32)))
    (call $print (i32.const 200))
    (drop (call $write (global.get $out) (i32.const 4096) (local.get $n)))
    (call $print (i32.const 0))
    (call $print (i32.const 240))
    (call $num (i64.extend_i32_s (call $spec_major)))
    (call $print (i32.const 280))
    (call $num (i64.extend_i32_s (call $spec_minor)))
    (call $print (i32.const 0))

    ;; arguments and environment
    (call $line (i32.const 290) (call $arg_len))
    (local.set $n (call $arg_at (i32.const 0) (i32.const 4096) (i32.const 256)))
    (call $print (i32.const 320))
    (drop (call $write (global.get $out) (i32.const 4096) (local.get $n)))
    (call $print (i32.const 0))
    (local.set $n (call $env_get (i32.const 8) (i32.const 8) (i32.const 4096) (i32.const 256)))
    (if (i32.ge_s (local.get $n) (i32.const 0))
      (then
        (call $print (i32.const 350))
        (drop (call $write (global.get $out) (i32.const 4096) (local.get $n)))
        (call $print (i32.const 0)))
      (else (call $line (i32.const 380) (local.get $n))))

    ;; clock and random numbers
    (call $yes (i32.const 420) (i64.gt_s (call $time_now) (i64.const 1577836800)))
    (call $yes (i32.const 450)
      (i32.or (i32.ne (call $random_i32) (call $random_i32))
              (i64.ne (call $random_i64) (call $random_i64))))

    ;; standard streams
    (call $print (i32.const 490))
    (call $num (i64.extend_i32_s (call $stdin)))
    (call $print (i32.const 540))
    (call $num (i64.extend_i32_s (call $stdout)))
    (call $print (i32.const 540))
    (call $num (i64.extend_i32_s (call $stderr)))
    (call $print (i32.const 0))

    ;; zero://: reads give zeros (the buffer is dirtied first)
    (i64.store (i32.const 4096) (i64.const -1))
    (local.set $zero (call $open (i32.const 16) (i32.const 7)))
    (call $line (i32.const 550) (local.get $zero))
    (call $line (i32.const 580) (call $read (local.get $zero) (i32.const 4096) (i32.const 8)))
    (call $yes (i32.const 610) (i64.eqz (i64.load (i32.const 4096))))
    (call $line (i32.const 790) (call $flush (local.get $zero)))

    ;; null://: always at the end (-5, EOF), swallows writes
    (local.set $null (call $open (i32.const 24) (i32.const 7)))
    (call $line (i32.const 640) (local.get $null))
    (call $line (i32.const 670) (call $read (local.get $null) (i32.const 4096) (i32.const 8)))
    (call $line (i32.const 700) (call $write (local.get $null) (i32.const 4096) (i32.const 5)))

    ;; random://
    (local.set $rnd (call $open (i32.const 32) (i32.const 9)))
    (call $line (i32.const 730) (local.get $rnd))
    (call $line (i32.const 760) (call $read (local.get $rnd) (i32.const 4096) (i32.const 16)))
    (call $close (local.get $zero))
    (call $close (local.get $null))
    (call $close (local.get $rnd))

    ;; logging, both ways
    (call $log_write (i32.const 6) (i32.const 100) (i32.const 26))
    (local.set $log (call $open (i32.const 48) (i32.const 24)))
    (call $line (i32.const 820) (local.get $log))
    (drop (call $write (local.get $log) (i32.const 80) (i32.const 19)))
    (call $close (local.get $log))

    (call $msleep (i32.const 10))
    (call $print (i32.const 870))
    (call $print (i32.const 920))
    (call $exit (i32.const 0))
    ;; never reached
    (unreachable)))
