;; time.wat (Dagger): the time of the request as a text page.
;; Teaches: Dagger has no clock call at all. gopherd passes the moment the
;; request arrived as REQUEST_TIME (seconds since 1970) among the variables
;; that follow the request line on `fd://0`; the guest finds that line,
;; parses the digits, and does the calendar arithmetic in i64.
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write_fd (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $out (mut i32) (i32.const 1))

  ;; Memory map: 48 one byte, 64..96 digits, 1024.. texts,
  ;; 32768 the request (8 KiB).
  (data (i32.const 1024) "The request reached the server at \00")
  (data (i32.const 1064) " UTC.\nThat is \00")
  (data (i32.const 1088) " seconds since 1970-01-01, from REQUEST_TIME on fd://0.\n\00")
  ;; Weekday names, four bytes each; 1970-01-01 was a Thursday.
  (data (i32.const 1152) "Thu\00Fri\00Sat\00Sun\00Mon\00Tue\00Wed\00")
  (data (i32.const 1184) "\nREQUEST_TIME=\00")
  (data (i32.const 1200) "fd://0\00")
  (data (i32.const 1208) "fd://1\00")
  (data (i32.const 1216) "The request carried no REQUEST_TIME.\n\00")

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
    (drop (call $write_fd (global.get $out) (local.get $p) (local.get $len))))

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

  ;; Finds "\nREQUEST_TIME=" in [$p, $end) and parses the digits after it; -1 if absent.
  (func $request_time (param $p i32) (param $end i32) (result i64)
    (local $j i32) (local $n i32) (local $v i64) (local $c i32)
    (local.set $n (call $strlen (i32.const 1184)))
    (block $absent
      (loop $at
        (br_if $absent (i32.gt_u (i32.add (local.get $p) (local.get $n)) (local.get $end)))
        (local.set $j (i32.const 0))
        (block $differs
          (loop $chars
            (if (i32.eq (local.get $j) (local.get $n))
              (then
                (local.set $p (i32.add (local.get $p) (local.get $n)))
                (loop $digits
                  (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                  (if (i32.and (i32.lt_u (local.get $p) (local.get $end))
                               (i32.lt_u (local.get $c) (i32.const 10)))
                    (then
                      (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10))
                                             (i64.extend_i32_u (local.get $c))))
                      (local.set $p (i32.add (local.get $p) (i32.const 1)))
                      (br $digits))))
                (return (local.get $v))))
            (br_if $differs (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $j)))
                                    (i32.load8_u (i32.add (i32.const 1184) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $chars)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $at)))
    (i64.const -1))

  (func (export "main") (result i32)
    (local $in i32) (local $len i32) (local $n i32) (local $secs i64)
    (global.set $out (call $open (i32.const 1208) (i32.const 0)))
    (local.set $in (call $open (i32.const 1200) (i32.const 0)))
    (block $eof
      (loop $chunks
        (br_if $eof (i32.ge_u (local.get $len) (i32.const 8192)))
        (local.set $n (call $read (local.get $in) (i32.add (i32.const 32768) (local.get $len))
                                  (i32.sub (i32.const 8192) (local.get $len))))
        (br_if $eof (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $len (i32.add (local.get $len) (local.get $n)))
        (br $chunks)))
    (local.set $secs (call $request_time (i32.const 32768) (i32.add (i32.const 32768) (local.get $len))))
    (if (i64.lt_s (local.get $secs) (i64.const 0))
      (then
        (call $puts (i32.const 1216))
        (return (i32.const 0))))
    (call $puts (i32.const 1024))
    (call $put_date (local.get $secs))
    (call $puts (i32.const 1064))
    (call $put_num (local.get $secs) (i32.const 1))
    (call $puts (i32.const 1088))
    (i32.const 0)))
