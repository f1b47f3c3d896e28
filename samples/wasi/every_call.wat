;; every_call.wat: every WASI call this sample set does not show elsewhere,
;; once each, on a directory it is granted, printing each call's errno.
;; Teaches: the whole of WASI preview 1 is a few dozen calls on descriptors
;; and paths. The file calls go one after another on sub/a.txt: create it,
;; write and read it at an offset, advise, allocate, resize, stat, set its
;; flags and times, sync it; link, symlink, rename and list; renumber a
;; descriptor, drop its rights, close it; then clean up. The last calls
;; show what a host without signals or sockets answers (ENOSYS, ENOTSOCK).
;; Every call's card (Help → Calls reference) explains what it did.
;; Try: mkdir -p /tmp/tour && wasmhole run --trace --dir /tmp/tour::tour samples/wasi/every_call.wat
(module
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_advise" (func $fd_advise (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_allocate" (func $fd_allocate (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $fd_filestat_set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func $fd_filestat_set_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_sync" (func $fd_sync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_datasync" (func $fd_datasync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times" (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $fd_fdstat_set_rights (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 4096) "sub")
  (data (i32.const 4100) "sub/a.txt")
  (data (i32.const 4110) "sub/b.txt")
  (data (i32.const 4120) "a.txt")
  (data (i32.const 4126) "sub/c.txt")
  (data (i32.const 4136) "sub/d.txt")
  (data (i32.const 4146) "hello tour\n")
  (data (i32.const 4158) "clock_res_get")
  (data (i32.const 4172) "sched_yield")
  (data (i32.const 4184) "fd_prestat_get")
  (data (i32.const 4199) "fd_prestat_dir_name")
  (data (i32.const 4219) "path_create_directory")
  (data (i32.const 4241) "path_open")
  (data (i32.const 4251) "fd_pwrite")
  (data (i32.const 4261) "fd_pread")
  (data (i32.const 4270) "fd_advise")
  (data (i32.const 4280) "fd_allocate")
  (data (i32.const 4292) "fd_filestat_set_size")
  (data (i32.const 4313) "fd_tell")
  (data (i32.const 4321) "fd_fdstat_get")
  (data (i32.const 4335) "fd_fdstat_set_flags")
  (data (i32.const 4355) "fd_filestat_get")
  (data (i32.const 4371) "fd_filestat_set_times")
  (data (i32.const 4393) "fd_sync")
  (data (i32.const 4401) "fd_datasync")
  (data (i32.const 4413) "path_filestat_get")
  (data (i32.const 4431) "path_filestat_set_times")
  (data (i32.const 4455) "path_link")
  (data (i32.const 4465) "path_symlink")
  (data (i32.const 4478) "path_readlink")
  (data (i32.const 4492) "path_rename")
  (data (i32.const 4504) "fd_readdir")
  (data (i32.const 4515) "fd_renumber")
  (data (i32.const 4527) "fd_fdstat_set_rights")
  (data (i32.const 4548) "fd_close")
  (data (i32.const 4557) "path_unlink_file")
  (data (i32.const 4574) "path_remove_directory")
  (data (i32.const 4596) "proc_raise")
  (data (i32.const 4607) "sock_accept")
  (data (i32.const 4619) "sock_recv")
  (data (i32.const 4629) "sock_send")
  (data (i32.const 4639) "sock_shutdown")
  ;; Prints "NAME ERRNO" and a newline (an errno has one or two digits).
  (func $report (param $name i32) (param $len i32) (param $errno i32)
    (local $at i32)
    (i32.store (i32.const 0x20) (local.get $name))
    (i32.store (i32.const 0x24) (local.get $len))
    (i32.store8 (i32.const 0x40) (i32.const 32))
    (local.set $at (i32.const 0x41))
    (if (i32.ge_u (local.get $errno) (i32.const 10))
      (then
        (i32.store8 (local.get $at)
          (i32.add (i32.const 48) (i32.div_u (local.get $errno) (i32.const 10))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))))
    (i32.store8 (local.get $at)
      (i32.add (i32.const 48) (i32.rem_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.const 10))
    (i32.store (i32.const 0x28) (i32.const 0x40))
    (i32.store (i32.const 0x2c) (i32.sub (i32.add (local.get $at) (i32.const 2)) (i32.const 0x40)))
    (drop (call $fd_write (i32.const 1) (i32.const 0x20) (i32.const 2) (i32.const 0x30))))
  (func (export "_start")
    ;; the iovec at 0x180 holds the text to write; the one at 0x188, room to read
    (i32.store (i32.const 0x180) (i32.const 4146))
    (i32.store (i32.const 0x184) (i32.const 11))
    (i32.store (i32.const 0x188) (i32.const 0x500))
    (i32.store (i32.const 0x18c) (i32.const 32))
    ;; the MONOTONIC clock's resolution, in nanoseconds
    (call $report (i32.const 4158) (i32.const 13) (call $clock_res_get (i32.const 1) (i32.const 0x100)))
    ;; let other threads run
    (call $report (i32.const 4172) (i32.const 11) (call $sched_yield ))
    ;; is descriptor 3 a granted directory? (its name's length)
    (call $report (i32.const 4184) (i32.const 14) (call $fd_prestat_get (i32.const 3) (i32.const 0x100)))
    ;; its name
    (call $report (i32.const 4199) (i32.const 19) (call $fd_prestat_dir_name (i32.const 3) (i32.const 0x300) (i32.const 64)))
    ;; a directory inside the grant
    (call $report (i32.const 4219) (i32.const 21) (call $path_create_directory (i32.const 3) (i32.const 4096) (i32.const 3)))
    ;; create sub/a.txt (CREAT|TRUNC) with every right: descriptor 4
    (call $report (i32.const 4241) (i32.const 9) (call $path_open (i32.const 3) (i32.const 0) (i32.const 4100) (i32.const 9) (i32.const 9) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 0x110)))
    ;; write the iovec's text at offset 0
    (call $report (i32.const 4251) (i32.const 9) (call $fd_pwrite (i32.load (i32.const 0x110)) (i32.const 0x180) (i32.const 1) (i64.const 0) (i32.const 0x100)))
    ;; read it back from offset 0
    (call $report (i32.const 4261) (i32.const 8) (call $fd_pread (i32.load (i32.const 0x110)) (i32.const 0x188) (i32.const 1) (i64.const 0) (i32.const 0x100)))
    ;; the file will be read sequentially
    (call $report (i32.const 4270) (i32.const 9) (call $fd_advise (i32.load (i32.const 0x110)) (i64.const 0) (i64.const 0) (i32.const 1)))
    ;; make room for 64 bytes
    (call $report (i32.const 4280) (i32.const 11) (call $fd_allocate (i32.load (i32.const 0x110)) (i64.const 0) (i64.const 64)))
    ;; and cut it back to 11
    (call $report (i32.const 4292) (i32.const 20) (call $fd_filestat_set_size (i32.load (i32.const 0x110)) (i64.const 11)))
    ;; the file's offset (pwrite and pread leave it at 0)
    (call $report (i32.const 4313) (i32.const 7) (call $fd_tell (i32.load (i32.const 0x110)) (i32.const 0x100)))
    ;; its type, flags and rights
    (call $report (i32.const 4321) (i32.const 13) (call $fd_fdstat_get (i32.load (i32.const 0x110)) (i32.const 0x140)))
    ;; from now on, writes append
    (call $report (i32.const 4335) (i32.const 19) (call $fd_fdstat_set_flags (i32.load (i32.const 0x110)) (i32.const 1)))
    ;; its size, times, inode
    (call $report (i32.const 4355) (i32.const 15) (call $fd_filestat_get (i32.load (i32.const 0x110)) (i32.const 0x1c0)))
    ;; access and modification times to now (ATIM_NOW|MTIM_NOW)
    (call $report (i32.const 4371) (i32.const 21) (call $fd_filestat_set_times (i32.load (i32.const 0x110)) (i64.const 0) (i64.const 0) (i32.const 10)))
    ;; data and metadata to storage
    (call $report (i32.const 4393) (i32.const 7) (call $fd_sync (i32.load (i32.const 0x110))))
    ;; data to storage
    (call $report (i32.const 4401) (i32.const 11) (call $fd_datasync (i32.load (i32.const 0x110))))
    ;; the same file's attributes, by path
    (call $report (i32.const 4413) (i32.const 17) (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 4100) (i32.const 9) (i32.const 0x1c0)))
    ;; its times, by path
    (call $report (i32.const 4431) (i32.const 23) (call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 4100) (i32.const 9) (i64.const 0) (i64.const 0) (i32.const 10)))
    ;; a second name for it
    (call $report (i32.const 4455) (i32.const 9) (call $path_link (i32.const 3) (i32.const 0) (i32.const 4100) (i32.const 9) (i32.const 3) (i32.const 4110) (i32.const 9)))
    ;; a symbolic link to it
    (call $report (i32.const 4465) (i32.const 12) (call $path_symlink (i32.const 4120) (i32.const 5) (i32.const 3) (i32.const 4126) (i32.const 9)))
    ;; the link's target
    (call $report (i32.const 4478) (i32.const 13) (call $path_readlink (i32.const 3) (i32.const 4126) (i32.const 9) (i32.const 0x300) (i32.const 64) (i32.const 0x100)))
    ;; rename b.txt to d.txt
    (call $report (i32.const 4492) (i32.const 11) (call $path_rename (i32.const 3) (i32.const 4110) (i32.const 9) (i32.const 3) (i32.const 4136) (i32.const 9)))
    ;; open the directory itself (DIRECTORY), with the right FD_READDIR: descriptor 5
    (call $report (i32.const 4241) (i32.const 9) (call $path_open (i32.const 3) (i32.const 0) (i32.const 4096) (i32.const 3) (i32.const 2) (i64.const 0x4000) (i64.const 0) (i32.const 0) (i32.const 0x114)))
    ;; list it
    (call $report (i32.const 4504) (i32.const 10) (call $fd_readdir (i32.load (i32.const 0x114)) (i32.const 0x400) (i32.const 256) (i64.const 0) (i32.const 0x100)))
    ;; move 5 onto 4, closing the file
    (call $report (i32.const 4515) (i32.const 11) (call $fd_renumber (i32.load (i32.const 0x114)) (i32.load (i32.const 0x110))))
    ;; drop every right of 4: it can only be closed now
    (call $report (i32.const 4527) (i32.const 20) (call $fd_fdstat_set_rights (i32.load (i32.const 0x110)) (i64.const 0) (i64.const 0)))
    ;; close it
    (call $report (i32.const 4548) (i32.const 8) (call $fd_close (i32.load (i32.const 0x110))))
    ;; remove the files
    (call $report (i32.const 4557) (i32.const 16) (call $path_unlink_file (i32.const 3) (i32.const 4100) (i32.const 9)))
    (call $report (i32.const 4557) (i32.const 16) (call $path_unlink_file (i32.const 3) (i32.const 4126) (i32.const 9)))
    (call $report (i32.const 4557) (i32.const 16) (call $path_unlink_file (i32.const 3) (i32.const 4136) (i32.const 9)))
    ;; and the directory
    (call $report (i32.const 4574) (i32.const 21) (call $path_remove_directory (i32.const 3) (i32.const 4096) (i32.const 3)))
    ;; no signals in WASI: ENOSYS
    (call $report (i32.const 4596) (i32.const 10) (call $proc_raise (i32.const 2)))
    ;; no sockets are granted: ENOTSOCK
    (call $report (i32.const 4607) (i32.const 11) (call $sock_accept (i32.const 3) (i32.const 0) (i32.const 0x100)))
    (call $report (i32.const 4619) (i32.const 9) (call $sock_recv (i32.const 0) (i32.const 0x188) (i32.const 1) (i32.const 0) (i32.const 0x100) (i32.const 0x104)))
    (call $report (i32.const 4629) (i32.const 9) (call $sock_send (i32.const 1) (i32.const 0x180) (i32.const 1) (i32.const 0) (i32.const 0x100)))
    (call $report (i32.const 4639) (i32.const 13) (call $sock_shutdown (i32.const 1) (i32.const 3)))))
