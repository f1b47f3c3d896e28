;; random.wat: eight random bytes, printed in hex.
;; Teaches: `random://` is a stream that never ends: every read fills the
;; whole buffer with cryptographically secure random bytes.
;;
;;   wasmhole run samples/dagger/random.wat
;;   3f09c2a17be4d850
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "random://\00")
  (data (i32.const 16) "fd://1\00")
  (data (i32.const 32) "0123456789abcdef")
  (func (export "main") (result i32)
    (local $rnd i32) (local $i i32) (local $b i32)
    (local.set $rnd (call $open (i32.const 0) (i32.const 0)))
    ;; 8 random bytes at 64
    (if (i32.ne (call $read (local.get $rnd) (i32.const 64) (i32.const 8)) (i32.const 8))
      (then (return (i32.const 1))))
    ;; two hex digits per byte at 128
    (loop $hex
      (local.set $b (i32.load8_u (i32.add (i32.const 64) (local.get $i))))
      (i32.store8 (i32.add (i32.const 128) (i32.shl (local.get $i) (i32.const 1)))
        (i32.load8_u (i32.add (i32.const 32) (i32.shr_u (local.get $b) (i32.const 4)))))
      (i32.store8 (i32.add (i32.const 129) (i32.shl (local.get $i) (i32.const 1)))
        (i32.load8_u (i32.add (i32.const 32) (i32.and (local.get $b) (i32.const 15)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $hex (i32.lt_u (local.get $i) (i32.const 8))))
    (i32.store8 (i32.const 144) (i32.const 10))
    (drop (call $write (call $open (i32.const 16) (i32.const 0)) (i32.const 128) (i32.const 17)))
    (i32.const 0)))
