//! Changing one call of a run by its number (what a what-if branch does):
//! an error from the call's own list, a short read or write, and other
//! bytes for a read, each landing on that call only and only if it is the
//! call named, traced or not.

use crate::common;

use common::{Guest, RecordExt, Sandbox};
use wasmhole_runtime::calls::inject::{Action, Injector};
use wasmhole_runtime::{Abi, InjectSpec};

/// Reads standard input twice (16 bytes at most each) and prints what each
/// read got between brackets, then exits with the second read's errno.
const READ_TWICE: &str = r#"
  (data (i32.const 0x300) "[")
  (data (i32.const 0x301) "]")
  (func $once (result i32)
    (local $errno i32) (local $n i32)
    (local.set $errno (call $read (i32.const 0) (i32.const 0x100) (i32.const 16)))
    (local.set $n (call $nread))
    (call $print (i32.const 0x300) (i32.const 1))
    (call $print (i32.const 0x100) (local.get $n))
    (call $println (i32.const 0x301) (i32.const 1))
    (local.get $errno))
  (func (export "_start")
    (drop (call $once))
    (call $proc_exit (call $once)))
"#;

#[test]
fn other_bytes_are_what_the_read_got_and_only_that_call_changes() {
    let out = Guest::body(READ_TWICE)
        .stdin(b"abc")
        .inject(InjectSpec::at_call(
            1,
            "fd_read",
            Action::Bytes(b"a lie".to_vec()),
        ))
        .run();
    out.assert_exit(0);
    assert_eq!(out.stdout_text(), "[a lie]\n[abc]\n");
    let reads = out.calls("fd_read");
    assert!(reads[0].injected && !reads[1].injected);
    assert_eq!(reads[0].arg("nread"), "[5]");
}

#[test]
fn other_bytes_are_cut_to_the_buffers_and_spread_across_iovecs() {
    let out = Guest::body(
        r#"
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 0x100))
    (i32.store (i32.const 4) (i32.const 3))
    (i32.store (i32.const 8) (i32.const 0x200))
    (i32.store (i32.const 12) (i32.const 4))
    (call $must (call $fd_read (i32.const 0) (i32.const 0) (i32.const 2) (i32.const 0x20)))
    (call $print (i32.const 0x100) (i32.const 3))
    (call $print (i32.const 0x200) (i32.const 4))
    (call $proc_exit (i32.load (i32.const 0x20))))
"#,
    )
    .inject(InjectSpec::at_call(
        1,
        "fd_read",
        Action::Bytes(b"0123456789".to_vec()),
    ))
    .untraced()
    .run();
    assert_eq!(out.stdout_text(), "0123456");
    out.assert_exit(7);
}

#[test]
fn an_error_lands_on_the_numbered_call_only_if_it_is_the_call_named() {
    let sandbox = Sandbox::new();
    sandbox.write("a.txt", b"A");
    let body = r#"
  (data (i32.const 0x100) "a.txt")
  (func $try (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 5)
      (i32.const 0) (i64.const 0x3FFFFFFF) (i64.const 0x3FFFFFFF) (i32.const 0) (i32.const 0xFF0C)))
  (func (export "_start")
    (drop (call $try))
    (call $proc_exit (call $try)))
"#;
    let second = sandbox
        .guest(body)
        .inject(InjectSpec::at_call(
            2,
            "path_open",
            Action::Error("ENOENT".into()),
        ))
        .run();
    second.assert_exit(44);
    assert_eq!(second.errors("path_open"), [None, Some("ENOENT")]);
    let missed = sandbox
        .guest(body)
        .inject(InjectSpec::at_call(
            2,
            "fd_read",
            Action::Error("EIO".into()),
        ))
        .run();
    missed.assert_exit(0);
    assert!(missed.calls("path_open").iter().all(|r| !r.injected));
}

#[test]
fn a_short_write_at_one_call_moves_at_most_k_bytes() {
    let out = Guest::body(
        r#"
  (data (i32.const 0x100) "hello")
  (func (export "_start")
    (call $must (call $write (i32.const 1) (i32.const 0x100) (i32.const 5)))
    (call $must (call $write (i32.const 1) (i32.const 0x100) (i32.const 5))))
"#,
    )
    .inject(InjectSpec::at_call(1, "fd_write", Action::Retval(2)))
    .run();
    assert_eq!(out.stdout_text(), "hehello");
    assert_eq!(out.calls("fd_write")[0].arg("nwritten"), "[2]");
}

#[test]
fn one_call_rules_are_checked_against_the_call() {
    let err = |abi, spec: InjectSpec| Injector::new(abi, &[spec]).err().unwrap();
    let e = err(
        Abi::Wasi,
        InjectSpec::at_call(3, "path_open", Action::Error("ESPIPE".into())),
    );
    assert!(
        e.contains("does not return `ESPIPE`") && e.contains("ENOENT"),
        "{e}"
    );
    let e = err(
        Abi::Wasi,
        InjectSpec::at_call(3, "fd_write", Action::Bytes(b"x".to_vec())),
    );
    assert!(e.contains("cannot be given other bytes"), "{e}");
    let negative = Injector::new(
        Abi::Dagger,
        &[InjectSpec::at_call(1, "open", Action::Error("-3".into()))],
    );
    assert!(negative.is_ok(), "Dagger's negative codes by number");
    let by_name = Injector::new(
        Abi::Olin,
        &[InjectSpec::at_call(
            1,
            "resource_open",
            Action::Error("NOT_FOUND".into()),
        )],
    );
    assert!(by_name.is_ok());
}
