;; errors.wat: every way a Dagger call can fail, and what it returns.
;; Teaches: Dagger calls return a negative number on failure: -3 for a URL
;; whose scheme no stream has, -2 when the URL cannot even be read from
;; memory (a pointer past the end, or no NUL), and -1 for everything else
;; (a malformed URL, a descriptor that is not open, a buffer outside
;; memory, writing where nothing can be written). None of them hurts the
;; guest or the host; `--trace` names each error.
;;
;;   wasmhole run --trace samples/dagger/errors.wat
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "close" (func $close (param i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $out (mut i32) (i32.const 0))
  (data (i32.const 0) "fd://1\00")
  (data (i32.const 16) "nope://x\00")
  (data (i32.const 32) "no scheme here\00")
  (data (i32.const 48) "fd://9\00")
  (data (i32.const 64) "random://\00")
  (data (i32.const 100) "open(\"nope://x\") = \00")
  (data (i32.const 140) "open(0xfffffff0) = \00")
  (data (i32.const 180) "open(\"no scheme here\") = \00")
  (data (i32.const 220) "open(\"fd://9\") = \00")
  (data (i32.const 260) "write(7, ...) on a descriptor never opened = \00")
  (data (i32.const 320) "read(1, 0, 0x7fffffff) past the end of memory = \00")
  (data (i32.const 380) "write(1, ...) to random:// = \00")
  (data (i32.const 420) "close(1) a second time = \00")
  ;; prints the NUL-terminated string at $p
  (func $print (param $p i32)
    (local $n i32)
    (block $end
      (loop $len
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $len)))
    (drop (call $write (global.get $out) (local.get $p) (local.get $n))))
  ;; prints $v in decimal and a newline
  (func $num (param $v i32)
    (local $p i32) (local $u i32)
    (local.set $p (i32.const 4000))
    (i32.store8 (i32.const 4000) (i32.const 10))
    (local.set $u (select (i32.sub (i32.const 0) (local.get $v)) (local.get $v)
                          (i32.lt_s (local.get $v) (i32.const 0))))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $u) (i32.const 10))))
      (local.set $u (i32.div_u (local.get $u) (i32.const 10)))
      (br_if $digit (local.get $u)))
    (if (i32.lt_s (local.get $v) (i32.const 0))
      (then
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.const 45))))
    (drop (call $write (global.get $out) (local.get $p) (i32.sub (i32.const 4001) (local.get $p)))))
  (func (export "main") (result i32)
    (local $fd i32)
    (global.set $out (call $open (i32.const 0) (i32.const 0)))
    (call $print (i32.const 100))
    (call $num (call $open (i32.const 16) (i32.const 0)))
    (call $print (i32.const 140))
    (call $num (call $open (i32.const 0xfffffff0) (i32.const 0)))
    (call $print (i32.const 180))
    (call $num (call $open (i32.const 32) (i32.const 0)))
    (call $print (i32.const 220))
    (call $num (call $open (i32.const 48) (i32.const 0)))
    (call $print (i32.const 260))
    (call $num (call $write (i32.const 7) (i32.const 0) (i32.const 1)))
    ;; random:// gets descriptor 1, the lowest free one
    (local.set $fd (call $open (i32.const 64) (i32.const 0)))
    (call $print (i32.const 320))
    (call $num (call $read (local.get $fd) (i32.const 0) (i32.const 0x7fffffff)))
    (call $print (i32.const 380))
    (call $num (call $write (local.get $fd) (i32.const 0) (i32.const 4)))
    (drop (call $close (local.get $fd)))
    (call $print (i32.const 420))
    (call $num (call $close (local.get $fd)))
    (i32.const 0)))
