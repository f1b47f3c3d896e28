;; hello.wat: the smallest WASI program that prints.
;; Teaches: a guest reaches the outside world only through imports. Here it
;; imports `fd_write`, points an iovec at a string in its own memory, and
;; asks the host to write it to descriptor 1 (standard output).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; The text, at address 16.
  (data (i32.const 16) "Hello from a WASI guest!\n")
  (func (export "_start")
    ;; iovec at address 0: { buf = 16, buf_len = 25 }
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 25))
    ;; fd_write(fd=1, iovs=0, iovs_len=1, nwritten=8)
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
