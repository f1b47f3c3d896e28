//! What a hostile or buggy guest cannot do: pointers and lengths outside its
//! memory make every WASI call fail with EFAULT (never a host panic, never a
//! partial write past the end, never a side effect the guest is not told
//! of), garbage arguments to every call are refused cleanly on both the
//! traced and the fast path, and no path (`..`, absolute, or through a
//! symbolic link) reaches outside a granted directory.

use crate::common;

use common::{Guest, RecordExt, Sandbox};
use wasmhole_runtime::abis::{Kind, Ret, WasmTy, calls_of};
use wasmhole_runtime::calls::record::CallOutcome;
use wasmhole_runtime::{Abi, ExitStatus};

/// Calls whose pointers or lengths leave the guest's single page of memory
/// (it ends at 0x10000), each expected to fail with EFAULT. Descriptor 4 is
/// `f.txt`; at 0x0 is an iovec running past the end, at 0x8 a valid one
/// (for 4 bytes at 0x900);
/// at 0x1000 a clock subscription. Calls that may write part of their
/// results before failing write into 0x800.
const EFAULT_CASES: &[(&str, &str)] = &[
    ("args_get", "(call $args_get (i32.const 0x10000) (i32.const 0x100))"),
    ("args_get", "(call $args_get (i32.const 0x800) (i32.const 0xFFFE))"),
    ("args_sizes_get", "(call $args_sizes_get (i32.const 0x800) (i32.const 0xFFFE))"),
    ("environ_get", "(call $environ_get (i32.const 0x10000) (i32.const 0x100))"),
    ("environ_sizes_get", "(call $environ_sizes_get (i32.const 0x10000) (i32.const 0))"),
    ("clock_res_get", "(call $clock_res_get (i32.const 1) (i32.const 0x10000))"),
    (
        "clock_time_get",
        "(call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 0xFFFC))",
    ),
    ("random_get", "(call $random_get (i32.const 0xFFF0) (i32.const 0x20))"),
    ("random_get", "(call $random_get (i32.const 0) (i32.const -1))"),
    (
        "fd_write",
        "(call $fd_write (i32.const 1) (i32.const 0x10000) (i32.const 1) (i32.const 0x20))",
    ),
    (
        "fd_write",
        "(call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 0x20))",
    ),
    (
        "fd_write",
        "(call $fd_write (i32.const 1) (i32.const 8) (i32.const 0x20000000) (i32.const 0x20))",
    ),
    (
        "fd_write",
        "(call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0x10000))",
    ),
    (
        "fd_read",
        "(call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0x20))",
    ),
    (
        "fd_read",
        "(call $fd_read (i32.const 0) (i32.const 8) (i32.const 1) (i32.const 0x10000))",
    ),
    (
        "fd_pread",
        "(call $fd_pread (i32.const 4) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 0x20))",
    ),
    (
        "fd_pwrite",
        "(call $fd_pwrite (i32.const 4) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 0x20))",
    ),
    (
        "fd_pwrite",
        "(call $fd_pwrite (i32.const 4) (i32.const 8) (i32.const 1) (i64.const 0) (i32.const 0x10000))",
    ),
    (
        "fd_seek",
        "(call $fd_seek (i32.const 4) (i64.const 5) (i32.const 0) (i32.const 0x10000))",
    ),
    ("fd_tell", "(call $fd_tell (i32.const 4) (i32.const 0xFFFC))"),
    ("fd_fdstat_get", "(call $fd_fdstat_get (i32.const 1) (i32.const 0xFFF0))"),
    ("fd_filestat_get", "(call $fd_filestat_get (i32.const 4) (i32.const 0xFFE0))"),
    ("fd_prestat_get", "(call $fd_prestat_get (i32.const 3) (i32.const 0x10000))"),
    (
        "fd_prestat_dir_name",
        "(call $fd_prestat_dir_name (i32.const 3) (i32.const 0xFFFC) (i32.const 8))",
    ),
    (
        "fd_readdir",
        "(call $fd_readdir (i32.const 3) (i32.const 0xFFF0) (i32.const 0x100) (i64.const 0) (i32.const 0x20))",
    ),
    (
        "fd_readdir",
        "(call $fd_readdir (i32.const 3) (i32.const 0x800) (i32.const 0x100) (i64.const 0) (i32.const 0x10000))",
    ),
    (
        "path_open",
        "(call $path_open (i32.const 3) (i32.const 0) (i32.const 0xFFFE) (i32.const 5) (i32.const 0)
           (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20))",
    ),
    (
        "path_open",
        "(call $path_open (i32.const 3) (i32.const 0) (i32.const 0x110) (i32.const 11) (i32.const 1)
           (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x10000))",
    ),
    (
        "path_create_directory",
        "(call $path_create_directory (i32.const 3) (i32.const 0x10000) (i32.const 1))",
    ),
    (
        "path_filestat_get",
        "(call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 5) (i32.const 0xFFE0))",
    ),
    (
        "path_filestat_set_times",
        "(call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 0xFFFF) (i32.const 2)
           (i64.const 0) (i64.const 0) (i32.const 2))",
    ),
    (
        "path_link",
        "(call $path_link (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 5)
           (i32.const 3) (i32.const 0x10000) (i32.const 1))",
    ),
    (
        "path_readlink",
        "(call $path_readlink (i32.const 3) (i32.const 0x108) (i32.const 2) (i32.const 0xFFFE)
           (i32.const 16) (i32.const 0x20))",
    ),
    (
        "path_readlink",
        "(call $path_readlink (i32.const 3) (i32.const 0x108) (i32.const 2) (i32.const 0x200)
           (i32.const 16) (i32.const 0x10000))",
    ),
    (
        "path_remove_directory",
        "(call $path_remove_directory (i32.const 3) (i32.const 0x10000) (i32.const 1))",
    ),
    (
        "path_rename",
        "(call $path_rename (i32.const 3) (i32.const 0x100) (i32.const 5) (i32.const 3)
           (i32.const 0xFFFF) (i32.const 2))",
    ),
    (
        "path_symlink",
        "(call $path_symlink (i32.const 0x10000) (i32.const 1) (i32.const 3) (i32.const 0x120) (i32.const 1))",
    ),
    (
        "path_unlink_file",
        "(call $path_unlink_file (i32.const 3) (i32.const 0xFFFF) (i32.const 2))",
    ),
    (
        "poll_oneoff",
        "(call $poll_oneoff (i32.const 0x10000) (i32.const 0x2000) (i32.const 1) (i32.const 0x20))",
    ),
    (
        "poll_oneoff",
        "(call $poll_oneoff (i32.const 0x1000) (i32.const 0xFFF0) (i32.const 1) (i32.const 0x20))",
    ),
    (
        "poll_oneoff",
        "(call $poll_oneoff (i32.const 0x1000) (i32.const 0x2000) (i32.const 0x1000000) (i32.const 0x20))",
    ),
    (
        "poll_oneoff",
        "(call $poll_oneoff (i32.const 0x1000) (i32.const 0x2000) (i32.const 1) (i32.const 0x10000))",
    ),
];

#[test]
fn out_of_bounds_pointers_and_lengths_are_efault() {
    let sandbox = Sandbox::new();
    sandbox.write("f.txt", b"0123456789");
    std::os::unix::fs::symlink("f.txt", sandbox.host("ln")).unwrap();
    let cases: String = EFAULT_CASES
        .iter()
        .map(|(_, call)| format!("    (drop {call})\n"))
        .collect();
    let out = sandbox
        .guest(&format!(
            r#"
  (data (i32.const 0x100) "f.txt")
  (data (i32.const 0x108) "ln")
  (data (i32.const 0x110) "created.txt")
  (data (i32.const 0x120) "x")
  (data (i32.const 0x130) "g.txt")
  (data (i32.const 0x900) "data")
  (func (export "_start")
    (drop (call $open (i32.const 0x100) (i32.const 5) (i32.const 0)))
    (i32.store (i32.const 0) (i32.const 0xFFF0))
    (i32.store (i32.const 4) (i32.const 0x100))
    (i32.store (i32.const 8) (i32.const 0x900))
    (i32.store (i32.const 12) (i32.const 4))
    (i32.store8 (i32.const 0x1008) (i32.const 0))
    (i32.store (i32.const 0x1010) (i32.const 1))
    (i32.store (i32.const 0xFFFC) (i32.const 0x5A5A5A5A))
{cases}
    (if (i32.ne (i32.load (i32.const 0xFFFC)) (i32.const 0x5A5A5A5A))
      (then (call $proc_exit (i32.const 90))))
    (call $must (call $read (i32.const 0) (i32.const 0x3000) (i32.const 64)))
    (call $println (i32.const 0x3000) (call $nread))
    (call $must (call $fd_tell (i32.const 4) (i32.const 0x20)))
    (call $print_u64 (i64.load (i32.const 0x20)))
    (call $print_u64 (i64.extend_i32_u (call $open (i32.const 0x130) (i32.const 5) (i32.const 1)))))
"#
        ))
        .env("KEY", "value")
        .stdin(b"stdin data")
        .run();
    out.assert_exit(0);

    let cases = &out.records[1..1 + EFAULT_CASES.len()];
    for (record, (name, call)) in cases.iter().zip(EFAULT_CASES) {
        assert_eq!(record.name, *name, "{}", out.trace());
        assert_eq!(
            record.error_name(),
            Some("EFAULT"),
            "{call}\n{}",
            record.trace_line()
        );
    }
    let mkdir = out.call("path_create_directory");
    assert_eq!(mkdir.arg("path"), "0x10000 <out of bounds>");
    assert!(mkdir.trace_line().contains("EFAULT (Bad address)"));

    // Nothing the guest was told failed happened anyway.
    assert_eq!(
        out.lines(),
        ["stdin data", "0", "5"],
        "a failed fd_write reached stdout, a failed fd_read consumed input, a failed \
         fd_seek moved the offset, or a failed path_open kept a descriptor"
    );
    assert_eq!(
        sandbox.read("f.txt"),
        b"0123456789",
        "a failed fd_pwrite wrote"
    );
    assert!(!sandbox.exists("created.txt"), "a failed path_open created");
    assert!(!sandbox.exists("x"));
}

#[test]
fn a_guest_without_memory_gets_efault_not_a_crash() {
    let out = Guest::new(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (func (export "_start")
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (call $proc_exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))))"#,
    )
    .run();
    out.assert_exit(21);
    assert_eq!(out.errors("args_sizes_get"), [Some("EFAULT")]);
    assert_eq!(out.errors("fd_write"), [Some("EFAULT")]);
}

/// A guest calling every WASI function except `proc_exit` with `fd` for
/// every descriptor and out-of-range values for everything else.
fn garbage_guest(fd: i32) -> String {
    let mut body = String::new();
    for call in calls_of(Abi::Wasi) {
        if matches!(call.ret, Ret::Never) {
            continue;
        }
        let args: Vec<String> = call
            .params
            .iter()
            .map(|p| match (p.kind, p.ty) {
                (Kind::Fd, _) => format!("(i32.const {fd})"),
                (_, WasmTy::I32) => "(i32.const -16)".into(),
                (_, WasmTy::I64) => "(i64.const -1)".into(),
            })
            .collect();
        body.push_str(&format!(
            "    (drop (call ${} {}))\n",
            call.name,
            args.join(" ")
        ));
    }
    format!("(func (export \"_start\")\n{body})")
}

/// Whether a parameter is a pointer into guest memory.
fn is_pointer(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::Fd | Kind::Int | Kind::Len | Kind::Nanos | Kind::Flags(_) | Kind::Enum(_)
    )
}

#[test]
fn garbage_arguments_to_every_call_are_refused_without_harm() {
    let sandbox = Sandbox::new();
    sandbox.write("kept.txt", b"kept");
    for fd in [-16, 1, 3] {
        for traced in [true, false] {
            let guest = sandbox
                .guest(&garbage_guest(fd))
                .env("KEY", "value")
                .stdin(b"input");
            let out = if traced {
                guest.run()
            } else {
                guest.untraced().run()
            };
            assert!(
                matches!(out.status, ExitStatus::Exited(0)),
                "fd {fd}, traced {traced}: {:?}",
                out.status
            );
            assert_eq!(out.stdout_text(), "");
            if !traced {
                continue;
            }
            assert_eq!(out.records.len(), calls_of(Abi::Wasi).len() - 1);
            for r in &out.records {
                assert!(
                    matches!(r.outcome, CallOutcome::Returned(_)),
                    "{}",
                    r.trace_line()
                );
                if r.spec.params.iter().any(|p| is_pointer(p.kind)) {
                    assert!(r.is_error(), "fd {fd}: {}", r.trace_line());
                }
            }
        }
    }
    assert_eq!(sandbox.read("kept.txt"), b"kept");
}

/// The layout escape tests use: `secret.txt` next to the granted `jail/`,
/// which holds `inside.txt`, `sub/`, and links leading out.
struct Jail {
    outer: Sandbox,
}

impl Jail {
    fn new() -> Jail {
        let outer = Sandbox::new();
        outer.write("secret.txt", b"top secret");
        outer.mkdir("jail/sub");
        outer.write("jail/inside.txt", b"inside");
        std::os::unix::fs::symlink(outer.path(), outer.host("jail/abs")).unwrap();
        std::os::unix::fs::symlink("../secret.txt", outer.host("jail/rel")).unwrap();
        Jail { outer }
    }

    fn run(&self, body: &str) -> common::Outcome {
        Guest::body(body)
            .dir(&self.outer.host("jail"), "/sandbox")
            .run()
    }

    fn untouched(&self) {
        assert_eq!(self.outer.read("secret.txt"), b"top secret");
        let mut names: Vec<_> = std::fs::read_dir(self.outer.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["jail", "secret.txt"], "something appeared outside");
    }
}

#[test]
fn paths_cannot_leave_the_granted_directory() {
    let jail = Jail::new();
    let secret = jail.outer.host("secret.txt");
    let absolute = secret.to_str().unwrap();
    let out = jail.run(&format!(
        r#"
  (data (i32.const 0x100) "../secret.txt")
  (data (i32.const 0x120) "sub/../../secret.txt")
  (data (i32.const 0x140) "{absolute}")
  (data (i32.const 0x400) "../created.txt")
  (data (i32.const 0x420) "abs/secret.txt")
  (data (i32.const 0x440) "rel")
  (data (i32.const 0x448) "..")
  (data (i32.const 0x450) "sub/../inside.txt")
  (func $try_open (param $lookup i32) (param $path i32) (param $len i32) (param $oflags i32)
    (drop (call $path_open (i32.const 3) (local.get $lookup) (local.get $path) (local.get $len)
      (local.get $oflags) (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    (if (i32.eqz (call $read (i32.load (i32.const 0x20)) (i32.const 0x1000) (i32.const 64)))
      (then (call $println (i32.const 0x1000) (call $nread)))))
  (func (export "_start")
    (i32.store (i32.const 0x20) (i32.const 99))
    (call $try_open (i32.const 0) (i32.const 0x100) (i32.const 13) (i32.const 0))
    (call $try_open (i32.const 0) (i32.const 0x120) (i32.const 20) (i32.const 0))
    (call $try_open (i32.const 0) (i32.const 0x140) (i32.const {len}) (i32.const 0))
    (call $try_open (i32.const 0) (i32.const 0x400) (i32.const 14) (i32.const 1))
    (call $try_open (i32.const 1) (i32.const 0x420) (i32.const 14) (i32.const 0))
    (call $try_open (i32.const 1) (i32.const 0x440) (i32.const 3) (i32.const 0))
    (call $try_open (i32.const 0) (i32.const 0x448) (i32.const 2) (i32.const 0))
    (call $try_open (i32.const 0) (i32.const 0x450) (i32.const 17) (i32.const 0)))
"#,
        len = absolute.len()
    ));
    out.assert_exit(0);
    assert_eq!(out.lines(), ["inside"], "the guest read something else");
    assert_eq!(
        out.errors("path_open"),
        [
            Some("EPERM"),
            Some("EPERM"),
            Some("EPERM"),
            Some("EPERM"),
            Some("EPERM"),
            Some("EPERM"),
            Some("EPERM"),
            None
        ]
    );
    assert_eq!(out.nth("path_open", 0).arg("path"), r#""../secret.txt""#);
    jail.untouched();
}

#[test]
fn no_path_call_reaches_outside_the_granted_directory() {
    let jail = Jail::new();
    let out = jail.run(
        r#"
  (data (i32.const 0x100) "../secret.txt")
  (data (i32.const 0x110) "../newdir")
  (data (i32.const 0x120) "inside.txt")
  (data (i32.const 0x130) "../stolen.txt")
  (data (i32.const 0x140) "../linked.txt")
  (data (i32.const 0x150) "../sym")
  (data (i32.const 0x160) "rel")
  (data (i32.const 0x168) "esc")
  (data (i32.const 0x170) "../jail")
  (func (export "_start")
    (drop (call $path_create_directory (i32.const 3) (i32.const 0x110) (i32.const 9)))
    (drop (call $path_unlink_file (i32.const 3) (i32.const 0x100) (i32.const 13)))
    (drop (call $path_remove_directory (i32.const 3) (i32.const 0x170) (i32.const 7)))
    (drop (call $path_rename (i32.const 3) (i32.const 0x120) (i32.const 10)
      (i32.const 3) (i32.const 0x130) (i32.const 13)))
    (drop (call $path_rename (i32.const 3) (i32.const 0x100) (i32.const 13)
      (i32.const 3) (i32.const 0x130) (i32.const 13)))
    (drop (call $path_link (i32.const 3) (i32.const 0) (i32.const 0x120) (i32.const 10)
      (i32.const 3) (i32.const 0x140) (i32.const 13)))
    (drop (call $path_link (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 13)
      (i32.const 3) (i32.const 0x168) (i32.const 3)))
    (drop (call $path_symlink (i32.const 0x120) (i32.const 10) (i32.const 3) (i32.const 0x150) (i32.const 6)))
    (drop (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 13) (i32.const 0x200)))
    (drop (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 0x160) (i32.const 3) (i32.const 0x200)))
    (call $must (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x160) (i32.const 3) (i32.const 0x200)))
    (drop (call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 13)
      (i64.const 0) (i64.const 0) (i32.const 10)))
    (drop (call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 0x160) (i32.const 3)
      (i64.const 0) (i64.const 0) (i32.const 10)))
    (drop (call $path_readlink (i32.const 3) (i32.const 0x100) (i32.const 13)
      (i32.const 0x300) (i32.const 64) (i32.const 0x20)))
    ;; a link whose text points outside can be made and read, never followed
    (call $must (call $path_symlink (i32.const 0x100) (i32.const 13) (i32.const 3) (i32.const 0x168) (i32.const 3)))
    (call $must (call $path_readlink (i32.const 3) (i32.const 0x168) (i32.const 3)
      (i32.const 0x300) (i32.const 64) (i32.const 0x20)))
    (call $println (i32.const 0x300) (i32.load (i32.const 0x20)))
    (drop (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x168) (i32.const 3)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["../secret.txt"]);
    let eperm = Some("EPERM");
    assert_eq!(out.errors("path_create_directory"), [eperm]);
    assert_eq!(out.errors("path_unlink_file"), [eperm]);
    assert_eq!(out.errors("path_remove_directory"), [eperm]);
    assert_eq!(out.errors("path_rename"), [eperm, eperm]);
    assert_eq!(out.errors("path_link"), [eperm, eperm]);
    assert_eq!(out.errors("path_symlink"), [eperm, None]);
    assert_eq!(out.errors("path_filestat_get"), [eperm, eperm, None]);
    assert_eq!(out.errors("path_filestat_set_times"), [eperm, eperm]);
    assert_eq!(out.errors("path_readlink"), [eperm, None]);
    assert_eq!(out.errors("path_open"), [eperm]);
    assert!(jail.outer.exists("jail/inside.txt"));
    jail.untouched();
}
