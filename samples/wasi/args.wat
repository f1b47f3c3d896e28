;; args.wat: prints its command-line arguments, one per line.
;; Teaches: how a guest receives strings the host owns, in two steps.
;; `args_sizes_get` tells how many arguments there are and how many bytes
;; they take; `args_get` then fills an array of pointers and a buffer of
;; NUL-terminated strings (a C `argv`). The guest follows each pointer and
;; looks for the NUL to find where the argument ends. The first argument is
;; the program's own name. `environ_sizes_get`/`environ_get` work the same.
;; Try: wasmhole run samples/wasi/args.wat one "two words" three
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; Memory: argc at 0, the strings' size at 4, an iovec at 16, a count at
  ;; 24, a newline at 32, the pointers from 1024 and the strings from 4096.
  (data (i32.const 32) "\n")
  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $proc_exit (local.get $errno)))))
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (call $check (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))
  (func (export "_start")
    (local $i i32) (local $arg i32) (local $end i32)
    (call $check (call $args_sizes_get (i32.const 0) (i32.const 4)))
    ;; A real program would allocate; this one has room for 3072 bytes of
    ;; pointers and 61440 of strings, and refuses more (exit status 1).
    (if (i32.or (i32.gt_u (i32.load (i32.const 0)) (i32.const 768))
                (i32.gt_u (i32.load (i32.const 4)) (i32.const 61440)))
      (then (call $proc_exit (i32.const 1))))
    (call $check (call $args_get (i32.const 1024) (i32.const 4096)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 0))))
        ;; argv[i], then the NUL that ends it
        (local.set $arg (i32.load (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 4)))))
        (local.set $end (local.get $arg))
        (block $found
          (loop $scan
            (br_if $found (i32.eqz (i32.load8_u (local.get $end))))
            (local.set $end (i32.add (local.get $end) (i32.const 1)))
            (br $scan)))
        (call $print (local.get $arg) (i32.sub (local.get $end) (local.get $arg)))
        (call $print (i32.const 32) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))))
