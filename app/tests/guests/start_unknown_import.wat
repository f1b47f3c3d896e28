;; A WASI command that also imports a function no ABI provides
;; (`host` `call`): the runner must refuse it before running anything, naming
;; the import.
;; Build: wat2wasm start_unknown_import.wat -o start_unknown_import.wasm  (Debian's wabt)
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "host" "call" (func $call))
  (memory (export "memory") 1)
  (func (export "_start")
    call $call
    i32.const 0
    call $proc_exit))
