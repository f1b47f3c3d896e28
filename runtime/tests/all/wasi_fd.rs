//! WASI calls on open descriptors: `fd_write`, `fd_read`, `fd_pread`,
//! `fd_pwrite`, `fd_seek`, `fd_tell`, `fd_close`, `fd_renumber`,
//! `fd_prestat_get`, `fd_prestat_dir_name`, `fd_fdstat_get`,
//! `fd_fdstat_set_flags`, `fd_fdstat_set_rights`, `fd_filestat_get`,
//! `fd_filestat_set_size`, `fd_filestat_set_times`, `fd_advise`,
//! `fd_allocate`, `fd_sync`, `fd_datasync` and `fd_readdir`, each for
//! success and its characteristic errors.

use crate::common;

use common::{Guest, RecordExt, Sandbox};
use std::os::unix::fs::MetadataExt;
use std::time::{SystemTime, UNIX_EPOCH};

#[test]
fn fd_write_gathers_iovecs_into_stdout_and_stderr() {
    let out = Guest::body(
        r#"
  (data (i32.const 0x100) "Hello, world\n")
  (data (i32.const 0x120) "oops\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 0x100))
    (i32.store (i32.const 4) (i32.const 7))
    (i32.store (i32.const 8) (i32.const 0x107))
    (i32.store (i32.const 12) (i32.const 6))
    (call $must (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 0x20)))
    (call $must (call $write (i32.const 2) (i32.const 0x120) (i32.const 5)))
    (call $must (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0x24)))
    (drop (call $fd_write (i32.const 0) (i32.const 0) (i32.const 2) (i32.const 0x20)))
    (drop (call $fd_write (i32.const 9) (i32.const 0) (i32.const 2) (i32.const 0x20))))
"#,
    )
    .run();
    out.assert_exit(0);
    assert_eq!(out.stdout_text(), "Hello, world\n");
    assert_eq!(out.stderr_text(), "oops\n");
    let writes = out.calls("fd_write");
    assert_eq!(writes[0].arg("fd"), "1<stdout>");
    assert_eq!(writes[0].arg("iovs"), r#"[{"Hello, ", 7}, {"world\n", 6}]"#);
    assert_eq!(writes[0].arg("nwritten"), "[13]");
    assert!(writes[0].wrote(0x20, 4));
    assert_eq!(writes[1].arg("fd"), "2<stderr>");
    assert_eq!(writes[2].arg("nwritten"), "[0]");
    assert_eq!(
        out.errors("fd_write"),
        [None, None, None, Some("EBADF"), Some("EBADF")]
    );
    assert!(writes[3].writes.is_empty());
}

#[test]
fn fd_read_scatters_stdin_across_iovecs_until_end_of_file() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .guest(
            r#"
  (func $read2 (result i32)
    (call $must (call $fd_read (i32.const 0) (i32.const 0) (i32.const 2) (i32.const 0x20)))
    (i32.load (i32.const 0x20)))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 0x100))
    (i32.store (i32.const 4) (i32.const 4))
    (i32.store (i32.const 8) (i32.const 0x200))
    (i32.store (i32.const 12) (i32.const 4))
    (call $print_u64 (i64.extend_i32_u (call $read2)))
    (call $println (i32.const 0x100) (i32.const 4))
    (call $println (i32.const 0x200) (i32.const 4))
    (call $print_u64 (i64.extend_i32_u (call $read2)))
    (call $println (i32.const 0x100) (i32.const 2))
    (call $print_u64 (i64.extend_i32_u (call $read2)))
    (drop (call $fd_read (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 0x20)))
    (drop (call $fd_read (i32.const 3) (i32.const 0) (i32.const 2) (i32.const 0x20)))
    (drop (call $fd_read (i32.const 9) (i32.const 0) (i32.const 2) (i32.const 0x20))))
"#,
        )
        .stdin(b"abcdefghij")
        .run();
    out.assert_exit(0);
    assert_eq!(out.lines(), ["8", "abcd", "efgh", "2", "ij", "0"]);
    let reads = out.calls("fd_read");
    assert_eq!(reads[0].arg("fd"), "0<stdin>");
    assert_eq!(reads[0].arg("iovs"), r#"[{"abcd", 4}, {"efgh", 4}]"#);
    assert_eq!(reads[0].arg("nread"), "[8]");
    assert!(reads[0].wrote(0x100, 4) && reads[0].wrote(0x200, 4) && reads[0].wrote(0x20, 4));
    assert_eq!(reads[1].arg("iovs"), r#"[{"ij", 4}, {"", 4}]"#);
    assert_eq!(reads[2].arg("nread"), "[0]");
    // Standard output and a directory cannot be read: EBADF, as under
    // wasmtime (Rust's std then says "Bad file descriptor").
    assert_eq!(
        out.errors("fd_read"),
        [
            None,
            None,
            None,
            Some("EBADF"),
            Some("EBADF"),
            Some("EBADF")
        ]
    );
}

#[test]
fn a_file_is_written_then_read_back_through_seek_and_tell() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "notes.txt")
  (data (i32.const 0x110) "hello world")
  (func $offset (result i64) (i64.load (i32.const 0x20)))
  (func (export "_start") (local $fd i32)
    (local.set $fd (call $open (i32.const 0x100) (i32.const 9) (i32.const 1)))
    (call $must (call $write (local.get $fd) (i32.const 0x110) (i32.const 11)))
    (call $must (call $fd_tell (local.get $fd) (i32.const 0x20)))
    (call $print_u64 (call $offset))
    (call $must (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    (call $print_u64 (call $offset))
    (call $must (call $read (local.get $fd) (i32.const 0x200) (i32.const 100)))
    (call $println (i32.const 0x200) (call $nread))
    (call $must (call $fd_seek (local.get $fd) (i64.const -5) (i32.const 2) (i32.const 0x20)))
    (call $print_u64 (call $offset))
    (call $must (call $fd_seek (local.get $fd) (i64.const -2) (i32.const 1) (i32.const 0x20)))
    (call $print_u64 (call $offset))
    (call $must (call $read (local.get $fd) (i32.const 0x200) (i32.const 100)))
    (call $println (i32.const 0x200) (call $nread))
    (drop (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 3) (i32.const 0x28)))
    (drop (call $fd_seek (local.get $fd) (i64.const -1) (i32.const 0) (i32.const 0x28)))
    (drop (call $fd_seek (local.get $fd) (i64.const -100) (i32.const 1) (i32.const 0x28)))
    (call $must (call $fd_tell (local.get $fd) (i32.const 0x20)))
    (call $print_u64 (call $offset))
    (drop (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 0x28)))
    (drop (call $fd_seek (i32.const 0) (i64.const 0) (i32.const 1) (i32.const 0x28)))
    (drop (call $fd_tell (i32.const 1) (i32.const 0x28)))
    (drop (call $fd_seek (i32.const 9) (i64.const 0) (i32.const 0) (i32.const 0x28)))
    (drop (call $fd_tell (i32.const 9) (i32.const 0x28)))
    (call $must (call $fd_close (local.get $fd))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(
        out.lines(),
        ["11", "0", "hello world", "6", "4", "o world", "11"]
    );
    assert_eq!(sandbox.read("notes.txt"), b"hello world");

    let open = out.call("path_open");
    assert_eq!(open.arg("path"), r#""notes.txt""#);
    assert_eq!(open.arg("oflags"), "CREAT");
    assert_eq!(open.arg("opened_fd"), "[4</sandbox/notes.txt>]");
    let seeks = out.calls("fd_seek");
    assert_eq!(seeks[1].arg("whence"), "END");
    assert_eq!(seeks[1].arg("offset"), (-5i64 as u64).to_string());
    assert_eq!(seeks[1].arg("newoffset"), "[6]");
    assert!(seeks[1].wrote(0x20, 8));
    assert_eq!(seeks[3].arg("whence"), "3");
    assert_eq!(
        out.errors("fd_seek"),
        [
            None,
            None,
            None,
            Some("EINVAL"),
            Some("EINVAL"),
            Some("EINVAL"),
            Some("ESPIPE"),
            Some("ESPIPE"),
            Some("EBADF"),
        ]
    );
    assert_eq!(
        out.errors("fd_tell"),
        [None, None, Some("ESPIPE"), Some("EBADF")]
    );
    assert!(seeks[3..].iter().all(|s| s.writes.is_empty()));
}

#[test]
fn fd_pread_and_fd_pwrite_leave_the_offset_alone() {
    let sandbox = Sandbox::new();
    sandbox.write("digits.txt", b"0123456789");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "digits.txt")
  (data (i32.const 0x110) "AB")
  (func (export "_start") (local $fd i32)
    (local.set $fd (call $open (i32.const 0x100) (i32.const 10) (i32.const 0)))
    (call $must (call $fd_seek (local.get $fd) (i64.const 3) (i32.const 0) (i32.const 0x20)))
    (i32.store (i32.const 0) (i32.const 0x110))
    (i32.store (i32.const 4) (i32.const 2))
    (call $must (call $fd_pwrite (local.get $fd) (i32.const 0) (i32.const 1) (i64.const 2) (i32.const 0x28)))
    (i32.store (i32.const 0) (i32.const 0x200))
    (i32.store (i32.const 4) (i32.const 2))
    (i32.store (i32.const 8) (i32.const 0x210))
    (i32.store (i32.const 12) (i32.const 3))
    (call $must (call $fd_pread (local.get $fd) (i32.const 0) (i32.const 2) (i64.const 1) (i32.const 0x28)))
    (call $print_u64 (i64.extend_i32_u (i32.load (i32.const 0x28))))
    (call $println (i32.const 0x200) (i32.const 2))
    (call $println (i32.const 0x210) (i32.const 3))
    (call $must (call $fd_tell (local.get $fd) (i32.const 0x20)))
    (call $print_u64 (i64.load (i32.const 0x20)))
    (call $must (call $fd_pread (local.get $fd) (i32.const 0) (i32.const 2) (i64.const 100) (i32.const 0x28)))
    (call $print_u64 (i64.extend_i32_u (i32.load (i32.const 0x28))))
    (drop (call $fd_pread (i32.const 0) (i32.const 0) (i32.const 2) (i64.const 0) (i32.const 0x28)))
    (drop (call $fd_pwrite (i32.const 1) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 0x28)))
    (drop (call $fd_pread (i32.const 9) (i32.const 0) (i32.const 2) (i64.const 0) (i32.const 0x28)))
    (drop (call $fd_pwrite (i32.const 9) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 0x28))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["5", "1A", "B45", "3", "0"]);
    assert_eq!(sandbox.read("digits.txt"), b"01AB456789");
    let pwrite = out.nth("fd_pwrite", 0);
    assert_eq!(pwrite.arg("iovs"), r#"[{"AB", 2}]"#);
    assert_eq!(pwrite.arg("offset"), "2");
    assert_eq!(pwrite.arg("nwritten"), "[2]");
    let pread = out.nth("fd_pread", 0);
    assert_eq!(pread.arg("iovs"), r#"[{"1A", 2}, {"B45", 3}]"#);
    assert_eq!(pread.arg("nread"), "[5]");
    assert_eq!(
        out.errors("fd_pread"),
        [None, None, Some("ESPIPE"), Some("EBADF")]
    );
    assert_eq!(
        out.errors("fd_pwrite"),
        [None, Some("ESPIPE"), Some("EBADF")]
    );
}

#[test]
fn fd_close_frees_the_number_for_the_next_open() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "a.txt")
  (data (i32.const 0x108) "b.txt")
  (func (export "_start") (local $fd i32)
    (local.set $fd (call $open (i32.const 0x100) (i32.const 5) (i32.const 1)))
    (call $print_u64 (i64.extend_i32_u (local.get $fd)))
    (call $must (call $fd_close (local.get $fd)))
    (drop (call $write (local.get $fd) (i32.const 0x100) (i32.const 5)))
    (drop (call $fd_close (local.get $fd)))
    (call $print_u64 (i64.extend_i32_u (call $open (i32.const 0x108) (i32.const 5) (i32.const 1)))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["4", "4"]);
    assert_eq!(out.errors("fd_close"), [None, Some("EBADF")]);
    assert_eq!(out.nth("fd_close", 0).arg("fd"), "4</sandbox/a.txt>");
    assert_eq!(out.nth("fd_close", 1).arg("fd"), "4");
    assert_eq!(out.nth("fd_write", 1).arg("fd"), "4");
    assert_eq!(out.nth("fd_write", 1).error_name(), Some("EBADF"));
    assert_eq!(sandbox.read("a.txt"), b"", "a write reached a closed file");
    assert!(sandbox.exists("b.txt"));
}

#[test]
fn fd_renumber_redirects_stdout_into_a_file() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "out.txt")
  (data (i32.const 0x110) "redirected\n")
  (data (i32.const 0x120) "still stderr\n")
  (func (export "_start") (local $fd i32)
    (local.set $fd (call $open (i32.const 0x100) (i32.const 7) (i32.const 1)))
    (call $must (call $fd_renumber (local.get $fd) (i32.const 1)))
    (call $must (call $write (i32.const 1) (i32.const 0x110) (i32.const 11)))
    (drop (call $write (local.get $fd) (i32.const 0x110) (i32.const 11)))
    (drop (call $fd_renumber (i32.const 9) (i32.const 1)))
    (drop (call $fd_renumber (i32.const 1) (i32.const 9)))
    (call $must (call $fd_renumber (i32.const 1) (i32.const 1)))
    (call $must (call $write (i32.const 2) (i32.const 0x120) (i32.const 13))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(sandbox.read("out.txt"), b"redirected\n");
    assert_eq!(out.stdout_text(), "", "stdout was not replaced");
    assert_eq!(out.stderr_text(), "still stderr\n");
    let first = out.nth("fd_renumber", 0);
    assert_eq!(first.arg("fd"), "4</sandbox/out.txt>");
    assert_eq!(first.arg("to"), "1<stdout>");
    assert_eq!(out.nth("fd_write", 0).arg("fd"), "1</sandbox/out.txt>");
    assert_eq!(out.nth("fd_write", 1).error_name(), Some("EBADF"));
    assert_eq!(
        out.errors("fd_renumber"),
        [None, Some("EBADF"), Some("EBADF"), None]
    );
}

#[test]
fn preopened_directories_are_discovered_by_prestat() {
    let sandbox = Sandbox::new();
    let data = Sandbox::new();
    let out = sandbox
        .guest(
            r#"
  (func (export "_start") (local $fd i32)
    (local.set $fd (i32.const 3))
    (block $done
      (loop $each
        (br_if $done (call $fd_prestat_get (local.get $fd) (i32.const 0x10)))
        (if (i32.load8_u (i32.const 0x10)) (then (call $proc_exit (i32.const 99))))
        (call $must (call $fd_prestat_dir_name
          (local.get $fd) (i32.const 0x100) (i32.load (i32.const 0x14))))
        (call $println (i32.const 0x100) (i32.load (i32.const 0x14)))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $each)))
    (drop (call $fd_prestat_get (i32.const 1) (i32.const 0x10)))
    (drop (call $fd_prestat_dir_name (i32.const 3) (i32.const 0x100) (i32.const 3)))
    (drop (call $fd_prestat_dir_name (i32.const 0) (i32.const 0x100) (i32.const 64))))
"#,
        )
        .dir(data.path(), "data")
        .run();
    out.assert_exit(0);
    assert_eq!(out.lines(), ["/sandbox", "data"]);
    assert_eq!(
        out.errors("fd_prestat_get"),
        [None, None, Some("EBADF"), Some("EBADF")]
    );
    assert_eq!(
        out.nth("fd_prestat_get", 0).arg("buf"),
        "{tag=DIR, pr_name_len=8}"
    );
    assert!(out.nth("fd_prestat_get", 0).wrote(0x10, 8));
    let names = out.calls("fd_prestat_dir_name");
    assert_eq!(names[0].arg("path"), r#""/sandbox""#);
    assert_eq!(names[1].arg("path"), r#""data""#);
    assert_eq!(
        out.errors("fd_prestat_dir_name"),
        [None, None, Some("ENAMETOOLONG"), Some("EBADF")]
    );
}

#[test]
fn fd_fdstat_get_reports_type_flags_and_rights() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "log.txt")
  (func (export "_start")
    (call $must (call $fd_fdstat_get (i32.const 1) (i32.const 0x200)))
    (call $must (call $fd_fdstat_get (i32.const 3) (i32.const 0x220)))
    (call $must (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 7)
      (i32.const 1) (i64.const 0x66) (i64.const 0) (i32.const 1) (i32.const 0x20)))
    (call $must (call $fd_fdstat_get (i32.load (i32.const 0x20)) (i32.const 0x240)))
    (call $print_u64 (i64.load8_u (i32.const 0x200)))
    (call $print_u64 (i64.load8_u (i32.const 0x220)))
    (call $print_u64 (i64.load8_u (i32.const 0x240)))
    (call $print_u64 (i64.load16_u (i32.const 0x242)))
    (call $print_u64 (i64.load (i32.const 0x248)))
    (call $print_u64 (i64.load (i32.const 0x250)))
    (drop (call $fd_fdstat_get (i32.const 9) (i32.const 0x260))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["0", "3", "4", "1", "102", "0"]);
    let stats = out.calls("fd_fdstat_get");
    // Standard output here is a buffer, not a terminal: UNKNOWN, as
    // wasmtime reports a pipe or a file, and with wasmtime's rights:
    // FD_WRITE alone, base and inheriting.
    assert_eq!(
        stats[0].arg("stat"),
        "{fs_filetype=UNKNOWN, fs_flags=0, \
         fs_rights_base=FD_WRITE, \
         fs_rights_inheriting=FD_WRITE}"
    );
    let dir = stats[1].arg("stat");
    assert!(dir.starts_with("{fs_filetype=DIRECTORY"), "{dir}");
    assert!(
        dir.contains("PATH_OPEN") && dir.contains("FD_READDIR"),
        "{dir}"
    );
    assert_eq!(
        stats[2].arg("stat"),
        "{fs_filetype=REGULAR_FILE, fs_flags=APPEND, \
         fs_rights_base=FD_READ|FD_SEEK|FD_TELL|FD_WRITE, fs_rights_inheriting=0}"
    );
    assert!(stats[2].wrote(0x240, 24));
    assert_eq!(stats[3].error_name(), Some("EBADF"));
}

#[test]
fn fd_fdstat_set_flags_turns_append_on_and_off() {
    let sandbox = Sandbox::new();
    sandbox.write("log.txt", b"abc");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "log.txt")
  (data (i32.const 0x110) "defX")
  (func (export "_start") (local $fd i32)
    (local.set $fd (call $open (i32.const 0x100) (i32.const 7) (i32.const 0)))
    (call $must (call $fd_fdstat_set_flags (local.get $fd) (i32.const 1)))
    (call $must (call $fd_fdstat_get (local.get $fd) (i32.const 0x200)))
    (call $print_u64 (i64.load16_u (i32.const 0x202)))
    (call $must (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    (call $must (call $write (local.get $fd) (i32.const 0x110) (i32.const 3)))
    (drop (call $fd_fdstat_set_flags (local.get $fd) (i32.const 0x20)))
    (drop (call $fd_fdstat_set_flags (i32.const 9) (i32.const 0)))
    (call $must (call $fd_fdstat_set_flags (local.get $fd) (i32.const 0)))
    (call $must (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    (call $must (call $write (local.get $fd) (i32.const 0x113) (i32.const 1))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["1"]);
    assert_eq!(sandbox.read("log.txt"), b"Xbcdef");
    let sets = out.calls("fd_fdstat_set_flags");
    assert_eq!(sets[0].arg("flags"), "APPEND");
    assert_eq!(sets[1].arg("flags"), "0x20");
    assert_eq!(
        out.errors("fd_fdstat_set_flags"),
        [None, Some("EINVAL"), Some("EBADF"), None]
    );
}

#[test]
fn fd_fdstat_set_rights_can_only_take_rights_away() {
    let sandbox = Sandbox::new();
    sandbox.write("secret.txt", b"data");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "secret.txt")
  (func (export "_start") (local $fd i32)
    (local.set $fd (call $open (i32.const 0x100) (i32.const 10) (i32.const 0)))
    ;; keep FD_READ only
    (call $must (call $fd_fdstat_set_rights (local.get $fd) (i64.const 2) (i64.const 0)))
    (drop (call $write (local.get $fd) (i32.const 0x100) (i32.const 4)))
    (drop (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    (call $must (call $read (local.get $fd) (i32.const 0x200) (i32.const 16)))
    (call $println (i32.const 0x200) (call $nread))
    ;; FD_READ|FD_WRITE is more than it has
    (drop (call $fd_fdstat_set_rights (local.get $fd) (i64.const 0x42) (i64.const 0)))
    (call $must (call $fd_fdstat_get (local.get $fd) (i32.const 0x40)))
    (call $print_u64 (i64.load (i32.const 0x48)))
    ;; the granted directory without PATH_OPEN can open nothing
    (call $must (call $fd_fdstat_get (i32.const 3) (i32.const 0x60)))
    (call $must (call $fd_fdstat_set_rights (i32.const 3)
      (i64.and (i64.load (i32.const 0x68)) (i64.const 0xFFFFFFFFFFFFDFFF))
      (i64.load (i32.const 0x70))))
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 10)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    (drop (call $fd_fdstat_set_rights (i32.const 9) (i64.const 0) (i64.const 0))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["data", "2"]);
    assert_eq!(sandbox.read("secret.txt"), b"data");
    assert_eq!(out.nth("fd_write", 0).error_name(), Some("ENOTCAPABLE"));
    assert_eq!(out.nth("fd_seek", 0).error_name(), Some("ENOTCAPABLE"));
    let sets = out.calls("fd_fdstat_set_rights");
    assert_eq!(sets[0].arg("fs_rights_base"), "FD_READ");
    assert_eq!(sets[1].arg("fs_rights_base"), "FD_READ|FD_WRITE");
    assert!(!sets[2].arg("fs_rights_base").contains("PATH_OPEN"));
    assert_eq!(
        out.errors("fd_fdstat_set_rights"),
        [None, Some("ENOTCAPABLE"), None, Some("EBADF")]
    );
    assert_eq!(out.nth("path_open", 1).error_name(), Some("ENOTCAPABLE"));
}

#[test]
fn fd_filestat_get_describes_files_streams_and_directories() {
    let sandbox = Sandbox::new();
    sandbox.write("five.txt", b"12345");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "five.txt")
  (func (export "_start")
    (call $must (call $fd_filestat_get
      (call $open (i32.const 0x100) (i32.const 8) (i32.const 0)) (i32.const 0x200)))
    (call $print_u64 (i64.load (i32.const 0x208)))
    (call $print_u64 (i64.load8_u (i32.const 0x210)))
    (call $print_u64 (i64.load (i32.const 0x218)))
    (call $print_u64 (i64.load (i32.const 0x220)))
    (call $print_u64 (i64.load (i32.const 0x230)))
    (call $must (call $fd_filestat_get (i32.const 1) (i32.const 0x300)))
    (call $print_u64 (i64.load8_u (i32.const 0x310)))
    (call $must (call $fd_filestat_get (i32.const 3) (i32.const 0x400)))
    (call $print_u64 (i64.load8_u (i32.const 0x410)))
    (drop (call $fd_filestat_get (i32.const 9) (i32.const 0x500))))
"#,
    );
    out.assert_exit(0);
    let meta = std::fs::metadata(sandbox.host("five.txt")).unwrap();
    let mtime = meta.mtime() as u64 * 1_000_000_000 + meta.mtime_nsec() as u64;
    let expected = [
        meta.ino().to_string(),
        "4".into(),
        "1".into(),
        "5".into(),
        mtime.to_string(),
        // Standard output is a buffer here, not a terminal: UNKNOWN.
        "0".into(),
        "3".into(),
    ];
    assert_eq!(out.lines(), expected);
    let stat = out.nth("fd_filestat_get", 0);
    assert!(stat.wrote(0x200, 64));
    let shown = stat.arg("buf");
    assert!(
        shown.contains("filetype=REGULAR_FILE, nlink=1, size=5"),
        "{shown}"
    );
    assert_eq!(
        out.errors("fd_filestat_get"),
        [None, None, None, Some("EBADF")]
    );
}

#[test]
fn fd_filestat_set_size_truncates_and_extends_with_zeros() {
    let sandbox = Sandbox::new();
    sandbox.write("t.txt", b"hello world");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "t.txt")
  (func (export "_start") (local $fd i32)
    (local.set $fd (call $open (i32.const 0x100) (i32.const 5) (i32.const 0)))
    (call $must (call $fd_filestat_set_size (local.get $fd) (i64.const 5)))
    (call $must (call $read (local.get $fd) (i32.const 0x200) (i32.const 64)))
    (call $println (i32.const 0x200) (call $nread))
    (call $must (call $fd_filestat_set_size (local.get $fd) (i64.const 8)))
    (drop (call $fd_filestat_set_size (i32.const 1) (i64.const 0)))
    (call $must (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 5)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    (drop (call $fd_filestat_set_size (i32.load (i32.const 0x20)) (i64.const 0)))
    (drop (call $fd_filestat_set_size (i32.const 9) (i64.const 0))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["hello"]);
    assert_eq!(sandbox.read("t.txt"), b"hello\0\0\0");
    assert_eq!(out.nth("fd_filestat_set_size", 1).arg("size"), "8");
    assert_eq!(
        out.errors("fd_filestat_set_size"),
        [
            None,
            None,
            // Standard output has no size to set: EBADF, as under wasmtime;
            // a file opened without FD_FILESTAT_SET_SIZE lacks the right.
            Some("EBADF"),
            Some("ENOTCAPABLE"),
            Some("EBADF")
        ]
    );
}

#[test]
fn fd_filestat_set_times_stores_nanoseconds_and_now_on_files_and_directories() {
    let sandbox = Sandbox::new();
    let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "t.txt")
  (func $times (param $fd i32)
    (call $must (call $fd_filestat_get (local.get $fd) (i32.const 0x200)))
    (call $print_u64 (i64.load (i32.const 0x228)))
    (call $print_u64 (i64.load (i32.const 0x230))))
  (func (export "_start") (local $fd i32)
    (local.set $fd (call $open (i32.const 0x100) (i32.const 5) (i32.const 1)))
    (call $must (call $fd_filestat_set_times (local.get $fd)
      (i64.const 1000000123456789) (i64.const 1234567890987654321) (i32.const 5)))
    (call $times (local.get $fd))
    (drop (call $fd_filestat_set_times (local.get $fd) (i64.const 0) (i64.const 0) (i32.const 3)))
    (drop (call $fd_filestat_set_times (local.get $fd) (i64.const 0) (i64.const 0) (i32.const 0x10)))
    (drop (call $fd_filestat_set_times (i32.const 9) (i64.const 0) (i64.const 0) (i32.const 8)))
    (call $must (call $fd_filestat_set_times (local.get $fd) (i64.const 0) (i64.const 0) (i32.const 8)))
    (call $times (local.get $fd))
    (call $must (call $fd_filestat_set_times (i32.const 3) (i64.const 0) (i64.const 1500000000000000042)
      (i32.const 4))))
"#,
    );
    out.assert_exit(0);
    let lines = out.lines();
    assert_eq!(lines[..2], ["1000000123456789", "1234567890987654321"]);
    assert_eq!(lines[2], lines[0], "MTIM_NOW changed the access time");
    let now_set: u128 = lines[3].parse().unwrap();
    let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    // File times come from the kernel's coarse clock, a tick behind at most.
    assert!(
        before.as_nanos() <= now_set + 50_000_000 && now_set <= after.as_nanos(),
        "MTIM_NOW set {now_set}"
    );
    let meta = std::fs::metadata(sandbox.host("t.txt")).unwrap();
    assert_eq!((meta.atime(), meta.atime_nsec()), (1_000_000, 123_456_789));
    let dir = std::fs::metadata(sandbox.path()).unwrap();
    assert_eq!((dir.mtime(), dir.mtime_nsec()), (1_500_000_000, 42));
    let set = out.nth("fd_filestat_set_times", 0);
    assert_eq!(set.arg("fst_flags"), "ATIM|MTIM");
    assert_eq!(set.arg("mtim"), "1234567890987654321");
    assert_eq!(
        out.nth("fd_filestat_set_times", 1).arg("fst_flags"),
        "ATIM|ATIM_NOW"
    );
    assert_eq!(
        out.errors("fd_filestat_set_times"),
        [
            None,
            Some("EINVAL"),
            Some("EINVAL"),
            Some("EBADF"),
            None,
            None
        ]
    );
    assert_eq!(out.nth("fd_filestat_set_times", 5).arg("fd"), "3</sandbox>");
}

#[test]
fn advice_allocation_and_syncs_succeed_on_files_and_directories_and_fail_without_rights() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "big.bin")
  (func (export "_start") (local $fd i32) (local $ro i32)
    (local.set $fd (call $open (i32.const 0x100) (i32.const 7) (i32.const 1)))
    (call $must (call $fd_advise (local.get $fd) (i64.const 0) (i64.const 0) (i32.const 1)))
    (drop (call $fd_advise (local.get $fd) (i64.const 0) (i64.const 0) (i32.const 9)))
    (call $must (call $fd_allocate (local.get $fd) (i64.const 0) (i64.const 4096)))
    (call $must (call $fd_allocate (local.get $fd) (i64.const 100) (i64.const 10)))
    (call $must (call $fd_sync (local.get $fd)))
    (call $must (call $fd_datasync (local.get $fd)))
    (call $must (call $fd_sync (i32.const 3)))
    (call $must (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 7)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    (local.set $ro (i32.load (i32.const 0x20)))
    (drop (call $fd_advise (local.get $ro) (i64.const 0) (i64.const 0) (i32.const 2)))
    (drop (call $fd_allocate (local.get $ro) (i64.const 0) (i64.const 8192)))
    (drop (call $fd_sync (local.get $ro)))
    (drop (call $fd_datasync (local.get $ro)))
    (drop (call $fd_advise (i32.const 9) (i64.const 0) (i64.const 0) (i32.const 0)))
    (drop (call $fd_allocate (i32.const 9) (i64.const 0) (i64.const 1)))
    (drop (call $fd_sync (i32.const 9)))
    (drop (call $fd_datasync (i32.const 9))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(sandbox.read("big.bin"), vec![0u8; 4096]);
    assert_eq!(out.nth("fd_advise", 0).arg("advice"), "SEQUENTIAL");
    assert_eq!(
        out.errors("fd_advise"),
        [None, Some("EINVAL"), Some("ENOTCAPABLE"), Some("EBADF")]
    );
    assert_eq!(
        out.errors("fd_allocate"),
        [None, None, Some("ENOTCAPABLE"), Some("EBADF")]
    );
    assert_eq!(
        out.errors("fd_sync"),
        [None, None, Some("ENOTCAPABLE"), Some("EBADF")]
    );
    assert_eq!(
        out.errors("fd_datasync"),
        [None, Some("ENOTCAPABLE"), Some("EBADF")]
    );
}

/// One directory entry as `fd_readdir` lays it out.
#[derive(Debug, PartialEq)]
struct Dirent {
    next: u64,
    ino: u64,
    kind: u8,
    name: String,
}

/// Parses whole entries; a truncated last one is left out.
fn dirents(mut buf: &[u8]) -> Vec<Dirent> {
    let mut out = Vec::new();
    while buf.len() >= 24 {
        let namlen = u32::from_le_bytes(buf[16..20].try_into().unwrap()) as usize;
        if buf.len() < 24 + namlen {
            break;
        }
        out.push(Dirent {
            next: u64::from_le_bytes(buf[0..8].try_into().unwrap()),
            ino: u64::from_le_bytes(buf[8..16].try_into().unwrap()),
            kind: buf[20],
            name: String::from_utf8(buf[24..24 + namlen].to_vec()).unwrap(),
        });
        buf = &buf[24 + namlen..];
    }
    out
}

/// Lists descriptor `fd` from `cookie` into a buffer of `len` bytes and
/// prints what the host filled.
fn readdir_guest(open_sub: bool, cookie: u64, len: u32) -> String {
    let open = if open_sub {
        r#"(call $must (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 3)
      (i32.const 2) (i64.const 0x4000) (i64.const 0) (i32.const 0) (i32.const 0x10)))"#
    } else {
        "(i32.store (i32.const 0x10) (i32.const 3))"
    };
    format!(
        r#"
  (data (i32.const 0x100) "sub")
  (func (export "_start")
    {open}
    (call $must (call $fd_readdir (i32.load (i32.const 0x10)) (i32.const 0x1000) (i32.const {len})
      (i64.const {cookie}) (i32.const 0x20)))
    (call $print (i32.const 0x1000) (i32.load (i32.const 0x20))))
"#
    )
}

#[test]
fn fd_readdir_lists_dot_entries_and_resumes_from_cookies() {
    let sandbox = Sandbox::new();
    sandbox.write("a.txt", b"a");
    sandbox.write("b", b"");
    sandbox.mkdir("sub/inner");
    std::os::unix::fs::symlink("a.txt", sandbox.host("ln")).unwrap();

    let all = sandbox.run(&readdir_guest(false, 0, 4096));
    all.assert_exit(0);
    let entries = dirents(&all.stdout);
    let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
    // `.` and `..`, then the host's own order (what a native program and
    // wasmtime see), not sorted.
    let mut host_order: Vec<String> = vec![".".into(), "..".into()];
    host_order.extend(
        std::fs::read_dir(sandbox.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap()),
    );
    assert_eq!(names, host_order);
    let kind_of = |name: &str| match name {
        "." | ".." | "sub" => 3,
        "ln" => 7,
        _ => 4,
    };
    let kinds: Vec<_> = entries.iter().map(|e| e.kind).collect();
    let expected: Vec<_> = names.iter().map(|n| kind_of(n)).collect();
    assert_eq!(kinds, expected);
    let nexts: Vec<_> = entries.iter().map(|e| e.next).collect();
    assert_eq!(nexts, [1, 2, 3, 4, 5, 6]);
    let a_ino = std::fs::metadata(sandbox.host("a.txt")).unwrap().ino();
    let a = entries.iter().find(|e| e.name == "a.txt").unwrap();
    assert_eq!(a.ino, a_ino);
    // `..` of the granted folder, whose parent is outside the grant, is
    // numbered as the folder itself (as wasmtime numbers it).
    let own = std::fs::metadata(sandbox.path()).unwrap().ino();
    assert_eq!((entries[0].ino, entries[1].ino), (own, own));
    let used = 6 * 24 + [".", "..", "a.txt", "b", "ln", "sub"].concat().len();
    let call = all.call("fd_readdir");
    assert_eq!(call.arg("bufused"), format!("[{used}]"));
    assert_eq!(all.stdout.len(), used);
    assert!(call.wrote(0x1000, used as u32));

    let rest = sandbox.run(&readdir_guest(false, 3, 4096));
    rest.assert_exit(0);
    let resumed = dirents(&rest.stdout);
    assert_eq!(resumed, entries[3..], "listing from cookie 3");

    let small = sandbox.run(&readdir_guest(false, 0, 30));
    small.assert_exit(0);
    assert_eq!(small.stdout.len(), 30, "a full buffer means there is more");
    assert_eq!(dirents(&small.stdout), entries[..1]);
    assert_eq!(small.stdout[..], all.stdout[..30]);

    let end = sandbox.run(&readdir_guest(false, 6, 4096));
    end.assert_exit(0);
    assert!(end.stdout.is_empty());
    assert_eq!(end.call("fd_readdir").arg("bufused"), "[0]");

    let sub = sandbox.run(&readdir_guest(true, 0, 4096));
    sub.assert_exit(0);
    assert_eq!(sub.call("fd_readdir").arg("fd"), "4</sandbox/sub>");
    let names: Vec<_> = dirents(&sub.stdout).into_iter().map(|e| e.name).collect();
    assert_eq!(names, [".", "..", "inner"]);
}

#[test]
fn fd_readdir_needs_an_open_directory() {
    let sandbox = Sandbox::new();
    sandbox.write("f", b"");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "f")
  (func (export "_start")
    (drop (call $fd_readdir (call $open (i32.const 0x100) (i32.const 1) (i32.const 0))
      (i32.const 0x1000) (i32.const 256) (i64.const 0) (i32.const 0x20)))
    (drop (call $fd_readdir (i32.const 9) (i32.const 0x1000) (i32.const 256) (i64.const 0) (i32.const 0x20)))
    (drop (call $fd_readdir (i32.const 1) (i32.const 0x1000) (i32.const 256) (i64.const 0) (i32.const 0x20))))
"#,
    );
    out.assert_exit(0);
    // A file and standard output cannot be listed: EBADF, as wasmtime
    // says (not a missing right: no right would make them directories).
    assert_eq!(
        out.errors("fd_readdir"),
        [Some("EBADF"), Some("EBADF"), Some("EBADF")]
    );
    assert!(out.calls("fd_readdir").iter().all(|r| r.writes.is_empty()));
}
