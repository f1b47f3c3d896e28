;; scheme.wat: opens a URL and exits with minus what open returned:
;; 0 for the first descriptor, 3 for EUNKNOWNSCHEME (-3).
(module
  (import "dagger" "open" (func $open (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; the URL, ended by a NUL byte as Dagger wants it
  (data (i32.const 0) "fd://1\00")
  (func (export "main") (result i32)
    (i32.sub (i32.const 0) (call $open (i32.const 0) (i32.const 0)))))
