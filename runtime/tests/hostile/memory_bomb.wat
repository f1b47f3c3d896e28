;; memory_bomb.wat: grows its memory 64 MiB at a time until the host
;; refuses, then traps. The memory limit stops it; the message names it.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $grow
      (br_if $grow (i32.ne (memory.grow (i32.const 1024)) (i32.const -1))))
    unreachable))
