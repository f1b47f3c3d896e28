;; two_memories.wat: grows two memories until the host refuses each, then
;; traps. Both count against one memory limit.
(module
  (memory $a (export "memory") 1)
  (memory $b 1)
  (func (export "_start")
    (loop $grow_a
      (br_if $grow_a (i32.ne (memory.grow $a (i32.const 1024)) (i32.const -1))))
    (loop $grow_b
      (br_if $grow_b (i32.ne (memory.grow $b (i32.const 1024)) (i32.const -1))))
    unreachable))
