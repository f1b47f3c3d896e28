;; hello.wat: hello world, the Olin (CommonWA) way.
;; Teaches: an Olin guest starts with its standard streams already open as
;; resources; `io_get_stdout` says which id standard output has, and
;; `resource_write` takes a pointer and a length (slices are (ptr, len)
;; pairs in this ABI). The entry point is `_start`; returning from it is
;; exit status 0.
;;
;;   wasmhole run --trace samples/olin/hello.wat
(module
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "Hello from an Olin guest!\n")
  (func (export "_start")
    (drop (call $write (call $stdout) (i32.const 0) (i32.const 26)))))
