;; dagger_hostless_http.wat: the host-less HTTP request for Dagger. The
;; original Dagger host (abi/dagger/process.go in github.com/Xe/olin)
;; opened `http://` and `https://` through the same HTTP resource as Olin
;; (fileresolver/http.go), so `open("https://")` with no host succeeded
;; and the flush built the target from the request: scheme `http`, host
;; from the `Host:` header, path from the request line.
;;
;; Dagger guests get no arguments or environment, so the `Host:` value
;; (e.g. `127.0.0.1:8123`) is read from standard input (`fd://0`), trailing
;; whitespace dropped. The guest writes
;; `GET /hostless.txt HTTP/1.1\r\nHost: H\r\n\r\n` to the stream, flushes,
;; and copies the raw response to standard output until a read returns 0.
;; A failed call is reported on standard error with its result, and main
;; returns 1 (open), 3 (write), 4 (flush) or 5 (read); 2 is no host on
;; standard input.
;;
;;   mkdir -p /tmp/www && echo hello > /tmp/www/hostless.txt
;;   python3 -m http.server 8123 --bind 127.0.0.1 --directory /tmp/www &
;;   echo 127.0.0.1:8123 | wasmhole run --allow-net 127.0.0.1:8123 dagger_hostless_http.wat
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "close" (func $close (param i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (import "dagger" "flush" (func $flush (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $out (mut i32) (i32.const -1))
  (global $err (mut i32) (i32.const -1))

  (data (i32.const 0) "fd://0\00")
  (data (i32.const 8) "fd://1\00")
  (data (i32.const 16) "fd://2\00")
  ;; the host-less URL
  (data (i32.const 24) "https://\00")
  (data (i32.const 64) "open(\22https://\22) = ")
  (data (i32.const 96) "write = ")
  (data (i32.const 112) "flush = ")
  (data (i32.const 128) "read = ")
  (data (i32.const 144) "usage: echo HOST[:PORT] | wasmhole run dagger_hostless_http.wat\0a")
  (data (i32.const 224) "\0d\0a\0d\0a")
  ;; the request is built at 1024: this prefix, the Host value, the ending
  (data (i32.const 1024) "GET /hostless.txt HTTP/1.1\0d\0aHost: ")
  ;; 4096: the response, 4096 bytes at a time

  ;; Writes msg, then code in decimal and a newline, to standard error.
  (func $report (param $msg i32) (param $len i32) (param $code i32)
    (local $p i32) (local $v i32) (local $neg i32)
    (drop (call $write (global.get $err) (local.get $msg) (local.get $len)))
    (local.set $v (local.get $code))
    (if (i32.lt_s (local.get $v) (i32.const 0))
      (then
        (local.set $neg (i32.const 1))
        (local.set $v (i32.sub (i32.const 0) (local.get $v)))))
    (local.set $p (i32.const 1000))
    (i32.store8 (local.get $p) (i32.const 10))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digit (i32.ne (local.get $v) (i32.const 0))))
    (if (local.get $neg)
      (then
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.const 45))))
    (drop (call $write (global.get $err) (local.get $p)
      (i32.sub (i32.const 1001) (local.get $p)))))

  (func (export "main") (result i32)
    (local $in i32) (local $host_len i32) (local $len i32) (local $fd i32) (local $n i32)
    (local.set $in (call $open (i32.const 0) (i32.const 0)))
    (global.set $out (call $open (i32.const 8) (i32.const 0)))
    (global.set $err (call $open (i32.const 16) (i32.const 0)))
    ;; the Host value from standard input, at 1058 (after the 34-byte prefix)
    (block $read_all
      (loop $more
        (br_if $read_all (i32.ge_u (local.get $host_len) (i32.const 512)))
        (local.set $n (call $read (local.get $in)
          (i32.add (i32.const 1058) (local.get $host_len))
          (i32.sub (i32.const 512) (local.get $host_len))))
        (br_if $read_all (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $host_len (i32.add (local.get $host_len) (local.get $n)))
        (br $more)))
    (drop (call $close (local.get $in)))
    ;; drop trailing whitespace (a newline from echo)
    (block $trimmed
      (loop $trim
        (br_if $trimmed (i32.eqz (local.get $host_len)))
        (br_if $trimmed (i32.gt_u
          (i32.load8_u (i32.add (i32.const 1057) (local.get $host_len)))
          (i32.const 32)))
        (local.set $host_len (i32.sub (local.get $host_len) (i32.const 1)))
        (br $trim)))
    (if (i32.eqz (local.get $host_len))
      (then
        (drop (call $write (global.get $err) (i32.const 144) (i32.const 64)))
        (return (i32.const 2))))
    (local.set $len (i32.add (i32.const 34) (local.get $host_len)))
    (memory.copy (i32.add (i32.const 1024) (local.get $len)) (i32.const 224) (i32.const 4))
    (local.set $len (i32.add (local.get $len) (i32.const 4)))

    (local.set $fd (call $open (i32.const 24) (i32.const 0)))
    (if (i32.lt_s (local.get $fd) (i32.const 0))
      (then
        (call $report (i32.const 64) (i32.const 19) (local.get $fd))
        (return (i32.const 1))))
    (local.set $n (call $write (local.get $fd) (i32.const 1024) (local.get $len)))
    (if (i32.ne (local.get $n) (local.get $len))
      (then
        (call $report (i32.const 96) (i32.const 8) (local.get $n))
        (return (i32.const 3))))
    (local.set $n (call $flush (local.get $fd)))
    (if (i32.ne (local.get $n) (i32.const 0))
      (then
        (call $report (i32.const 112) (i32.const 8) (local.get $n))
        (return (i32.const 4))))
    ;; the raw response, to standard output, until a read returns 0
    (block $done
      (loop $copy
        (local.set $n (call $read (local.get $fd) (i32.const 4096) (i32.const 4096)))
        (br_if $done (i32.eqz (local.get $n)))
        (if (i32.lt_s (local.get $n) (i32.const 0))
          (then
            (call $report (i32.const 128) (i32.const 7) (local.get $n))
            (return (i32.const 5))))
        (drop (call $write (global.get $out) (i32.const 4096) (local.get $n)))
        (br $copy)))
    (drop (call $close (local.get $fd)))
    (i32.const 0)))
