;; A WASI reactor with no entry point: it imports a WASI call, exports its
;; memory and one function, and has neither _start nor _initialize.
;; `wasmtime run` and `wasmhole run` must refuse to start it (both accept
;; `--invoke add` to call the function).
;; Build: wat2wasm start_no_entry.wat -o start_no_entry.wasm  (Debian's wabt)
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add))
