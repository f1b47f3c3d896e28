;; guestbook.wat (Dagger): a guestbook that appends to a granted directory.
;; Teaches: files are streams too. `file:///data/guestbook.txt?mode=a`
;; opens the file for appending inside the directory the route grants as
;; /data (nothing else is reachable); reopening it without a mode reads it
;; from the start. A negative descriptor means the open failed: the guest
;; says why on `fd://2` and returns 1, which gopherd turns into an error
;; item. The message is the search query from the request line, cut to
;; 200 bytes on a character boundary. Streams cannot seek, so the book is
;; kept small instead: once it holds 64 KiB it takes no more signatures,
;; and every request reads at most that much.
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write_fd (param i32 i32 i32) (result i32)))
  (import "dagger" "close" (func $close (param i32) (result i32)))
  (memory (export "memory") 2)
  (global $out (mut i32) (i32.const 1))
  (global $vars (mut i32) (i32.const 0))
  (global $in_end (mut i32) (i32.const 0))

  ;; Memory map: 1024.. texts, 32768 the request (8 KiB),
  ;; 40960 the file's tail (8 KiB).
  (data (i32.const 1024) "The guestbook: what visitors wrote, newest last.\n\n\00")
  (data (i32.const 1152) "Thank you for signing!\n\n\00")
  (data (i32.const 1200) "No one has signed yet. Be the first!\n\00")
  (data (i32.const 1264) "> \00")
  (data (i32.const 1272) "\n7Sign the guestbook\t\00")
  (data (i32.const 1312) "\n1Back to the Dagger handlers\t/dagger\n\00")
  (data (i32.const 1360) "guestbook: cannot open file:///data/guestbook.txt\n\00")
  (data (i32.const 1440) "SCRIPT_NAME\00")
  (data (i32.const 1456) "file:///data/guestbook.txt?mode=a\00")
  (data (i32.const 1496) "file:///data/guestbook.txt\00")
  (data (i32.const 1528) "\n\00")
  (data (i32.const 1536) "fd://0\00")
  (data (i32.const 1544) "fd://1\00")
  (data (i32.const 1552) "fd://2\00")
  (data (i32.const 1560) "The guestbook is full: it keeps 64 KiB of signatures.\n\n\00")

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
    (local $fd i32) (local $n i32) (local $size i32)
    (local.set $fd (call $open (i32.const 1496) (i32.const 0)))
    (if (i32.lt_s (local.get $fd) (i32.const 0)) (then (return (i32.const 0))))
    (block $eof
      (loop $chunks
        (br_if $eof (i32.ge_u (local.get $size) (i32.const 65536)))
        (local.set $n (call $read (local.get $fd) (i32.const 40960) (i32.const 8192)))
        (br_if $eof (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $size (i32.add (local.get $size) (local.get $n)))
        (br $chunks)))
    (drop (call $close (local.get $fd)))
    (local.get $size))

  (func $write (param $p i32) (param $len i32)
    (drop (call $write_fd (global.get $out) (local.get $p) (local.get $len))))

  (func $puts (param $p i32)
    (call $write (local.get $p) (call $strlen (local.get $p))))

  ;; Reads all of fd://0 at 32768 and turns line ends into NULs; the
  ;; request line comes first, $vars is where the variables start.
  (func $read_request
    (local $in i32) (local $len i32) (local $n i32) (local $p i32)
    (local.set $in (call $open (i32.const 1536) (i32.const 0)))
    (block $eof
      (loop $chunks
        (br_if $eof (i32.ge_u (local.get $len) (i32.const 8191)))
        (local.set $n (call $read (local.get $in) (i32.add (i32.const 32768) (local.get $len))
                                  (i32.sub (i32.const 8191) (local.get $len))))
        (br_if $eof (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $len (i32.add (local.get $len) (local.get $n)))
        (br $chunks)))
    (global.set $in_end (i32.add (i32.const 32768) (local.get $len)))
    (i32.store8 (global.get $in_end) (i32.const 0))
    (local.set $p (i32.const 32768))
    (loop $each
      (if (i32.lt_u (local.get $p) (global.get $in_end))
        (then
          (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 10))
            (then
              (if (i32.eqz (global.get $vars))
                (then (global.set $vars (i32.add (local.get $p) (i32.const 1)))))
              (i32.store8 (local.get $p) (i32.const 0))))
          (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 13))
            (then (i32.store8 (local.get $p) (i32.const 0))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $each))))
    (if (i32.eqz (global.get $vars)) (then (global.set $vars (global.get $in_end)))))

  (func $getvar (param $name i32) (result i32)
    (local $p i32) (local $j i32) (local $c i32)
    (local.set $p (global.get $vars))
    (block $missing
      (loop $lines
        (br_if $missing (i32.ge_u (local.get $p) (global.get $in_end)))
        (local.set $j (i32.const 0))
        (block $differs
          (loop $chars
            (local.set $c (i32.load8_u (i32.add (local.get $name) (local.get $j))))
            (if (i32.eqz (local.get $c))
              (then
                (br_if $differs
                  (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $j))) (i32.const 61)))
                (return (i32.add (i32.add (local.get $p) (local.get $j)) (i32.const 1)))))
            (br_if $differs
              (i32.ne (local.get $c) (i32.load8_u (i32.add (local.get $p) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $chars)))
        (local.set $p (i32.add (local.get $p) (i32.add (call $strlen (local.get $p)) (i32.const 1))))
        (br $lines)))
    (i32.const 0))

  ;; The query: what follows the first tab of the request line (NUL-ended), or 0.
  (func $query (result i32)
    (local $p i32)
    (local.set $p (i32.const 32768))
    (block $none
      (loop $chars
        (br_if $none (i32.eqz (i32.load8_u (local.get $p))))
        (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 9))
          (then (return (i32.add (local.get $p) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $chars)))
    (i32.const 0))

  (func (export "main") (result i32)
    (local $q i32) (local $qlen i32) (local $fd i32) (local $n i32) (local $len i32)
    (local $shifted i32) (local $p i32) (local $end i32) (local $e i32) (local $script i32)
    (local $full i32)
    (global.set $out (call $open (i32.const 1544) (i32.const 0)))
    (call $read_request)
    (local.set $q (call $query))
    (if (local.get $q) (then (local.set $qlen (call $strlen (local.get $q)))))
    (local.set $qlen (call $cut (local.get $q) (local.get $qlen)))
    ;; A full book takes no more signatures.
    (if (local.get $qlen)
      (then (local.set $full (i32.ge_u (call $book_size) (i32.const 65536)))))
    ;; Sign: the message and its newline in one write.
    (if (i32.and (i32.ne (local.get $qlen) (i32.const 0)) (i32.eqz (local.get $full)))
      (then
        (local.set $fd (call $open (i32.const 1456) (i32.const 0)))
        (if (i32.lt_s (local.get $fd) (i32.const 0))
          (then
            (drop (call $write_fd (call $open (i32.const 1552) (i32.const 0))
                                  (i32.const 1360) (call $strlen (i32.const 1360))))
            (return (i32.const 1))))
        (i32.store8 (i32.add (local.get $q) (local.get $qlen)) (i32.const 10))
        (drop (call $write_fd (local.get $fd) (local.get $q) (i32.add (local.get $qlen) (i32.const 1))))
        (drop (call $close (local.get $fd)))))
    ;; Read it all, keeping the last 4 to 8 KiB. No file yet means no entries.
    (local.set $fd (call $open (i32.const 1496) (i32.const 0)))
    (if (i32.ge_s (local.get $fd) (i32.const 0))
      (then
        (block $eof
          (loop $chunks
            (local.set $n (call $read (local.get $fd) (i32.add (i32.const 40960) (local.get $len))
                                      (i32.sub (i32.const 8192) (local.get $len))))
            (br_if $eof (i32.le_s (local.get $n) (i32.const 0)))
            (local.set $len (i32.add (local.get $len) (local.get $n)))
            (if (i32.eq (local.get $len) (i32.const 8192))
              (then
                (memory.copy (i32.const 40960) (i32.const 45056) (i32.const 4096))
                (local.set $len (i32.const 4096))
                (local.set $shifted (i32.const 1))))
            (br $chunks)))
        (drop (call $close (local.get $fd)))))
    (local.set $p (i32.const 40960))
    (local.set $end (i32.add (i32.const 40960) (local.get $len)))
    (if (local.get $shifted)
      (then
        (block $skipped
          (loop $skip
            (br_if $skipped (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $skipped (i32.eq (i32.load8_u (i32.sub (local.get $p) (i32.const 1))) (i32.const 10)))
            (br $skip)))))
    (if (local.get $qlen)
      (then (call $puts (select (i32.const 1560) (i32.const 1152) (local.get $full)))))
    (call $puts (i32.const 1024))
    (if (i32.ge_u (local.get $p) (local.get $end)) (then (call $puts (i32.const 1200))))
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
    (call $puts (i32.const 1272))
    (local.set $script (call $getvar (i32.const 1440)))
    (if (local.get $script) (then (call $puts (local.get $script))))
    (call $puts (i32.const 1312))
    (i32.const 0)))
