;; http.wat: an HTTP GET, written by hand.
;; Teaches: an `http://` stream takes the raw text of a request; `flush`
;; sends it to the URL the stream was opened with, and reads then return
;; the raw response: status line, headers, a blank line, the body. Guests
;; reach the network only where the user allows it: without
;; `--allow-net 127.0.0.1:8000` the open is refused.
;;
;;   python3 -m http.server 8000 --bind 127.0.0.1 &
;;   wasmhole run --allow-net 127.0.0.1:8000 samples/dagger/http.wat
;;   HTTP/1.0 200 OK
;;   server: SimpleHTTP/0.6 Python/3.x
;;   ...
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (import "dagger" "flush" (func $flush (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "http://127.0.0.1:8000/\00")
  (data (i32.const 32) "fd://1\00")
  (data (i32.const 64) "GET / HTTP/1.1\r\nUser-Agent: dagger-sample\r\nConnection: close\r\n\r\n")
  (data (i32.const 256) "cannot open http://127.0.0.1:8000/ (allow it with --allow-net 127.0.0.1:8000)\n")
  (func (export "main") (result i32)
    (local $out i32) (local $web i32) (local $n i32)
    (local.set $out (call $open (i32.const 32) (i32.const 0)))
    (local.set $web (call $open (i32.const 0) (i32.const 0)))
    (if (i32.lt_s (local.get $web) (i32.const 0))
      (then
        (drop (call $write (local.get $out) (i32.const 256) (i32.const 78)))
        (return (i32.const 1))))
    ;; the request, then flush: now it is sent
    (drop (call $write (local.get $web) (i32.const 64) (i32.const 64)))
    (if (i32.lt_s (call $flush (local.get $web)) (i32.const 0))
      (then (return (i32.const 2))))
    ;; the response, 4 KiB at a time, to standard output
    (block $done
      (loop $copy
        (local.set $n (call $read (local.get $web) (i32.const 4096) (i32.const 4096)))
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (drop (call $write (local.get $out) (i32.const 4096) (local.get $n)))
        (br $copy)))
    (i32.const 0)))
