;; http.wat: fetch the URL given as the first argument.
;; Teaches: an `http://` or `https://` resource takes the raw text of a
;; request; `resource_flush` sends it to the resource's URL and the raw
;; response (status line, headers, blank line, body) is then read until
;; EOF (-5). The host only lets a guest reach hosts the user allowed with
;; `--allow-net HOST[:PORT]` (or a policy allow rule); anything else fails
;; with PERMISSION_DENIED (-3), and the host says which host was refused.
;;
;;   python3 -m http.server 8000 --bind 127.0.0.1 &
;;   wasmhole run --allow-net 127.0.0.1:8000 samples/olin/http.wat http://127.0.0.1:8000/
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
  (data (i32.const 0) "GET / HTTP/1.1\r\nUser-Agent: olin-sample\r\nAccept: */*\r\n\r\n")
  (data (i32.const 100) "usage: http.wat URL\n")
  (data (i32.const 128) "cannot open the URL\n")
  (data (i32.const 160) "the request failed\n")
  (func (export "_start")
    (local $url_len i32) (local $web i32) (local $n i32)
    (if (i32.lt_s (call $arg_len) (i32.const 2))
      (then
        (drop (call $write (call $stderr) (i32.const 100) (i32.const 20)))
        (call $exit (i32.const 2))))
    ;; the URL, at 1024
    (local.set $url_len (call $arg_at (i32.const 1) (i32.const 1024) (i32.const 2048)))
    (local.set $web (call $open (i32.const 1024) (local.get $url_len)))
    (if (i32.lt_s (local.get $web) (i32.const 0))
      (then
        (drop (call $write (call $stderr) (i32.const 128) (i32.const 20)))
        (call $exit (i32.const 1))))
    (drop (call $write (local.get $web) (i32.const 0) (i32.const 56)))
    (if (i32.lt_s (call $flush (local.get $web)) (i32.const 0))
      (then
        (drop (call $write (call $stderr) (i32.const 160) (i32.const 19)))
        (call $exit (i32.const 1))))
    ;; the raw response, to standard output, until EOF
    (block $done
      (loop $copy
        (local.set $n (call $read (local.get $web) (i32.const 4096) (i32.const 4096)))
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (drop (call $write (call $stdout) (i32.const 4096) (local.get $n)))
        (br $copy)))
    (call $close (local.get $web))))
