;; menu.wat (WASI): a Gopher menu written by a wasm handler.
;; Teaches: a handler's standard output is its response. On a menu route
;; that output uses gophermap syntax: a line without a tab is text, and a
;; `TYPE DISPLAY <tab> SELECTOR` line is a link whose host and port gopherd
;; fills in (a relative selector starts at the route's folder, /wasi/). The
;; request arrives CGI-style in environment variables, read here with
;; environ_sizes_get and environ_get: REMOTE_ADDR, SELECTOR and PATH_INFO.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (memory (export "memory") 2)

  ;; Memory map: 0 iovec, 16 out-values, 1024.. texts (each ends in NUL),
  ;; 16384 environment pointers, 20480 environment strings.
  (data (i32.const 1024) "WASI preview 1 handlers: every link below runs a wasm module\nin a fresh sandbox, once per request.\n\n\00")
  (data (i32.const 1280) "0A random fortune\tfortune\n7Search the documents\tsearch\n1The guestbook\tguestbook\n0The server's clock\ttime\n\n\00")
  (data (i32.const 1536) "You are \00")
  (data (i32.const 1560) ", asking for \00")
  (data (i32.const 1584) ".\n\00")
  (data (i32.const 1600) "Nothing lives at \00")
  (data (i32.const 1624) " under this menu, so here is the menu itself.\n\00")
  (data (i32.const 1680) "\n1Back to the start\t/\n\00")
  (data (i32.const 1712) "REMOTE_ADDR\00")
  (data (i32.const 1728) "SELECTOR\00")
  (data (i32.const 1744) "PATH_INFO\00")

  ;; The length of the NUL-terminated string at $p.
  (func $strlen (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $q) (local.get $p)))

  ;; Writes $len bytes at $p to standard output.
  (func $write (param $p i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Writes the NUL-terminated string at $p.
  (func $puts (param $p i32)
    (call $write (local.get $p) (call $strlen (local.get $p))))

  ;; The value of environment variable $name (NUL-terminated), or 0.
  ;; The host lays out "NAME=value\0" strings; we compare names byte by byte.
  (func $getenv (param $name i32) (result i32)
    (local $count i32) (local $i i32) (local $entry i32) (local $j i32) (local $c i32)
    (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
    (local.set $count (i32.load (i32.const 16)))
    ;; Room for 1024 pointers and 16 KiB of strings.
    (if (i32.or (i32.gt_u (local.get $count) (i32.const 1024))
                (i32.gt_u (i32.load (i32.const 20)) (i32.const 16384)))
      (then (return (i32.const 0))))
    (drop (call $environ_get (i32.const 16384) (i32.const 20480)))
    (block $missing
      (loop $entries
        (br_if $missing (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $entry
          (i32.load (i32.add (i32.const 16384) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $j (i32.const 0))
        (block $differs
          (loop $chars
            (local.set $c (i32.load8_u (i32.add (local.get $name) (local.get $j))))
            (if (i32.eqz (local.get $c))
              (then
                (br_if $differs
                  (i32.ne (i32.load8_u (i32.add (local.get $entry) (local.get $j)))
                          (i32.const 61)))  ;; '='
                (return (i32.add (i32.add (local.get $entry) (local.get $j)) (i32.const 1)))))
            (br_if $differs
              (i32.ne (local.get $c) (i32.load8_u (i32.add (local.get $entry) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $chars)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $entries)))
    (i32.const 0))

  ;; Writes the value of environment variable $name, if it is set.
  (func $putenv (param $name i32)
    (local $value i32)
    (local.set $value (call $getenv (local.get $name)))
    (if (local.get $value) (then (call $puts (local.get $value)))))

  (func (export "_start")
    (local $path_info i32)
    (call $puts (i32.const 1024))
    (call $puts (i32.const 1280))
    (call $puts (i32.const 1536))
    (call $putenv (i32.const 1712))
    (call $puts (i32.const 1560))
    (call $putenv (i32.const 1728))
    (call $puts (i32.const 1584))
    ;; PATH_INFO is what follows the route's prefix: /wasi/nowhere gives /nowhere.
    (local.set $path_info (call $getenv (i32.const 1744)))
    (if (i32.and (i32.ne (local.get $path_info) (i32.const 0))
                 (i32.ne (i32.load8_u (local.get $path_info)) (i32.const 0)))
      (then
        (call $puts (i32.const 1600))
        (call $puts (local.get $path_info))
        (call $puts (i32.const 1624))))
    (call $puts (i32.const 1680))))
