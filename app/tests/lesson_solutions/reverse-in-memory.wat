;; reverse.wat: copies the 5 bytes of "hello" from 0x100 to 0x200, adds a
;; newline, and prints the 6 bytes at 0x200.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0x100) "hello")
  (func (export "_start")
    (local $i i32)
    ;; for i = 0, 1, 2, 3, 4: the byte at 0x100 + i goes to 0x204 - i
    (loop $copy
      (i32.store8
        (i32.sub (i32.const 0x204) (local.get $i))
        (i32.load8_u (i32.add (i32.const 0x100) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $copy (i32.lt_u (local.get $i) (i32.const 5))))
    ;; a newline after the five bytes
    (i32.store8 (i32.const 0x205) (i32.const 10))
    ;; the iovec at 0: 6 bytes at 0x200
    (i32.store (i32.const 0) (i32.const 0x200))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
