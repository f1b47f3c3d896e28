;; Both at once: no entry point (neither _start nor _initialize, one
;; exported function) and an import no ABI provides (`host` `call`). Which
;; of the two does the runner report?
;; Build: wat2wasm start_no_entry_unknown_import.wat -o start_no_entry_unknown_import.wasm  (Debian's wabt)
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "host" "call" (func $call))
  (memory (export "memory") 1)
  (func (export "run")
    call $call))
