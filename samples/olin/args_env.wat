;; args_env.wat: command-line arguments and environment variables.
;; Teaches: `startup_arg_len` counts the arguments (the program's name is
;; number 0) and `startup_arg_at` copies one. `env_get` copies a variable's
;; value; when the buffer is too small it writes nothing and returns the
;; size it needs, so a guest can ask twice; an unset variable is -4
;; (NOT_FOUND). Only variables the user passes with --env are visible.
;;
;;   wasmhole run --env GREETING=hello samples/olin/args_env.wat one two
;;   arg 0: args_env.wat
;;   arg 1: one
;;   arg 2: two
;;   env_get(GREETING) into 2 bytes needs 5
;;   GREETING=hello
;;   env_get(MISSING) = -4
(module
  (import "cwa" "startup_arg_len" (func $arg_len (result i32)))
  (import "cwa" "startup_arg_at" (func $arg_at (param i32 i32 i32) (result i32)))
  (import "cwa" "env_get" (func $env_get (param i32 i32 i32 i32) (result i32)))
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $out (mut i32) (i32.const 1))
  (data (i32.const 0) "\n\00")
  (data (i32.const 8) "arg \00")
  (data (i32.const 16) ": \00")
  (data (i32.const 24) "GREETING")
  (data (i32.const 32) "MISSING")
  (data (i32.const 48) "env_get(GREETING) into 2 bytes needs \00")
  (data (i32.const 96) "GREETING=\00")
  (data (i32.const 112) "env_get(MISSING) = \00")
  (data (i32.const 144) "GREETING is not set (run with --env GREETING=hello)\n\00")
  (func $print (param $p i32)
    (local $n i32)
    (block $end
      (loop $len
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $len)))
    (drop (call $write (global.get $out) (local.get $p) (local.get $n))))
  (func $num (param $v i32)
    (local $p i32) (local $u i32)
    (local.set $p (i32.const 8000))
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
    (drop (call $write (global.get $out) (local.get $p) (i32.sub (i32.const 8000) (local.get $p)))))
  (func (export "_start")
    (local $i i32) (local $n i32)
    (global.set $out (call $stdout))
    ;; every argument
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (call $arg_len)))
        (call $print (i32.const 8))
        (call $num (local.get $i))
        (call $print (i32.const 16))
        (local.set $n (call $arg_at (local.get $i) (i32.const 4096) (i32.const 1024)))
        (drop (call $write (global.get $out) (i32.const 4096) (local.get $n)))
        (call $print (i32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    ;; GREETING into a 2-byte buffer: too small, so the answer is the size needed
    (local.set $n (call $env_get (i32.const 24) (i32.const 8) (i32.const 4096) (i32.const 2)))
    (if (i32.lt_s (local.get $n) (i32.const 0))
      (then (call $print (i32.const 144)))
      (else
        (call $print (i32.const 48))
        (call $num (local.get $n))
        (call $print (i32.const 0))
        ;; again, with room for it
        (local.set $n (call $env_get (i32.const 24) (i32.const 8) (i32.const 4096) (local.get $n)))
        (call $print (i32.const 96))
        (drop (call $write (global.get $out) (i32.const 4096) (local.get $n)))
        (call $print (i32.const 0))))
    (call $print (i32.const 112))
    (call $num (call $env_get (i32.const 32) (i32.const 7) (i32.const 4096) (i32.const 64)))
    (call $print (i32.const 0))))
