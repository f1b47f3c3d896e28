;; policy.wat: a guest running under a policy file.
;; Teaches: with `--policy FILE`, every URL is checked against the file's
;; allow and disallow regexes, and its ram-page-limit and gas-limit cap
;; memory and instructions. This guest opens two allowed URLs, is refused
;; memory beyond the page limit (memory.grow returns -1), and then tries a
;; URL a disallow rule matches: the host kills it, naming the URL and the
;; rule. It never reaches the network: the policy stops it first.
;;
;;   wasmhole run --policy samples/olin/policy.policy samples/olin/policy.wat
;;   random:// opened as resource 3
;;   policy: the policy allows log:// too
;;   memory.grow by 4 pages = -1
;;   opening https://example.com/admin/users ...
;;   error: guest `policy.wat` was killed in call `resource_open`: permission denied: ...
(module
  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
  (import "cwa" "resource_open" (func $open (param i32 i32) (result i32)))
  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
  (import "cwa" "resource_close" (func $close (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "random://")
  (data (i32.const 16) "log://?prefix=policy")
  (data (i32.const 48) "https://example.com/admin/users")
  (data (i32.const 96) "random:// opened as resource 3\n")
  (data (i32.const 128) "the policy allows log:// too\n")
  (data (i32.const 160) "memory.grow by 4 pages = -1\n")
  (data (i32.const 192) "memory.grow by 4 pages succeeded\n")
  (data (i32.const 232) "opening https://example.com/admin/users ...\n")
  (data (i32.const 280) "STILL ALIVE\n")
  (func (export "_start")
    (local $log i32)
    (if (i32.eq (call $open (i32.const 0) (i32.const 9)) (i32.const 3))
      (then (drop (call $write (call $stdout) (i32.const 96) (i32.const 31)))))
    (local.set $log (call $open (i32.const 16) (i32.const 20)))
    (drop (call $write (local.get $log) (i32.const 128) (i32.const 29)))
    (call $close (local.get $log))
    ;; ram-page-limit 2: growing from 1 page to 5 is refused
    (if (i32.eq (memory.grow (i32.const 4)) (i32.const -1))
      (then (drop (call $write (call $stdout) (i32.const 160) (i32.const 28))))
      (else (drop (call $write (call $stdout) (i32.const 192) (i32.const 33)))))
    (drop (call $write (call $stdout) (i32.const 232) (i32.const 44)))
    ;; a disallow rule matches: the guest is killed here
    (drop (call $open (i32.const 48) (i32.const 31)))
    (drop (call $write (call $stdout) (i32.const 280) (i32.const 12)))))
