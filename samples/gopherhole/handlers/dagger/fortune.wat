;; fortune.wat (Dagger): a random fortune on a text route.
;; Teaches: in Dagger even randomness is a stream: open `random://` and
;; read as many bytes as you need. The fortunes live in the module's data,
;; separated by `%` lines as the Unix fortune program stores them. gopherd
;; sends the text as printed (text_framing = "rfc1436" adds `.` framing).
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write_fd (param i32 i32 i32) (result i32)))
  (import "dagger" "close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)

  (data (i32.const 512) "fd://1\00")
  (data (i32.const 520) "random://\00")
  ;; The fortunes, each followed by a line holding only `%`; NUL at the end.
  (data (i32.const 1024)
    "Everything is a stream, if you squint.\n%\n"
    "Five calls are enough to say hello, roll dice and sign a guestbook.\n%\n"
    "...a leading dot is sent as it is, unless the server frames text as RFC 1436 says.\n%\n"
    "A URL is a capability with a name you can read.\n%\n"
    "No descriptor is open at start. Not even standard output.\n%\n"
    "\00")

  (func $is_separator (param $p i32) (result i32)
    (i32.and
      (i32.and
        (i32.eq (i32.load8_u (local.get $p)) (i32.const 37))
        (i32.eq (i32.load8_u (i32.add (local.get $p) (i32.const 1))) (i32.const 10)))
      (i32.eq (i32.load8_u (i32.sub (local.get $p) (i32.const 1))) (i32.const 10))))

  (func (export "main") (result i32)
    (local $p i32) (local $count i32) (local $pick i32) (local $start i32) (local $dice i32)
    (local.set $p (i32.const 1024))
    (block $counted
      (loop $scan
        (br_if $counted (i32.eqz (i32.load8_u (local.get $p))))
        (if (call $is_separator (local.get $p))
          (then (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $scan)))
    ;; Four random bytes at address 16.
    (local.set $dice (call $open (i32.const 520) (i32.const 0)))
    (drop (call $read (local.get $dice) (i32.const 16) (i32.const 4)))
    (drop (call $close (local.get $dice)))
    (local.set $pick (i32.rem_u (i32.load (i32.const 16)) (local.get $count)))
    (local.set $p (i32.const 1024))
    (local.set $start (i32.const 1024))
    (loop $walk
      (if (call $is_separator (local.get $p))
        (then
          (if (i32.eqz (local.get $pick))
            (then
              (drop (call $write_fd (call $open (i32.const 512) (i32.const 0))
                                    (local.get $start) (i32.sub (local.get $p) (local.get $start))))
              (return (i32.const 0))))
          (local.set $pick (i32.sub (local.get $pick) (i32.const 1)))
          (local.set $start (i32.add (local.get $p) (i32.const 2)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $walk))
    (i32.const 0)))
