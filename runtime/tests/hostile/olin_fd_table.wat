;; olin_fd_table.wat: opens null:// until the host says no, and exits 7 if
;; the refusal was -1 (UNKNOWN). The host notes why on standard error.
(module
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "runtime_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "null://")
  (func (export "_start")
    (local $id i32)
    (loop $more
      (local.set $id (call $open (i32.const 0) (i32.const 7)))
      (br_if $more (i32.ge_s (local.get $id) (i32.const 0))))
    (call $exit (select (i32.const 7) (i32.const 8)
      (i32.eq (local.get $id) (i32.const -1))))))
