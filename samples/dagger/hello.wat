;; hello.wat: hello world, the Dagger way.
;; Teaches: a Dagger guest starts with no descriptors at all. It opens
;; standard output by URL (`fd://1`, a NUL-terminated string in its memory),
;; writes to the descriptor it gets back, closes it, and returns 0 from
;; `main`, which becomes its exit status. It has the shape of the original
;; Dagger programs: the old instruction names of early toolchains
;; (`get_local`, `set_local`), which wasmhole translates before compiling
;; and mentions on standard error, and a memory it declares but never
;; exports (the first hosts read memory directly); the host finds it anyway.
;;
;;   wasmhole run --trace samples/dagger/hello.wat
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (import "dagger" "close" (func $close (param i32) (result i32)))
  (memory $mem 1)
  (data (i32.const 0) "fd://1\00")
  (data (i32.const 16) "Hello from a Dagger guest!\n")
  (func (export "main") (result i32)
    (local $fd i32)
    (set_local $fd (call $open (i32.const 0) (i32.const 0)))
    (drop (call $write (get_local $fd) (i32.const 16) (i32.const 27)))
    (drop (call $close (get_local $fd)))
    (i32.const 0)))
