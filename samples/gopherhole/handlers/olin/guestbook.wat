;; guestbook.wat (Olin): a guestbook that appends to a granted directory.
;; Teaches: resource_open takes a URL as pointer and length:
;; `file:///data/guestbook.txt?mode=a` appends inside the directory the
;; route grants as /data, and without a mode the file opens for reading. A
;; negative id is an error; this guest logs it with log_write and ends with
;; runtime_exit(1), which gopherd turns into an error item. Resources
;; cannot seek, so the book is kept small instead: once it holds 64 KiB it
;; takes no more signatures, and every request reads at most that much. The
;; message is cut to 200 bytes on a character boundary.
(module
  (import "cwa" "io_get_stdin" (func $io_get_stdin (result i32)))
  (import "cwa" "io_get_stdout" (func $io_get_stdout (result i32)))
  (import "cwa" "resource_open" (func $resource_open (param i32 i32) (result i32)))
  (import "cwa" "resource_read" (func $resource_read (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $resource_write (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_close" (func $resource_close (param i32)))
  (import "cwa" "env_get" (func $env_get (param i32 i32 i32 i32) (result i32)))
  (import "cwa" "log_write" (func $log_write (param i32 i32 i32)))
  (import "cwa" "runtime_exit" (func $runtime_exit (param i32)))
  (memory (export "memory") 2)
  (global $out (mut i32) (i32.const 1))

  ;; Memory map: 1024.. texts, 2048 values (1 KiB), 36864 the message
  ;; (256 bytes read, 200 kept), 40960 the file's tail (8 KiB).
  (data (i32.const 1024) "The guestbook: what visitors wrote, newest last.\n\n\00")
  (data (i32.const 1152) "Thank you for signing!\n\n\00")
  (data (i32.const 1200) "No one has signed yet. Be the first!\n\00")
  (data (i32.const 1264) "> \00")
  (data (i32.const 1272) "\n7Sign the guestbook\t\00")
  (data (i32.const 1312) "\n1Back to the Olin handlers\t/olin\n\00")
  (data (i32.const 1360) "guestbook: cannot open file:///data/guestbook.txt\00")
  (data (i32.const 1440) "SCRIPT_NAME\00")
  (data (i32.const 1456) "file:///data/guestbook.txt?mode=a\00")
  (data (i32.const 1496) "file:///data/guestbook.txt\00")
  (data (i32.const 1528) "\n\00")
  (data (i32.const 1536) "The guestbook is full: it keeps 64 KiB of signatures.\n\n\00")

  (func $strlen (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $q) (local.get $p)))

  ;; The length of the first 200 bytes of the $len bytes at $p, backed off
  ;; to the start of a character: a byte 10xxxxxx continues the one before.
  (func $cut (param $p i32) (param $len i32) (result i32)
    (if (i32.le_u (local.get $len) (i32.const 200)) (then (return (local.get $len))))
    (local.set $len (i32.const 200))
    (block $boundary
      (loop $back
        (br_if $boundary (i32.ne (i32.and (i32.load8_u (i32.add (local.get $p) (local.get $len)))
                                          (i32.const 0xC0))
                                 (i32.const 0x80)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br_if $back (local.get $len))))
    (local.get $len))

  ;; The size of the book, counted up to 64 KiB (the tail area is scratch).
  (func $book_size (result i32)
    (local $id i32) (local $n i32) (local $size i32)
    (local.set $id (call $resource_open (i32.const 1496) (call $strlen (i32.const 1496))))
    (if (i32.lt_s (local.get $id) (i32.const 0)) (then (return (i32.const 0))))
    (block $eof
      (loop $chunks
        (br_if $eof (i32.ge_u (local.get $size) (i32.const 65536)))
        (local.set $n (call $resource_read (local.get $id) (i32.const 40960) (i32.const 8192)))
        (br_if $eof (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $size (i32.add (local.get $size) (local.get $n)))
        (br $chunks)))
    (call $resource_close (local.get $id))
    (local.get $size))

  (func $write (param $p i32) (param $len i32)
    (drop (call $resource_write (global.get $out) (local.get $p) (local.get $len))))

  (func $puts (param $p i32)
    (call $write (local.get $p) (call $strlen (local.get $p))))

  ;; Writes the value of environment variable $name (NUL-terminated here;
  ;; env_get takes a pointer and a length) through a 1 KiB buffer at 2048.
  (func $putenv (param $name i32)
    (local $n i32)
    (local.set $n (call $env_get (local.get $name) (call $strlen (local.get $name))
                                 (i32.const 2048) (i32.const 1024)))
    ;; Negative: not set (-4). Larger than the buffer: the size it would need.
    (if (i32.and (i32.gt_s (local.get $n) (i32.const 0)) (i32.le_s (local.get $n) (i32.const 1024)))
      (then (call $write (i32.const 2048) (local.get $n)))))

  (func (export "_start")
    (local $qlen i32) (local $n i32) (local $id i32) (local $len i32) (local $in i32)
    (local $shifted i32) (local $p i32) (local $end i32) (local $e i32) (local $full i32)
    (global.set $out (call $io_get_stdout))
    ;; The message: standard input, at most 256 bytes read.
    (local.set $in (call $io_get_stdin))
    (block $read_all
      (loop $read
        (br_if $read_all (i32.ge_u (local.get $qlen) (i32.const 256)))
        (local.set $n (call $resource_read (local.get $in) (i32.add (i32.const 36864) (local.get $qlen))
                                           (i32.sub (i32.const 256) (local.get $qlen))))
        (br_if $read_all (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $qlen (i32.add (local.get $qlen) (local.get $n)))
        (br $read)))
    (local.set $qlen (call $cut (i32.const 36864) (local.get $qlen)))
    ;; A full book takes no more signatures.
    (if (local.get $qlen)
      (then (local.set $full (i32.ge_u (call $book_size) (i32.const 65536)))))
    ;; Sign: the message and its newline in one write.
    (if (i32.and (i32.ne (local.get $qlen) (i32.const 0)) (i32.eqz (local.get $full)))
      (then
        (local.set $id (call $resource_open (i32.const 1456) (call $strlen (i32.const 1456))))
        (if (i32.lt_s (local.get $id) (i32.const 0))
          (then
            (call $log_write (i32.const 1) (i32.const 1360) (call $strlen (i32.const 1360)))
            (call $runtime_exit (i32.const 1))))
        (i32.store8 (i32.add (i32.const 36864) (local.get $qlen)) (i32.const 10))
        (drop (call $resource_write (local.get $id) (i32.const 36864) (i32.add (local.get $qlen) (i32.const 1))))
        (call $resource_close (local.get $id))))
    ;; Read it all (at most 64 KiB and what visitors signing at once
    ;; added), keeping the last 4 to 8 KiB. No file yet means no entries.
    (local.set $id (call $resource_open (i32.const 1496) (call $strlen (i32.const 1496))))
    (if (i32.ge_s (local.get $id) (i32.const 0))
      (then
        (block $eof
          (loop $chunks
            (local.set $n (call $resource_read (local.get $id) (i32.add (i32.const 40960) (local.get $len))
                                               (i32.sub (i32.const 8192) (local.get $len))))
            (br_if $eof (i32.le_s (local.get $n) (i32.const 0)))
            (local.set $len (i32.add (local.get $len) (local.get $n)))
            (if (i32.eq (local.get $len) (i32.const 8192))
              (then
                (memory.copy (i32.const 40960) (i32.const 45056) (i32.const 4096))
                (local.set $len (i32.const 4096))
                (local.set $shifted (i32.const 1))))
            (br $chunks)))
        (call $resource_close (local.get $id))))
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
      (then (call $puts (select (i32.const 1536) (i32.const 1152) (local.get $full)))))
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
        (call $puts (i32.const 1528))
        (local.set $p (i32.add (local.get $e) (i32.const 1)))
        (br $lines)))
    ;; A search link back to this route, whatever its selector is.
    (call $puts (i32.const 1272))
    (call $putenv (i32.const 1440))
    (call $puts (i32.const 1312))))
