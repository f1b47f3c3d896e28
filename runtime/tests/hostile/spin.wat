;; spin.wat: an endless loop. The time limit stops it.
(module
  (memory (export "memory") 1)
  (func $spin (loop $forever (br $forever)))
  (func (export "_start") (call $spin)))
