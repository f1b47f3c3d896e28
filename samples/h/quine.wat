;; quine.wat: the h quine, as the h compiler would emit it.
;; Teaches: the h toy language has two instructions, `h` (print the letter
;; h) and `'` (print a newline), and its compiler turns a program into a
;; module that imports one function, `h.h(i32)`, writing one byte to
;; standard output, and exports its entry point as `h`. The h program `h`
;; prints `h`: its own source, which makes it the language's quine. This
;; file is that program compiled: it prints `h`, the source it was
;; compiled from (it is not a quine of its own WAT text). It is written in
;; the old instruction names (`get_local`) the compiler used.
;;
;;   wasmhole run samples/h/quine.wat
;;   h
(module
  (import "h" "h" (func $h (param i32)))
  (func $h_main
    (local i32 i32 i32)
    (set_local 0 (i32.const 10))
    (set_local 1 (i32.const 104))
    (set_local 2 (i32.const 39))
    (call $h (get_local 1)))
  (export "h" (func $h_main)))
