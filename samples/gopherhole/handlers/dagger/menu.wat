;; menu.wat (Dagger): a Gopher menu from the smallest ABI.
;; Teaches: a Dagger guest has no descriptors at start and no environment;
;; it opens everything by URL. Standard output is `fd://1`. The request
;; comes on `fd://0`: gopherd writes the request line, then one NAME=value
;; line per CGI variable, so this guest reads it all and looks names up.
;; Its entry point is `main`, whose result is the exit status.
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write_fd (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $out (mut i32) (i32.const 1))
  (global $vars (mut i32) (i32.const 0))
  (global $in_end (mut i32) (i32.const 0))

  ;; Memory map: 1024.. texts (each ends in NUL), 32768 standard input (8 KiB).
  (data (i32.const 1024) "Dagger handlers: every link below runs a wasm module that\nopens its streams by URL, once per request.\n\n\00")
  (data (i32.const 1280) "0A random fortune\tfortune\n7Search the documents\tsearch\n1The guestbook\tguestbook\n0The server's clock\ttime\n\n\00")
  (data (i32.const 1536) "You are \00")
  (data (i32.const 1560) ", asking for \00")
  (data (i32.const 1584) ".\n\00")
  (data (i32.const 1600) "Nothing lives at \00")
  (data (i32.const 1624) " under this menu, so here is the menu itself.\n\00")
  (data (i32.const 1680) "\n1Back to the start\t/\n\00")
  (data (i32.const 1712) "REMOTE_ADDR\00")
  (data (i32.const 1728) "SELECTOR\00")
  (data (i32.const 1744) "PATH_INFO\00")
  (data (i32.const 1760) "fd://0\00")
  (data (i32.const 1768) "fd://1\00")

  (func $strlen (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $q) (local.get $p)))

  (func $puts (param $p i32)
    (drop (call $write_fd (global.get $out) (local.get $p) (call $strlen (local.get $p)))))

  ;; Reads all of fd://0 into memory at 32768 and turns every line end into
  ;; a NUL, so each line is a string. $vars is where the variables start.
  (func $read_request
    (local $in i32) (local $len i32) (local $n i32) (local $p i32)
    (local.set $in (call $open (i32.const 1760) (i32.const 0)))
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

  ;; The value of variable $name from the lines after the request line, or 0.
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
        ;; Next line: past this one's NUL.
        (local.set $p (i32.add (local.get $p) (i32.add (call $strlen (local.get $p)) (i32.const 1))))
        (br $lines)))
    (i32.const 0))

  (func $putvar (param $name i32)
    (local $value i32)
    (local.set $value (call $getvar (local.get $name)))
    (if (local.get $value) (then (call $puts (local.get $value)))))

  (func (export "main") (result i32)
    (local $path_info i32)
    (global.set $out (call $open (i32.const 1768) (i32.const 0)))
    (call $read_request)
    (call $puts (i32.const 1024))
    (call $puts (i32.const 1280))
    (call $puts (i32.const 1536))
    (call $putvar (i32.const 1712))
    (call $puts (i32.const 1560))
    (call $putvar (i32.const 1728))
    (call $puts (i32.const 1584))
    (local.set $path_info (call $getvar (i32.const 1744)))
    (if (i32.and (i32.ne (local.get $path_info) (i32.const 0))
                 (i32.ne (i32.load8_u (local.get $path_info)) (i32.const 0)))
      (then
        (call $puts (i32.const 1600))
        (call $puts (local.get $path_info))
        (call $puts (i32.const 1624))))
    (call $puts (i32.const 1680))
    (i32.const 0)))
