;; write_4gib.wat: one fd_write of 4 GiB (two 2 GiB iovecs over the same
;; memory) to standard output. A 32-bit count cannot say 4 GiB: the host
;; writes u32::MAX bytes and says so. Exits 0 if nwritten is 0xffffffff.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (if (i32.eq (memory.grow (i32.const 32767)) (i32.const -1))
      (then (call $exit (i32.const 2))))
    (i32.store (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (i32.const 0x80000000))
    (i32.store (i32.const 8) (i32.const 0))
    (i32.store (i32.const 12) (i32.const 0x80000000))
    (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16))
      (then (call $exit (i32.const 3))))
    (call $exit (i32.ne (i32.load (i32.const 16)) (i32.const -1)))))
