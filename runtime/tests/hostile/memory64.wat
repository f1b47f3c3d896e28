;; memory64.wat: declares a 64-bit memory of up to 64 GiB and grows it.
;; The host refuses the module before it runs: no ABI here uses memory64.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") i64 1 1048576)
  (func (export "_start")
    (loop $grow
      (br_if $grow (i64.ne (memory.grow (i64.const 65536)) (i64.const -1))))
    (call $exit (i32.const 0))))
