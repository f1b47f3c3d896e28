;; time.wat (WASI): the server's clock as a text page.
;; Teaches: clock_time_get writes a 64-bit timestamp, nanoseconds since
;; 1970, into guest memory; turning it into a calendar date is integer
;; arithmetic in i64 (the days-to-civil algorithm), with no library at all.
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; Memory map: 0 iovec, 16 out-values, 32 the timestamp, 64..96 digits,
  ;; 1024.. texts.
  (data (i32.const 1024) "The server's clock says it is \00")
  (data (i32.const 1064) " UTC.\nThat is \00")
  (data (i32.const 1088) " seconds since 1970-01-01, read with clock_time_get.\n\00")
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
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

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
    ;; Clock 0 is the realtime clock; the precision we ask for is 1 ms.
    (drop (call $clock_time_get (i32.const 0) (i64.const 1000000) (i32.const 32)))
    (local.set $secs (i64.div_u (i64.load (i32.const 32)) (i64.const 1000000000)))
    (call $puts (i32.const 1024))
    (call $put_date (local.get $secs))
    (call $puts (i32.const 1064))
    (call $put_num (local.get $secs) (i32.const 1))
    (call $puts (i32.const 1088))))
