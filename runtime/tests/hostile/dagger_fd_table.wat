;; dagger_fd_table.wat: opens random:// until the host says no, and exits
;; 7 if the refusal was -1 (EFAIL). The host notes why on standard error.
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "random://\00")
  (func (export "main") (result i32)
    (local $fd i32)
    (loop $more
      (local.set $fd (call $open (i32.const 0) (i32.const 0)))
      (br_if $more (i32.ge_s (local.get $fd) (i32.const 0))))
    (if (result i32) (i32.eq (local.get $fd) (i32.const -1))
      (then (i32.const 7))
      (else (i32.const 8)))))
