;; fortune.wat (WASI): a random fortune on a text route.
;; Teaches: random_get fills guest memory with random bytes from the host.
;; The fortunes live in the module's data, separated by `%` lines the way
;; the Unix fortune program stores them. The guest only prints: on a text
;; route gopherd sends that as it is, unless text_framing = "rfc1436" has it
;; end with a `.` line and double a leading dot (one fortune starts with "...").
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; The fortunes, each followed by a line holding only `%`; NUL at the end.
  (data (i32.const 1024)
    "A gopher hole is a menu with a point of view.\n%\n"
    "Every pointer is an offset, every offset is checked.\n%\n"
    "...a line may start with a dot; under rfc1436 framing it travels with two.\n%\n"
    "The sandbox you run in today is gone before the next request.\n%\n"
    "Menus end with a lone dot.\nFortunes end when the connection closes.\n%\n"
    "Fuel is just a promise to stop.\n%\n"
    "\00")

  (func $write (param $p i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Whether a `%` separator line starts at $p.
  (func $is_separator (param $p i32) (result i32)
    (i32.and
      (i32.and
        (i32.eq (i32.load8_u (local.get $p)) (i32.const 37))           ;; '%'
        (i32.eq (i32.load8_u (i32.add (local.get $p) (i32.const 1))) (i32.const 10)))
      (i32.eq (i32.load8_u (i32.sub (local.get $p) (i32.const 1))) (i32.const 10))))

  (func (export "_start")
    (local $p i32) (local $count i32) (local $pick i32) (local $start i32)
    ;; Count the fortunes.
    (local.set $p (i32.const 1024))
    (block $counted
      (loop $scan
        (br_if $counted (i32.eqz (i32.load8_u (local.get $p))))
        (if (call $is_separator (local.get $p))
          (then (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $scan)))
    ;; Four random bytes at address 16 choose one.
    (drop (call $random_get (i32.const 16) (i32.const 4)))
    (local.set $pick (i32.rem_u (i32.load (i32.const 16)) (local.get $count)))
    ;; Walk to it and print it.
    (local.set $p (i32.const 1024))
    (local.set $start (i32.const 1024))
    (loop $walk
      (if (call $is_separator (local.get $p))
        (then
          (if (i32.eqz (local.get $pick))
            (then
              (call $write (local.get $start) (i32.sub (local.get $p) (local.get $start)))
              (return)))
          (local.set $pick (i32.sub (local.get $pick) (i32.const 1)))
          (local.set $start (i32.add (local.get $p) (i32.const 2)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $walk))))
