;; greeting.wat: the h program `h h h '`, compiled.
;; Teaches: everything an h program says is made of two bytes, 104 (`h`)
;; and 10 (a newline, written `'` in h), each written with one call to the
;; one import, `h.h`. The spaces between instructions in the source are
;; only separators and print nothing. `--trace` shows one `h(byte=…)` call
;; per byte.
;;
;;   wasmhole run --trace samples/h/greeting.wat
;;   hhh
(module
  (import "h" "h" (func $h (param i32)))
  (func $say_h (call $h (i32.const 104)))
  (func $newline (call $h (i32.const 10)))
  (func (export "h")
    (call $say_h)
    (call $say_h)
    (call $say_h)
    (call $newline)))
