;; files.wat: creates a file, writes to it, and reads it back.
;; Teaches: a WASI guest has no filesystem of its own, only the directories
;; it was granted. The first granted directory is descriptor 3 (after stdin,
;; stdout and stderr). `path_open` opens a path relative to such a directory;
;; its oflags say what to do (CREAT creates the file, TRUNC empties it) and
;; its rights say what the new descriptor may be used for. After that come
;; the ordinary calls: write, seek back to the start, read, close. No path
;; can lead outside the granted directory, not even with `..`.
;; Try: mkdir -p /tmp/box && wasmhole run --trace --dir /tmp/box::box samples/wasi/files.wat
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek"
    (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; Memory: an iovec at 0, a count at 8, the new descriptor at 12, the new
  ;; offset at 16, the file name at 64, the text at 128, and the buffer the
  ;; text is read back into at 1024.
  (data (i32.const 64) "greeting.txt")
  (data (i32.const 128) "Hello from a file!\n")
  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $proc_exit (local.get $errno)))))
  (func (export "_start")
    (local $fd i32)
    ;; path_open(dirfd=3, dirflags=0, path="greeting.txt", oflags=CREAT|TRUNC,
    ;;           rights=FD_READ|FD_SEEK|FD_WRITE, inheriting=0, fdflags=0)
    (call $check (call $path_open
      (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 12)
      (i32.const 9) (i64.const 0x46) (i64.const 0) (i32.const 0) (i32.const 12)))
    (local.set $fd (i32.load (i32.const 12)))
    ;; write the text
    (i32.store (i32.const 0) (i32.const 128))
    (i32.store (i32.const 4) (i32.const 19))
    (call $check (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; back to the start: fd_seek(fd, 0, SET)
    (call $check (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 16)))
    ;; read it back into the buffer
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 1024))
    (call $check (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $check (call $fd_close (local.get $fd)))
    ;; and show what was read on standard output
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (call $check (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
