;; file.wat: a file inside the jail, and a refused escape.
;; Teaches: `file://PATH` resources live under directories the host grants
;; with `--dir HOST::GUEST`. A path that climbs out with `..` is refused
;; with PERMISSION_DENIED (-3) before anything is opened, and the host says
;; why on standard error.
;;
;;   wasmhole run --dir samples/olin/data::/data samples/olin/file.wat
;;   An Olin guest read this through file://.
;;   escape refused with -3
(module
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "resource_read" (func $read (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "cwa" "runtime_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "file:///data/hello.txt")
  (data (i32.const 32) "file:///data/../olin/file.wat")
  (data (i32.const 64) "escape refused with -3\n")
  (data (i32.const 96) "ESCAPED THE JAIL\n")
  (data (i32.const 128) "cannot open /data/hello.txt (run with --dir samples/olin/data::/data)\n")
  (func (export "_start")
    (local $f i32) (local $n i32) (local $r i32)
    (local.set $f (call $open (i32.const 0) (i32.const 22)))
    (if (i32.lt_s (local.get $f) (i32.const 0))
      (then
        (drop (call $write (call $stdout) (i32.const 128) (i32.const 70)))
        (call $exit (i32.const 1))))
    (local.set $n (call $read (local.get $f) (i32.const 1024) (i32.const 1024)))
    (drop (call $write (call $stdout) (i32.const 1024) (local.get $n)))
    (local.set $r (call $open (i32.const 32) (i32.const 29)))
    (if (i32.eq (local.get $r) (i32.const -3))
      (then (drop (call $write (call $stdout) (i32.const 64) (i32.const 23))))
      (else
        (drop (call $write (call $stdout) (i32.const 96) (i32.const 17)))
        (call $exit (i32.const 1))))))
