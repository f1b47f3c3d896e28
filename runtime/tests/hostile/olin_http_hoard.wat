;; olin_http_hoard.wat: opens the URL given as its first argument 64 times
;; and writes 16 MiB of request to each, never flushing. The host holds
;; requests until they are sent, charged to the guest's memory limit: once
;; it is reached writes fail, and the guest exits 3.
(module
  (import "cwa" "startup_arg_at" (func $arg_at (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "cwa" "runtime_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (local $url_len i32) (local $stream i32) (local $streams i32) (local $chunks i32)
    (local.set $url_len (call $arg_at (i32.const 1) (i32.const 0) (i32.const 1024)))
    (memory.fill (i32.const 65536) (i32.const 65) (i32.const 65536))
    (loop $each_stream
      (local.set $stream (call $open (i32.const 0) (local.get $url_len)))
      (if (i32.lt_s (local.get $stream) (i32.const 0)) (then (call $exit (i32.const 2))))
      (local.set $chunks (i32.const 0))
      (loop $each_chunk
        (if (i32.lt_s (call $write (local.get $stream) (i32.const 65536) (i32.const 65536)) (i32.const 0))
          (then (call $exit (i32.const 3))))
        (local.set $chunks (i32.add (local.get $chunks) (i32.const 1)))
        (br_if $each_chunk (i32.lt_u (local.get $chunks) (i32.const 256))))
      (local.set $streams (i32.add (local.get $streams) (i32.const 1)))
      (br_if $each_stream (i32.lt_u (local.get $streams) (i32.const 64))))
    (call $exit (i32.const 0))))
