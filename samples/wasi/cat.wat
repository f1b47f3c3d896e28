;; cat.wat: copies standard input to standard output, like `cat`.
;; Teaches: the read/write loop at the heart of every Unix filter. `fd_read`
;; fills a buffer through an iovec and reports how many bytes arrived; 0
;; means the input has ended. `fd_write` may take fewer bytes than it was
;; offered, so the guest keeps writing until the whole chunk is out. Any
;; errno other than 0 ends the guest with that number as its exit status.
;; Try: echo hello | wasmhole run --trace samples/wasi/cat.wat
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; Memory: the iovec { buf, buf_len } at 0, the count the host reports at 8,
  ;; and a 4096-byte buffer at 1024.
  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $proc_exit (local.get $errno)))))
  (func (export "_start")
    (local $left i32) (local $at i32)
    (loop $chunks
      ;; fd_read(fd=0, iovs=0, iovs_len=1, nread=8) into the buffer
      (i32.store (i32.const 0) (i32.const 1024))
      (i32.store (i32.const 4) (i32.const 4096))
      (call $check (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $left (i32.load (i32.const 8)))
      (if (i32.eqz (local.get $left)) (then (return)))
      ;; fd_write(fd=1, …) until all $left bytes from $at are written
      (local.set $at (i32.const 1024))
      (loop $rest
        (i32.store (i32.const 0) (local.get $at))
        (i32.store (i32.const 4) (local.get $left))
        (call $check (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $at (i32.add (local.get $at) (i32.load (i32.const 8))))
        (local.set $left (i32.sub (local.get $left) (i32.load (i32.const 8))))
        (br_if $rest (local.get $left)))
      (br $chunks))))
