;; fortune.wat (Olin): a random fortune on a text route.
;; Teaches: CommonWA has random_i32 for non-cryptographic dice (and
;; random:// for real randomness). The fortunes live in the module's data,
;; separated by `%` lines as the Unix fortune program stores them. gopherd
;; sends the text as printed (text_framing = "rfc1436" adds `.` framing).
(module
  (import "cwa" "io_get_stdout" (func $io_get_stdout (result i32)))
  (import "cwa" "resource_write" (func $resource_write (param i32 i32 i32) (result i32)))
  (import "cwa" "random_i32" (func $random_i32 (result i32)))
  (memory (export "memory") 1)

  ;; The fortunes, each followed by a line holding only `%`; NUL at the end.
  (data (i32.const 1024)
    "Namespaces are one honking great idea.\n%\n"
    "env_get returns the size it needs when your buffer is too small.\n%\n"
    "...text goes out as printed; rfc1436 framing would double this dot.\n%\n"
    "Every resource is a URL; every URL can be refused.\n%\n"
    "The runtime is named, versioned, and gone after this request.\n%\n"
    "\00")

  ;; Whether a `%` separator line starts at $p.
  (func $is_separator (param $p i32) (result i32)
    (i32.and
      (i32.and
        (i32.eq (i32.load8_u (local.get $p)) (i32.const 37))           ;; '%'
        (i32.eq (i32.load8_u (i32.add (local.get $p) (i32.const 1))) (i32.const 10)))
      (i32.eq (i32.load8_u (i32.sub (local.get $p) (i32.const 1))) (i32.const 10))))

  (func (export "_start")
    (local $p i32) (local $count i32) (local $pick i32) (local $start i32)
    (local.set $p (i32.const 1024))
    (block $counted
      (loop $scan
        (br_if $counted (i32.eqz (i32.load8_u (local.get $p))))
        (if (call $is_separator (local.get $p))
          (then (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $scan)))
    (local.set $pick (i32.rem_u (call $random_i32) (local.get $count)))
    (local.set $p (i32.const 1024))
    (local.set $start (i32.const 1024))
    (loop $walk
      (if (call $is_separator (local.get $p))
        (then
          (if (i32.eqz (local.get $pick))
            (then
              (drop (call $resource_write (call $io_get_stdout)
                                          (local.get $start) (i32.sub (local.get $p) (local.get $start))))
              (return)))
          (local.set $pick (i32.sub (local.get $pick) (i32.const 1)))
          (local.set $start (i32.add (local.get $p) (i32.const 2)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $walk))))
