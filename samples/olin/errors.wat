;; errors.wat: what Olin calls return when they fail, and one that kills.
;; Teaches: Olin's errors are negative numbers with names: -1 UNKNOWN (an
;; operation the resource cannot do, such as writing to random://), -2
;; INVALID_ARGUMENT (a malformed URL, a pointer outside memory, an id that
;; is not open, an argument that does not exist, a buffer too small), -3
;; PERMISSION_DENIED (a host or path the user did not grant), -4 NOT_FOUND
;; (an unset variable, a scheme the host does not have), -5 EOF. Reading
;; null:// gives 0 bytes rather than EOF. `resource_close` cannot return an
;; error, so closing an id that is not open is fatal: the guest is killed
;; and the host says why. `--trace` shows each error by name.
;;
;;   wasmhole run --trace samples/olin/errors.wat
(module
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "resource_read" (func $read (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_close" (func $close (param i32)))
  (import "cwa" "env_get" (func $env_get (param i32 i32 i32 i32) (result i32)))
  (import "cwa" "startup_arg_at" (func $arg_at (param i32 i32 i32) (result i32)))
  (import "cwa" "runtime_name" (func $runtime_name (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $out (mut i32) (i32.const 1))
  (data (i32.const 0) "\n\00")
  (data (i32.const 8) "nope://x")
  (data (i32.const 16) "not a url")
  (data (i32.const 32) "null://")
  (data (i32.const 40) "random://")
  (data (i32.const 56) "MISSING")
  (data (i32.const 64) "https://example.com/")
  (data (i32.const 96) "file:///etc/passwd")
  (data (i32.const 200) "resource_open(\"nope://x\") = \00")
  (data (i32.const 240) "resource_open(\"not a url\") = \00")
  (data (i32.const 280) "resource_open(0xfffffff0, 8) = \00")
  (data (i32.const 320) "resource_read(42, ...) on an id never opened = \00")
  (data (i32.const 380) "resource_read(null://) = \00")
  (data (i32.const 420) "resource_write(random://) = \00")
  (data (i32.const 460) "env_get(\"MISSING\") = \00")
  (data (i32.const 500) "startup_arg_at(99) = \00")
  (data (i32.const 540) "runtime_name into 3 bytes = \00")
  (data (i32.const 580) "resource_open(\"https://example.com/\") without --allow-net = \00")
  (data (i32.const 660) "resource_open(\"file:///etc/passwd\") with no --dir = \00")
  (data (i32.const 720) "resource_close(42), which was never opened: fatal\n\00")
  (func $print (param $p i32)
    (local $n i32)
    (block $end
      (loop $len
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $len)))
    (drop (call $write (global.get $out) (local.get $p) (local.get $n))))
  ;; label, then $v in decimal, then a newline
  (func $line (param $label i32) (param $v i32)
    (local $p i32) (local $u i32)
    (call $print (local.get $label))
    (local.set $p (i32.const 8000))
    (local.set $u (select (i32.sub (i32.const 0) (local.get $v)) (local.get $v)
                          (i32.lt_s (local.get $v) (i32.const 0))))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $u) (i32.const 10))))
      (local.set $u (i32.div_u (local.get $u) (i32.const 10)))
      (br_if $digit (local.get $u)))
    (if (i32.lt_s (local.get $v) (i32.const 0))
      (then
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.const 45))))
    (drop (call $write (global.get $out) (local.get $p) (i32.sub (i32.const 8000) (local.get $p))))
    (call $print (i32.const 0)))
  (func (export "_start")
    (global.set $out (call $stdout))
    (call $line (i32.const 200) (call $open (i32.const 8) (i32.const 8)))
    (call $line (i32.const 240) (call $open (i32.const 16) (i32.const 9)))
    (call $line (i32.const 280) (call $open (i32.const 0xfffffff0) (i32.const 8)))
    (call $line (i32.const 320) (call $read (i32.const 42) (i32.const 4096) (i32.const 8)))
    (call $line (i32.const 380)
      (call $read (call $open (i32.const 32) (i32.const 7)) (i32.const 4096) (i32.const 8)))
    (call $line (i32.const 420)
      (call $write (call $open (i32.const 40) (i32.const 9)) (i32.const 4096) (i32.const 8)))
    (call $line (i32.const 460) (call $env_get (i32.const 56) (i32.const 7) (i32.const 4096) (i32.const 64)))
    (call $line (i32.const 500) (call $arg_at (i32.const 99) (i32.const 4096) (i32.const 64)))
    (call $line (i32.const 540) (call $runtime_name (i32.const 4096) (i32.const 3)))
    (call $line (i32.const 580) (call $open (i32.const 64) (i32.const 20)))
    (call $line (i32.const 660) (call $open (i32.const 96) (i32.const 18)))
    (call $print (i32.const 720))
    (call $close (i32.const 42))))
