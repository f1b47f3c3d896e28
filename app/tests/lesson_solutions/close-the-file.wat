;; leak.wat: opens notes.txt in the granted directory (descriptor 3),
;; prints it, and ends without closing it.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "notes.txt")
  (func (export "_start")
    (local $errno i32)
    ;; open notes.txt under descriptor 3, for reading (right FD_READ = 2);
    ;; the host writes the new descriptor's number at 12
    (local.set $errno
      (call $path_open
        (i32.const 3) (i32.const 0)        ;; fd, dirflags
        (i32.const 64) (i32.const 9)       ;; path, path_len
        (i32.const 0)                      ;; oflags
        (i64.const 2) (i64.const 0)        ;; rights: FD_READ; inheriting: none
        (i32.const 0)                      ;; fdflags
        (i32.const 12)))                   ;; opened_fd
    (if (local.get $errno) (then (call $proc_exit (local.get $errno))))
    ;; read up to 1024 bytes into 1024, through the iovec at 0
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 1024))
    (drop (call $fd_read (i32.load (i32.const 12)) (i32.const 0) (i32.const 1) (i32.const 16)))
    ;; write what arrived (its count is at 16) to standard output
    (i32.store (i32.const 4) (i32.load (i32.const 16)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20)))
    (drop (call $fd_close (i32.load (i32.const 12))))))
