;; search.wat (WASI): a type-7 search over a small corpus.
;; Teaches: a Gopher search sends `selector <tab> query`; gopherd hands the
;; query to the handler on standard input (and in QUERY). The guest reads it
;; with fd_read and answers with a menu: the corpus lines (themselves menu
;; links) that contain every word of the query, ignoring case.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; Memory map: 0 iovec, 16 out-values, 1024.. texts, 4096 the corpus,
  ;; 32768 the query (at most 1024 bytes).
  (data (i32.const 1024) "Send some words: every document whose title holds them all is listed.\n\00")
  (data (i32.const 1152) "Documents matching \"\00")
  (data (i32.const 1184) "\":\n\n\00")
  (data (i32.const 1200) "Nothing matches; try fewer words.\n\00")
  (data (i32.const 1248) "\n1Back to the WASI handlers\t/wasi\n\00")

  ;; One menu line per document; lines end in LF, the corpus in NUL.
  (data (i32.const 4096)
    "0Gopher in one page: menus, selectors, item types, RFC 1436\t/docs/gopher.txt\n"
    "0WASI preview 1: the standard system interface, files, clocks, random\t/docs/wasi.txt\n"
    "0Dagger: everything is a stream opened by URL\t/docs/dagger.txt\n"
    "0Olin and CommonWA: namespaces of host calls, resources by URL\t/docs/olin.txt\n"
    "0WebAssembly text format (WAT): modules, memory, imports, exports\t/docs/wat.txt\n"
    "0How gopherd runs a wasm handler for every request, CGI style\t/docs/handlers.txt\n"
    "0Sandboxes and limits: capabilities, timeouts, memory, fuel\t/docs/sandbox.txt\n"
    "\00")

  (func $strlen (param $p i32) (result i32)
    (local $q i32)
    (local.set $q (local.get $p))
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $q) (local.get $p)))

  (func $write (param $p i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $puts (param $p i32)
    (call $write (local.get $p) (call $strlen (local.get $p))))

  ;; ASCII lower case.
  (func $lower (param $c i32) (result i32)
    (if (result i32) (i32.and (i32.ge_u (local.get $c) (i32.const 65))
                              (i32.le_u (local.get $c) (i32.const 90)))
      (then (i32.or (local.get $c) (i32.const 32)))
      (else (local.get $c))))

  ;; Whether [$h, $h_end) contains the lower-case word [$w, $w_end), ignoring case.
  (func $contains (param $h i32) (param $h_end i32) (param $w i32) (param $w_end i32) (result i32)
    (local $n i32) (local $j i32)
    (local.set $n (i32.sub (local.get $w_end) (local.get $w)))
    (block $no
      (loop $at
        (br_if $no (i32.gt_s (i32.add (local.get $h) (local.get $n)) (local.get $h_end)))
        (local.set $j (i32.const 0))
        (block $mismatch
          (loop $chars
            (if (i32.eq (local.get $j) (local.get $n)) (then (return (i32.const 1))))
            (br_if $mismatch
              (i32.ne (call $lower (i32.load8_u (i32.add (local.get $h) (local.get $j))))
                      (i32.load8_u (i32.add (local.get $w) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $chars)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $at)))
    (i32.const 0))

  ;; Whether the line [$l, $l_end) holds every word of the query [$q, $q_end).
  (func $matches (param $l i32) (param $l_end i32) (param $q i32) (param $q_end i32) (result i32)
    (local $w i32)
    (loop $words
      ;; Skip spaces, then take the word up to the next space.
      (block $word_start
        (loop $spaces
          (br_if $word_start (i32.ge_u (local.get $q) (local.get $q_end)))
          (br_if $word_start (i32.ne (i32.load8_u (local.get $q)) (i32.const 32)))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $spaces)))
      (if (i32.ge_u (local.get $q) (local.get $q_end)) (then (return (i32.const 1))))
      (local.set $w (local.get $q))
      (block $word_end
        (loop $letters
          (br_if $word_end (i32.ge_u (local.get $q) (local.get $q_end)))
          (br_if $word_end (i32.eq (i32.load8_u (local.get $q)) (i32.const 32)))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br $letters)))
      (if (i32.eqz (call $contains (local.get $l) (local.get $l_end) (local.get $w) (local.get $q)))
        (then (return (i32.const 0))))
      (br $words))
    (i32.const 1))

  (func (export "_start")
    (local $len i32) (local $n i32) (local $i i32) (local $line i32) (local $end i32)
    (local $found i32) (local $words i32) (local $title_end i32)
    ;; Read the query: fd_read until end of input or 1024 bytes.
    (block $read_all
      (loop $read
        (br_if $read_all (i32.ge_u (local.get $len) (i32.const 1024)))
        (i32.store (i32.const 0) (i32.add (i32.const 32768) (local.get $len)))
        (i32.store (i32.const 4) (i32.sub (i32.const 1024) (local.get $len)))
        (br_if $read_all (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
        (local.set $n (i32.load (i32.const 16)))
        (br_if $read_all (i32.eqz (local.get $n)))
        (local.set $len (i32.add (local.get $len) (local.get $n)))
        (br $read)))
    ;; Lower-case it, and see whether it has any word at all.
    (loop $fold
      (if (i32.lt_u (local.get $i) (local.get $len))
        (then
          (local.set $n (i32.add (i32.const 32768) (local.get $i)))
          (i32.store8 (local.get $n) (call $lower (i32.load8_u (local.get $n))))
          (if (i32.ne (i32.load8_u (local.get $n)) (i32.const 32))
            (then (local.set $words (i32.const 1))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $fold))))
    (if (i32.eqz (local.get $words))
      (then
        (call $puts (i32.const 1024))
        (call $puts (i32.const 1248))
        (return)))
    (call $puts (i32.const 1152))
    (call $write (i32.const 32768) (local.get $len))
    (call $puts (i32.const 1184))
    ;; Try every corpus line.
    (local.set $line (i32.const 4096))
    (block $done
      (loop $lines
        (br_if $done (i32.eqz (i32.load8_u (local.get $line))))
        (local.set $end (local.get $line))
        (block $eol
          (loop $find_eol
            (br_if $eol (i32.eq (i32.load8_u (local.get $end)) (i32.const 10)))
            (local.set $end (i32.add (local.get $end) (i32.const 1)))
            (br $find_eol)))
        ;; Only the title counts: the text before the tab.
        (local.set $title_end (local.get $line))
        (block $tab
          (loop $find_tab
            (br_if $tab (i32.ge_u (local.get $title_end) (local.get $end)))
            (br_if $tab (i32.eq (i32.load8_u (local.get $title_end)) (i32.const 9)))
            (local.set $title_end (i32.add (local.get $title_end) (i32.const 1)))
            (br $find_tab)))
        (if (call $matches (i32.add (local.get $line) (i32.const 1)) (local.get $title_end)
                           (i32.const 32768) (i32.add (i32.const 32768) (local.get $len)))
          (then
            (call $write (local.get $line) (i32.add (i32.sub (local.get $end) (local.get $line)) (i32.const 1)))
            (local.set $found (i32.add (local.get $found) (i32.const 1)))))
        (local.set $line (i32.add (local.get $end) (i32.const 1)))
        (br $lines)))
    (if (i32.eqz (local.get $found)) (then (call $puts (i32.const 1200))))
    (call $puts (i32.const 1248))))
