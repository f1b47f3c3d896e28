;; hello_olin.wat: greets, but into the host's log rather than on
;; standard output.
(module
  (import "cwa" "log_write" (func $log_write (param i32 i32 i32)))
  (import "cwa" "io_get_stdout" (func $io_get_stdout (result i32)))
  (import "cwa" "resource_write" (func $resource_write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from Olin!\n")
  (func (export "_start")
    (drop (call $resource_write (call $io_get_stdout) (i32.const 16) (i32.const 17)))))
