;; olin_hostless_http.wat: an HTTP request the way the olin crate's client
;; (rust/olin/src/http/client.rs in github.com/Xe/olin) makes every one:
;; it opens `https://` with no host, writes a raw request whose `Host:`
;; header names the server, flushes, and reads the raw response. The URL
;; only picks the scheme family; the original Go host built the target from
;; the request itself: scheme `http`, host from the `Host:` header, path
;; from the request line.
;;
;; The first argument is the `Host:` value (e.g. `127.0.0.1:8123`), so a
;; test can point the guest at a loopback server. The request is
;; `GET /hostless.txt HTTP/1.1`. With a second argument `crate`, the
;; request is written byte for byte as the crate serializes it: the Host
;; line and the header after it end in a bare LF, and the head ends in
;; three LFs, the last of which is not part of any body (a GET without
;; Content-Length has none):
;;
;;   "GET /hostless.txt HTTP/1.1\r\nHost: H\nuser-agent: Olin/dev\n\n\n"
;;
;; The raw response goes to standard output, read until EOF (-5). A failed
;; call is reported on standard error with its code, and the guest exits
;; 1 (resource_open), 3 (resource_write), 4 (resource_flush) or
;; 5 (resource_read); 2 is a missing argument.
;;
;;   mkdir -p /tmp/www && echo hello > /tmp/www/hostless.txt
;;   python3 -m http.server 8123 --bind 127.0.0.1 --directory /tmp/www &
;;   wasmhole run --allow-net 127.0.0.1:8123 olin_hostless_http.wat 127.0.0.1:8123
(module
  (import "cwa" "startup_arg_len" (func $arg_len (result i32)))
  (import "cwa" "startup_arg_at" (func $arg_at (param i32 i32 i32) (result i32)))
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "io_get_stderr" (func $stderr (result i32)))
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "resource_read" (func $read (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_flush" (func $flush (param i32) (result i32)))
  (import "cwa" "resource_close" (func $close (param i32)))
  (import "cwa" "runtime_exit" (func $exit (param i32)))
  (memory (export "memory") 1)

  ;; the URL the olin crate opens for every request
  (data (i32.const 0) "https://")
  (data (i32.const 16) "crate")
  (data (i32.const 32) "usage: olin_hostless_http.wat HOST[:PORT] [crate]\n")
  (data (i32.const 96) "resource_open(\22https://\22) = ")
  (data (i32.const 128) "resource_write = ")
  (data (i32.const 160) "resource_flush = ")
  (data (i32.const 192) "resource_read = ")
  ;; the two ways the head can end after the Host value
  (data (i32.const 224) "\0d\0a\0d\0a")
  (data (i32.const 240) "\0auser-agent: Olin/dev\0a\0a\0a")
  ;; the request is built at 1024: this prefix, the Host value, an ending
  (data (i32.const 1024) "GET /hostless.txt HTTP/1.1\0d\0aHost: ")
  ;; 768: scratch for the second argument and for numbers
  ;; 4096: the response, 4096 bytes at a time

  ;; Writes msg, then code in decimal and a newline, to standard error.
  (func $report (param $msg i32) (param $len i32) (param $code i32)
    (local $p i32) (local $v i32) (local $neg i32)
    (drop (call $write (call $stderr) (local.get $msg) (local.get $len)))
    (local.set $v (local.get $code))
    (if (i32.lt_s (local.get $v) (i32.const 0))
      (then
        (local.set $neg (i32.const 1))
        (local.set $v (i32.sub (i32.const 0) (local.get $v)))))
    ;; digits backwards from 1000, the newline at 1000
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
    (drop (call $write (call $stderr) (local.get $p)
      (i32.sub (i32.const 1001) (local.get $p)))))

  ;; Whether the second argument is `crate`.
  (func $crate_mode (result i32)
    (if (i32.lt_s (call $arg_len) (i32.const 3)) (then (return (i32.const 0))))
    (if (i32.ne (call $arg_at (i32.const 2) (i32.const 768) (i32.const 64)) (i32.const 5))
      (then (return (i32.const 0))))
    (i32.and
      (i32.eq (i32.load (i32.const 768)) (i32.load (i32.const 16)))
      (i32.eq (i32.load8_u (i32.const 772)) (i32.load8_u (i32.const 20)))))

  (func (export "_start")
    (local $host_len i32) (local $len i32) (local $res i32) (local $n i32)
    (if (i32.lt_s (call $arg_len) (i32.const 2))
      (then
        (drop (call $write (call $stderr) (i32.const 32) (i32.const 50)))
        (call $exit (i32.const 2))))
    ;; the request: prefix (34 bytes), Host value, ending
    (local.set $host_len (call $arg_at (i32.const 1) (i32.const 1058) (i32.const 1024)))
    (local.set $len (i32.add (i32.const 34) (local.get $host_len)))
    (if (call $crate_mode)
      (then
        (memory.copy (i32.add (i32.const 1024) (local.get $len)) (i32.const 240) (i32.const 24))
        (local.set $len (i32.add (local.get $len) (i32.const 24))))
      (else
        (memory.copy (i32.add (i32.const 1024) (local.get $len)) (i32.const 224) (i32.const 4))
        (local.set $len (i32.add (local.get $len) (i32.const 4)))))

    (local.set $res (call $open (i32.const 0) (i32.const 8)))
    (if (i32.lt_s (local.get $res) (i32.const 0))
      (then
        (call $report (i32.const 96) (i32.const 28) (local.get $res))
        (call $exit (i32.const 1))))
    (local.set $n (call $write (local.get $res) (i32.const 1024) (local.get $len)))
    (if (i32.ne (local.get $n) (local.get $len))
      (then
        (call $report (i32.const 128) (i32.const 17) (local.get $n))
        (call $exit (i32.const 3))))
    (local.set $n (call $flush (local.get $res)))
    (if (i32.ne (local.get $n) (i32.const 0))
      (then
        (call $report (i32.const 160) (i32.const 17) (local.get $n))
        (call $exit (i32.const 4))))
    ;; the raw response, to standard output, until EOF
    (block $done
      (loop $copy
        (local.set $n (call $read (local.get $res) (i32.const 4096) (i32.const 4096)))
        (br_if $done (i32.eq (local.get $n) (i32.const -5)))
        (if (i32.lt_s (local.get $n) (i32.const 0))
          (then
            (call $report (i32.const 192) (i32.const 16) (local.get $n))
            (call $exit (i32.const 5))))
        (br_if $done (i32.eqz (local.get $n)))
        (drop (call $write (call $stdout) (i32.const 4096) (local.get $n)))
        (br $copy)))
    (call $close (local.get $res))))
