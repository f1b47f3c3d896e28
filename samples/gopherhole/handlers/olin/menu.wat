;; menu.wat (Olin): a Gopher menu from a CommonWA guest.
;; Teaches: Olin calls come in namespaces imported from `cwa`. The request's
;; CGI variables are read with env_get (key as pointer and length; -4 when
;; missing, the size needed when the buffer is too small); the program's
;; arguments with startup_arg_len and startup_arg_at; standard output is the
;; resource io_get_stdout returns, written with resource_write.
(module
  (import "cwa" "io_get_stdout" (func $io_get_stdout (result i32)))
  (import "cwa" "resource_write" (func $resource_write (param i32 i32 i32) (result i32)))
  (import "cwa" "env_get" (func $env_get (param i32 i32 i32 i32) (result i32)))
  (import "cwa" "startup_arg_len" (func $startup_arg_len (result i32)))
  (import "cwa" "startup_arg_at" (func $startup_arg_at (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $out (mut i32) (i32.const 1))

  ;; Memory map: 64..96 digits, 1024.. texts, 2048 values (1 KiB), 3072 an argument.
  (data (i32.const 1024) "Olin (CommonWA) handlers: every link below runs a wasm module\nthrough the cwa namespaces, once per request.\n\n\00")
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
  (data (i32.const 1760) "This module was started as \00")
  (data (i32.const 1792) " with \00")
  (data (i32.const 1800) " argument(s).\n\00")

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

  ;; Writes the value of environment variable $name (NUL-terminated here;
  ;; env_get takes a pointer and a length) through a 1 KiB buffer at 2048.
  (func $putenv (param $name i32)
    (local $n i32)
    (local.set $n (call $env_get (local.get $name) (call $strlen (local.get $name))
                                 (i32.const 2048) (i32.const 1024)))
    ;; Negative: not set (-4). Larger than the buffer: the size it would need.
    (if (i32.and (i32.gt_s (local.get $n) (i32.const 0)) (i32.le_s (local.get $n) (i32.const 1024)))
      (then (call $write (i32.const 2048) (local.get $n)))))

  ;; Writes a non-negative i32 in decimal.
  (func $put_num (param $v i32)
    (local $p i32)
    (local.set $p (i32.const 96))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digit (local.get $v)))
    (call $write (local.get $p) (i32.sub (i32.const 96) (local.get $p))))

  (func (export "_start")
    (local $n i32)
    (global.set $out (call $io_get_stdout))
    (call $puts (i32.const 1024))
    (call $puts (i32.const 1280))
    (call $puts (i32.const 1536))
    (call $putenv (i32.const 1712))
    (call $puts (i32.const 1560))
    (call $putenv (i32.const 1728))
    (call $puts (i32.const 1584))
    ;; PATH_INFO is what follows the route's prefix; empty for /olin itself.
    (local.set $n (call $env_get (i32.const 1744) (call $strlen (i32.const 1744))
                                 (i32.const 2048) (i32.const 1024)))
    (if (i32.and (i32.gt_s (local.get $n) (i32.const 0)) (i32.le_s (local.get $n) (i32.const 1024)))
      (then
        (call $puts (i32.const 1600))
        (call $write (i32.const 2048) (local.get $n))
        (call $puts (i32.const 1624))))
    ;; Argument 0 is the program's name.
    (call $puts (i32.const 1760))
    (local.set $n (call $startup_arg_at (i32.const 0) (i32.const 3072) (i32.const 256)))
    (if (i32.gt_s (local.get $n) (i32.const 0)) (then (call $write (i32.const 3072) (local.get $n))))
    (call $puts (i32.const 1792))
    (call $put_num (call $startup_arg_len))
    (call $puts (i32.const 1800))
    (call $puts (i32.const 1680))))
