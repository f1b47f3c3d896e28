;; echo.wat: copy standard input to standard output.
;; Teaches: the standard streams are URLs too (`fd://0` in, `fd://1` out),
;; and each open takes the lowest free descriptor, so they become 0 and 1.
;; `read` returns how many bytes arrived, 0 at the end, or a negative error.
;;
;;   echo hi | wasmhole run samples/dagger/echo.wat
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "fd://0\00")
  (data (i32.const 8) "fd://1\00")
  (func (export "main") (result i32)
    (local $in i32) (local $out i32) (local $n i32)
    (local.set $in (call $open (i32.const 0) (i32.const 0)))
    (local.set $out (call $open (i32.const 8) (i32.const 0)))
    (block $done
      (loop $copy
        ;; up to 4096 bytes into the buffer at 1024
        (local.set $n (call $read (local.get $in) (i32.const 1024) (i32.const 4096)))
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (drop (call $write (local.get $out) (i32.const 1024) (local.get $n)))
        (br $copy)))
    ;; exit status 1 if reading failed, 0 at a clean end
    (i32.lt_s (local.get $n) (i32.const 0))))
