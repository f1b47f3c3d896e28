;; dagger_write_3gib.wat: one Dagger write of 3 GiB to standard output. The
;; count is an i32: the host writes 0x7fffffff bytes and says so. Exits 0
;; if it did.
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "fd://1\00")
  (func (export "main") (result i32)
    (local $out i32)
    (if (i32.eq (memory.grow (i32.const 49151)) (i32.const -1))
      (then (return (i32.const 2))))
    (local.set $out (call $open (i32.const 0) (i32.const 0)))
    (i32.ne (call $write (local.get $out) (i32.const 0) (i32.const 0xc0000000))
            (i32.const 0x7fffffff))))
