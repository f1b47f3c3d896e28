;; time.wat (Olin): the server's clock as a text page.
;; Teaches: CommonWA's time_now returns the seconds since 1970 directly as
;; an i64 result (no out-pointer, unlike WASI's clock_time_get); the
;; calendar arithmetic is the same i64 days-to-civil algorithm.
(module
  (import "cwa" "io_get_stdout" (func $io_get_stdout (result i32)))
  (import "cwa" "resource_write" (func $resource_write (param i32 i32 i32) (result i32)))
  (import "cwa" "time_now" (func $time_now (result i64)))
  (memory (export "memory") 1)
  (global $out (mut i32) (i32.const 1))

  ;; Memory map: 48 one byte, 64..96 digits, 1024.. texts.
  (data (i32.const 1024) "The server's clock says it is \00")
  (data (i32.const 1064) " UTC.\nThat is \00")
  (data (i32.const 1088) " seconds since 1970-01-01, read with time_now.\n\00")
  ;; Weekday names, four bytes each; 1970-01-01 was a Thursday.
  (data (i32.const 1152) "Thu\00Fri\00Sat\00Sun\00Mon\00Tue\00Wed\00")

  (func $strlen (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $q) (local.get $p)))

  (func $write (param $p i32) (param $len i32)
    (drop (call $resource_write (global.get $out) (local.get $p) (local.get $len))))

  (func $puts (param $p i32)
    (call $write (local.get $p) (call $strlen (local.get $p))))

  (func $putc (param $c i32)
    (i32.store8 (i32.const 48) (local.get $c))
    (call $write (i32.const 48) (i32.const 1)))

  ;; Writes $v in decimal, zero-padded to at least $width digits.
  (func $put_num (param $v i64) (param $width i32)
    (local $p i32)
    (local.set $p (i32.const 96))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (local.set $width (i32.sub (local.get $width) (i32.const 1)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0)))
      (br_if $digit (i32.gt_s (local.get $width) (i32.const 0))))
    (call $write (local.get $p) (i32.sub (i32.const 96) (local.get $p))))

  ;; Prints "Www YYYY-MM-DD hh:mm:ss" for $secs seconds since 1970.
  (func $put_date (param $secs i64)
    (local $days i64) (local $rem i64) (local $z i64) (local $era i64) (local $doe i64)
    (local $yoe i64) (local $y i64) (local $doy i64) (local $mp i64) (local $d i64) (local $m i64)
    (local.set $days (i64.div_u (local.get $secs) (i64.const 86400)))
    (local.set $rem (i64.rem_u (local.get $secs) (i64.const 86400)))
    (call $puts (i32.add (i32.const 1152)
      (i32.shl (i32.wrap_i64 (i64.rem_u (local.get $days) (i64.const 7))) (i32.const 2))))
    (call $putc (i32.const 32))
    ;; Howard Hinnant's civil_from_days, for days after 1970.
    (local.set $z (i64.add (local.get $days) (i64.const 719468)))
    (local.set $era (i64.div_u (local.get $z) (i64.const 146097)))
    (local.set $doe (i64.sub (local.get $z) (i64.mul (local.get $era) (i64.const 146097))))
    (local.set $yoe (i64.div_u
      (i64.sub (i64.add (i64.sub (local.get $doe) (i64.div_u (local.get $doe) (i64.const 1460)))
                        (i64.div_u (local.get $doe) (i64.const 36524)))
               (i64.div_u (local.get $doe) (i64.const 146096)))
      (i64.const 365)))
    (local.set $y (i64.add (local.get $yoe) (i64.mul (local.get $era) (i64.const 400))))
    (local.set $doy (i64.sub (local.get $doe)
      (i64.sub (i64.add (i64.mul (i64.const 365) (local.get $yoe)) (i64.div_u (local.get $yoe) (i64.const 4)))
               (i64.div_u (local.get $yoe) (i64.const 100)))))
    (local.set $mp (i64.div_u (i64.add (i64.mul (i64.const 5) (local.get $doy)) (i64.const 2)) (i64.const 153)))
    (local.set $d (i64.add (i64.sub (local.get $doy)
      (i64.div_u (i64.add (i64.mul (i64.const 153) (local.get $mp)) (i64.const 2)) (i64.const 5))) (i64.const 1)))
    (local.set $m (if (result i64) (i64.lt_u (local.get $mp) (i64.const 10))
      (then (i64.add (local.get $mp) (i64.const 3)))
      (else (i64.sub (local.get $mp) (i64.const 9)))))
    (if (i64.le_u (local.get $m) (i64.const 2))
      (then (local.set $y (i64.add (local.get $y) (i64.const 1)))))
    (call $put_num (local.get $y) (i32.const 4))
    (call $putc (i32.const 45))
    (call $put_num (local.get $m) (i32.const 2))
    (call $putc (i32.const 45))
    (call $put_num (local.get $d) (i32.const 2))
    (call $putc (i32.const 32))
    (call $put_num (i64.div_u (local.get $rem) (i64.const 3600)) (i32.const 2))
    (call $putc (i32.const 58))
    (call $put_num (i64.rem_u (i64.div_u (local.get $rem) (i64.const 60)) (i64.const 60)) (i32.const 2))
    (call $putc (i32.const 58))
    (call $put_num (i64.rem_u (local.get $rem) (i64.const 60)) (i32.const 2)))

  (func (export "_start")
    (local $secs i64)
    (global.set $out (call $io_get_stdout))
    (local.set $secs (call $time_now))
    (call $puts (i32.const 1024))
    (call $put_date (local.get $secs))
    (call $puts (i32.const 1064))
    (call $put_num (local.get $secs) (i32.const 1))
    (call $puts (i32.const 1088))))
