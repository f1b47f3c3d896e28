;; errno.wat: reads from a descriptor and exits with the errno fd_read
;; returned (0 when it worked).
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; one iovec at 0: up to 16 bytes into 64
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 16))
    (call $proc_exit
      (call $fd_read
        (i32.const 7)       ;; fd: not open
        (i32.const 0)       ;; iovs
        (i32.const 1)       ;; iovs_len
        (i32.const 8)))))   ;; nread
