;; fill.wat: writes 0xaa into every byte of its memory (one page, 65536
;; bytes), then prints "filled".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "filled\n")
  (func $fill
    (local $at i32)
    (loop $next
      (i32.store8 (local.get $at) (i32.const 0xaa))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      ;; go on while at < 65536
      (br_if $next (i32.lt_u (local.get $at) (i32.const 65536)))))
  (func (export "_start")
    (call $fill)
    ;; the fill overwrote the text at 16: put it back
    (i64.store (i32.const 16) (i64.const 0x000a64656c6c6966))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 7))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
