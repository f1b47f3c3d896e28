;; guestbook.wat (WASI): a guestbook that appends to a granted directory.
;; Teaches: a handler sees only the directories its route grants, as
;; preopened descriptors (the first is 3). path_open with O_CREAT and the
;; APPEND flag adds a line atomically even when two visitors sign at once.
;; Every request costs the same however long the book grows: fd_seek from
;; the end reads only the newest 8 KiB (the page shows 4 to 8 KiB of
;; them), and fd_filestat_get's size keeps the book to 64 KiB, so no
;; visitor can fill the disk. Signing is a search (type 7): the query is
;; the message, cut to 200 bytes on a character boundary (never inside a
;; UTF-8 sequence).
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek"
    (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get"
    (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)

  ;; Memory map: 0 iovec, 16 out-values, 32 seek result, 48 the file's
  ;; filestat (its size at 80), 1024.. texts, 16384 environment pointers,
  ;; 20480 environment strings, 36864 the message (256 bytes read, 200
  ;; kept), 40960 the file's tail (8 KiB).
  (data (i32.const 1024) "The guestbook: what visitors wrote, newest last.\n\n\00")
  (data (i32.const 1152) "Thank you for signing!\n\n\00")
  (data (i32.const 1200) "No one has signed yet. Be the first!\n\00")
  (data (i32.const 1264) "> \00")
  (data (i32.const 1272) "\n7Sign the guestbook\t\00")
  (data (i32.const 1312) "\n1Back to the WASI handlers\t/wasi\n\00")
  (data (i32.const 1360) "guestbook: cannot open guestbook.txt in the granted directory\n\00")
  (data (i32.const 1440) "SCRIPT_NAME\00")
  (data (i32.const 1456) "guestbook.txt\00")
  (data (i32.const 1480) "\n\00")
  (data (i32.const 1488) "The guestbook is full: it keeps 64 KiB of signatures.\n\n\00")

  (func $strlen (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $q) (local.get $p)))

  (func $write_fd (param $fd i32) (param $p i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $write (param $p i32) (param $len i32)
    (call $write_fd (i32.const 1) (local.get $p) (local.get $len)))

  (func $puts (param $p i32)
    (call $write (local.get $p) (call $strlen (local.get $p))))

  ;; The value of environment variable $name (NUL-terminated), or 0.
  (func $getenv (param $name i32) (result i32)
    (local $count i32) (local $i i32) (local $entry i32) (local $j i32) (local $c i32)
    (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
    (local.set $count (i32.load (i32.const 16)))
    (if (i32.or (i32.gt_u (local.get $count) (i32.const 1024))
                (i32.gt_u (i32.load (i32.const 20)) (i32.const 16384)))
      (then (return (i32.const 0))))
    (drop (call $environ_get (i32.const 16384) (i32.const 20480)))
    (block $missing
      (loop $entries
        (br_if $missing (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $entry
          (i32.load (i32.add (i32.const 16384) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $j (i32.const 0))
        (block $differs
          (loop $chars
            (local.set $c (i32.load8_u (i32.add (local.get $name) (local.get $j))))
            (if (i32.eqz (local.get $c))
              (then
                (br_if $differs
                  (i32.ne (i32.load8_u (i32.add (local.get $entry) (local.get $j)))
                          (i32.const 61)))
                (return (i32.add (i32.add (local.get $entry) (local.get $j)) (i32.const 1)))))
            (br_if $differs
              (i32.ne (local.get $c) (i32.load8_u (i32.add (local.get $entry) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $chars)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $entries)))
    (i32.const 0))

  (func (export "_start")
    (local $qlen i32) (local $n i32) (local $fd i32) (local $len i32)
    (local $shifted i32) (local $p i32) (local $end i32) (local $e i32) (local $script i32)
    (local $full i32)
    ;; The message: standard input, at most 256 bytes read.
    (block $read_all
      (loop $read
        (br_if $read_all (i32.ge_u (local.get $qlen) (i32.const 256)))
        (i32.store (i32.const 0) (i32.add (i32.const 36864) (local.get $qlen)))
        (i32.store (i32.const 4) (i32.sub (i32.const 256) (local.get $qlen)))
        (br_if $read_all (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
        (local.set $n (i32.load (i32.const 16)))
        (br_if $read_all (i32.eqz (local.get $n)))
        (local.set $qlen (i32.add (local.get $qlen) (local.get $n)))
        (br $read)))
    ;; Keep 200 bytes, backing off to the start of a character: a byte
    ;; 10xxxxxx continues the character before it.
    (if (i32.gt_u (local.get $qlen) (i32.const 200))
      (then
        (local.set $qlen (i32.const 200))
        (block $boundary
          (loop $back
            (br_if $boundary (i32.ne (i32.and (i32.load8_u (i32.add (i32.const 36864) (local.get $qlen)))
                                              (i32.const 0xC0))
                                     (i32.const 0x80)))
            (local.set $qlen (i32.sub (local.get $qlen) (i32.const 1)))
            (br_if $back (local.get $qlen))))))
    ;; Open guestbook.txt in the first granted directory (descriptor 3):
    ;; O_CREAT (1); rights fd_read (2) | fd_seek (4) | fd_write (64) |
    ;; fd_filestat_get (2097152); APPEND (1).
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 1456) (i32.const 13)
                         (i32.const 1) (i64.const 2097222) (i64.const 0) (i32.const 1) (i32.const 24))
      (then
        (call $write_fd (i32.const 2) (i32.const 1360) (call $strlen (i32.const 1360)))
        (call $proc_exit (i32.const 1))))
    (local.set $fd (i32.load (i32.const 24)))
    ;; A full book takes no more signatures.
    (drop (call $fd_filestat_get (local.get $fd) (i32.const 48)))
    (if (i64.ge_u (i64.load (i32.const 80)) (i64.const 65536))
      (then (local.set $full (i32.const 1))))
    ;; Sign: the message and its newline in one write.
    (if (i32.and (i32.ne (local.get $qlen) (i32.const 0)) (i32.eqz (local.get $full)))
      (then
        (i32.store8 (i32.add (i32.const 36864) (local.get $qlen)) (i32.const 10))
        (call $write_fd (local.get $fd) (i32.const 36864) (i32.add (local.get $qlen) (i32.const 1)))))
    ;; Read only the newest 8 KiB (whence 2: from the end), or all of a
    ;; shorter file; starting mid-file, the first line is cut.
    (if (call $fd_seek (local.get $fd) (i64.const -8192) (i32.const 2) (i32.const 32))
      (then (drop (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 32)))))
    (if (i64.ne (i64.load (i32.const 32)) (i64.const 0))
      (then (local.set $shifted (i32.const 1))))
    (block $eof
      (loop $chunks
        (i32.store (i32.const 0) (i32.add (i32.const 40960) (local.get $len)))
        (i32.store (i32.const 4) (i32.sub (i32.const 8192) (local.get $len)))
        (br_if $eof (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
        (local.set $n (i32.load (i32.const 16)))
        (br_if $eof (i32.eqz (local.get $n)))
        (local.set $len (i32.add (local.get $len) (local.get $n)))
        (if (i32.eq (local.get $len) (i32.const 8192))
          (then
            (memory.copy (i32.const 40960) (i32.const 45056) (i32.const 4096))
            (local.set $len (i32.const 4096))
            (local.set $shifted (i32.const 1))))
        (br $chunks)))
    (local.set $p (i32.const 40960))
    (local.set $end (i32.add (i32.const 40960) (local.get $len)))
    ;; After a shift the first line is cut: skip it.
    (if (local.get $shifted)
      (then
        (block $skipped
          (loop $skip
            (br_if $skipped (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $skipped (i32.eq (i32.load8_u (i32.sub (local.get $p) (i32.const 1))) (i32.const 10)))
            (br $skip)))))
    (if (local.get $qlen)
      (then (call $puts (select (i32.const 1488) (i32.const 1152) (local.get $full)))))
    (call $puts (i32.const 1024))
    (if (i32.ge_u (local.get $p) (local.get $end)) (then (call $puts (i32.const 1200))))
    ;; One "> entry" line each: a line without a tab is text in a menu.
    (block $listed
      (loop $lines
        (br_if $listed (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $e (local.get $p))
        (block $eol
          (loop $find_eol
            (br_if $eol (i32.ge_u (local.get $e) (local.get $end)))
            (br_if $eol (i32.eq (i32.load8_u (local.get $e)) (i32.const 10)))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $find_eol)))
        (call $puts (i32.const 1264))
        (call $write (local.get $p) (i32.sub (local.get $e) (local.get $p)))
        (call $puts (i32.const 1480))
        (local.set $p (i32.add (local.get $e) (i32.const 1)))
        (br $lines)))
    ;; A search link back to this route, whatever its selector is.
    (call $puts (i32.const 1272))
    (local.set $script (call $getenv (i32.const 1440)))
    (if (local.get $script) (then (call $puts (local.get $script))))
    (call $puts (i32.const 1312))))
