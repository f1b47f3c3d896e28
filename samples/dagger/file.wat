;; file.wat: read a file inside the jail, and fail to leave it.
;; Teaches: `file://PATH` opens a file under a directory the host granted
;; (`--dir HOST::GUEST`), and only there. Every path resolves through
;; cap-std, so `..` that would climb out of the granted directory is
;; refused: `open` returns an error and nothing is opened.
;;
;;   wasmhole run --dir samples/dagger/data::/data samples/dagger/file.wat
;;   This file lives inside the granted directory.
;;   escape refused: open returned -1
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (import "dagger" "read" (func $read (param i32 i32 i32) (result i32)))
  (import "dagger" "write" (func $write (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "fd://1\00")
  (data (i32.const 16) "file:///data/hello.txt\00")
  (data (i32.const 48) "file:///data/../dagger/hello.wat\00")
  (data (i32.const 96) "escape refused: open returned -1\n")
  (data (i32.const 144) "cannot open /data/hello.txt (run with --dir samples/dagger/data::/data)\n")
  (data (i32.const 224) "ESCAPED THE JAIL\n")
  (func (export "main") (result i32)
    (local $out i32) (local $f i32) (local $n i32)
    (local.set $out (call $open (i32.const 0) (i32.const 0)))
    (local.set $f (call $open (i32.const 16) (i32.const 0)))
    (if (i32.lt_s (local.get $f) (i32.const 0))
      (then
        (drop (call $write (local.get $out) (i32.const 144) (i32.const 72)))
        (return (i32.const 1))))
    (local.set $n (call $read (local.get $f) (i32.const 1024) (i32.const 1024)))
    (drop (call $write (local.get $out) (i32.const 1024) (local.get $n)))
    ;; ../ leads out of /data: refused
    (if (i32.lt_s (call $open (i32.const 48) (i32.const 0)) (i32.const 0))
      (then
        (drop (call $write (local.get $out) (i32.const 96) (i32.const 33)))
        (return (i32.const 0))))
    (drop (call $write (local.get $out) (i32.const 224) (i32.const 17)))
    (i32.const 1)))
