;; greet_env.wat: greets whoever an environment variable names, or a
;; stranger if it is not set.
(module
  (import "cwa" "env_get" (func $env_get (param i32 i32 i32 i32) (result i32)))
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "USER")        ;; the variable's name, 4 bytes
  (data (i32.const 16) "Hello, ")
  (data (i32.const 32) "stranger")
  (data (i32.const 48) "\n")
  (func (export "_start")
    (local $out i32)
    (local $n i32)
    (local.set $out (call $stdout))
    (drop (call $write (local.get $out) (i32.const 16) (i32.const 7)))
    ;; the value goes to 64, at most 32 bytes: n is its length, or an error
    (local.set $n
      (call $env_get (i32.const 0) (i32.const 4) (i32.const 64) (i32.const 32)))
    (if (i32.and (i32.gt_s (local.get $n) (i32.const 0))
                 (i32.le_s (local.get $n) (i32.const 32)))
      (then (drop (call $write (local.get $out) (i32.const 64) (local.get $n))))
      (else (drop (call $write (local.get $out) (i32.const 32) (i32.const 8)))))
    (drop (call $write (local.get $out) (i32.const 48) (i32.const 1)))))
