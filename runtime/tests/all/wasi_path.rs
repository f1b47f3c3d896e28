//! WASI calls that name a path relative to a directory descriptor:
//! `path_open`, `path_create_directory`, `path_remove_directory`,
//! `path_unlink_file`, `path_filestat_get`, `path_filestat_set_times`,
//! `path_symlink`, `path_readlink`, `path_link` and `path_rename`, each for
//! success (checked on the host's disk) and its characteristic errors.

use crate::common;

use common::{RecordExt, Sandbox};
use std::os::unix::fs::MetadataExt;
use std::time::{SystemTime, UNIX_EPOCH};

#[test]
fn path_open_creates_truncates_and_refuses_by_oflags() {
    let sandbox = Sandbox::new();
    sandbox.write("exists.txt", b"hello");
    sandbox.mkdir("sub");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "new.txt")
  (data (i32.const 0x110) "exists.txt")
  (data (i32.const 0x120) "missing.txt")
  (data (i32.const 0x130) "sub")
  ;; path_open(3, path, oflags, rights) with the new descriptor at 0x20.
  (func $try (param $path i32) (param $len i32) (param $oflags i32) (param $rights i64) (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
      (local.get $oflags) (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 0x20)))
  (func (export "_start")
    (call $must (call $try (i32.const 0x100) (i32.const 7) (i32.const 1) (i64.const 0x42)))
    (drop (call $try (i32.const 0x110) (i32.const 10) (i32.const 5) (i64.const 0x42)))
    (drop (call $try (i32.const 0x120) (i32.const 11) (i32.const 0) (i64.const 2)))
    (call $must (call $try (i32.const 0x110) (i32.const 10) (i32.const 8) (i64.const 0x42)))
    (drop (call $try (i32.const 0x110) (i32.const 10) (i32.const 2) (i64.const 0)))
    (call $must (call $try (i32.const 0x130) (i32.const 3) (i32.const 2) (i64.const 0x4000)))
    (call $must (call $fd_fdstat_get (i32.load (i32.const 0x20)) (i32.const 0x200)))
    (call $print_u64 (i64.load8_u (i32.const 0x200)))
    (drop (call $try (i32.const 0x130) (i32.const 3) (i32.const 0) (i64.const 0x40)))
    (call $must (call $try (i32.const 0x130) (i32.const 3) (i32.const 0) (i64.const 2)))
    (drop (call $try (i32.const 0x130) (i32.const 3) (i32.const 3) (i64.const 0)))
    (drop (call $path_open (i32.const 1) (i32.const 0) (i32.const 0x100) (i32.const 7)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    (drop (call $path_open (i32.const 9) (i32.const 0) (i32.const 0x100) (i32.const 7)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20)))
    ;; descriptor 4 is new.txt, a regular file
    (drop (call $path_open (i32.const 4) (i32.const 0) (i32.const 0x120) (i32.const 11)
      (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0x20))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["3"]);
    assert!(sandbox.exists("new.txt"));
    assert_eq!(sandbox.read("exists.txt"), b"", "TRUNC left the contents");
    assert_eq!(
        out.errors("path_open"),
        [
            None,
            Some("EEXIST"),
            Some("ENOENT"),
            None,
            Some("ENOTDIR"),
            None,
            Some("EISDIR"),
            None,
            Some("EINVAL"),
            Some("ENOTDIR"),
            Some("EBADF"),
            Some("ENOTDIR"),
        ]
    );
    let opens = out.calls("path_open");
    assert_eq!(opens[11].arg("fd"), "4</sandbox/new.txt>");
    assert!(!sandbox.exists("missing.txt"));
    assert_eq!(opens[0].arg("fd"), "3</sandbox>");
    assert_eq!(opens[0].arg("fs_rights_base"), "FD_READ|FD_WRITE");
    assert_eq!(opens[1].arg("path"), r#""exists.txt""#);
    assert_eq!(opens[1].arg("oflags"), "CREAT|EXCL");
    assert_eq!(opens[3].arg("oflags"), "TRUNC");
    assert_eq!(opens[5].arg("oflags"), "DIRECTORY");
    assert_eq!(opens[5].arg("opened_fd"), "[6</sandbox/sub>]");
    assert!(opens[5].wrote(0x20, 4));
    assert_eq!(opens[8].arg("oflags"), "CREAT|DIRECTORY");
    assert!(opens[1].writes.is_empty());
}

#[test]
fn path_open_follows_a_final_symlink_only_when_asked() {
    let sandbox = Sandbox::new();
    sandbox.write("target.txt", b"through the link");
    std::os::unix::fs::symlink("target.txt", sandbox.host("ln")).unwrap();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "ln")
  (func $open_ln (param $lookup i32) (result i32)
    (call $path_open (i32.const 3) (local.get $lookup) (i32.const 0x100) (i32.const 2)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20)))
  (func (export "_start")
    (drop (call $open_ln (i32.const 0)))
    (call $must (call $open_ln (i32.const 1)))
    (call $must (call $read (i32.load (i32.const 0x20)) (i32.const 0x200) (i32.const 64)))
    (call $println (i32.const 0x200) (call $nread)))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["through the link"]);
    assert_eq!(out.errors("path_open"), [Some("ELOOP"), None]);
    assert_eq!(out.nth("path_open", 1).arg("dirflags"), "SYMLINK_FOLLOW");
}

#[test]
fn unusable_paths_are_refused() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "\ff\fe")
  (data (i32.const 0x110) "a\00b")
  (func $try (param $path i32) (param $len i32)
    (drop (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
      (i32.const 1) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20))))
  (func (export "_start")
    (call $try (i32.const 0x100) (i32.const 0))
    (call $try (i32.const 0x100) (i32.const 2))
    (call $try (i32.const 0x110) (i32.const 3)))
"#,
    );
    out.assert_exit(0);
    assert_eq!(
        out.errors("path_open"),
        [Some("ENOENT"), Some("EILSEQ"), Some("EINVAL")]
    );
    assert_eq!(out.nth("path_open", 2).arg("path"), r#""a\x00b""#);
    assert_eq!(std::fs::read_dir(sandbox.path()).unwrap().count(), 0);
}

#[test]
fn directories_are_created_and_removed_only_when_empty() {
    let sandbox = Sandbox::new();
    sandbox.write("file", b"");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "d")
  (data (i32.const 0x110) "d/f")
  (data (i32.const 0x120) "d/")
  (data (i32.const 0x130) "file")
  (data (i32.const 0x140) "nope/deeper")
  (func (export "_start")
    (call $must (call $path_create_directory (i32.const 3) (i32.const 0x100) (i32.const 1)))
    (drop (call $path_create_directory (i32.const 3) (i32.const 0x100) (i32.const 1)))
    (drop (call $path_create_directory (i32.const 3) (i32.const 0x140) (i32.const 11)))
    (drop (call $open (i32.const 0x110) (i32.const 3) (i32.const 1)))
    (drop (call $path_remove_directory (i32.const 3) (i32.const 0x100) (i32.const 1)))
    (call $must (call $path_unlink_file (i32.const 3) (i32.const 0x110) (i32.const 3)))
    (call $must (call $path_remove_directory (i32.const 3) (i32.const 0x120) (i32.const 2)))
    (drop (call $path_remove_directory (i32.const 3) (i32.const 0x130) (i32.const 4)))
    (drop (call $path_remove_directory (i32.const 3) (i32.const 0x140) (i32.const 4)))
    (drop (call $path_create_directory (i32.const 1) (i32.const 0x100) (i32.const 1)))
    (drop (call $path_remove_directory (i32.const 9) (i32.const 0x100) (i32.const 1))))
"#,
    );
    out.assert_exit(0);
    assert!(!sandbox.exists("d"), "the directory is still there");
    assert!(sandbox.exists("file"));
    assert!(!sandbox.exists("nope"));
    assert_eq!(
        out.errors("path_create_directory"),
        [None, Some("EEXIST"), Some("ENOENT"), Some("ENOTDIR")]
    );
    assert_eq!(
        out.errors("path_remove_directory"),
        [
            Some("ENOTEMPTY"),
            None,
            Some("ENOTDIR"),
            Some("ENOENT"),
            Some("EBADF")
        ]
    );
    assert_eq!(out.nth("path_create_directory", 0).arg("path"), r#""d""#);
    assert_eq!(out.nth("path_remove_directory", 1).arg("path"), r#""d/""#);
}

#[test]
fn path_unlink_file_removes_files_and_links_but_not_directories() {
    let sandbox = Sandbox::new();
    sandbox.write("file", b"x");
    sandbox.write("target", b"kept");
    sandbox.mkdir("dir");
    std::os::unix::fs::symlink("target", sandbox.host("ln")).unwrap();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "file")
  (data (i32.const 0x110) "dir")
  (data (i32.const 0x120) "ln")
  (func $unlink (param $path i32) (param $len i32)
    (drop (call $path_unlink_file (i32.const 3) (local.get $path) (local.get $len))))
  (func (export "_start")
    (call $unlink (i32.const 0x100) (i32.const 4))
    (call $unlink (i32.const 0x100) (i32.const 4))
    (call $unlink (i32.const 0x110) (i32.const 3))
    (call $unlink (i32.const 0x120) (i32.const 2)))
"#,
    );
    out.assert_exit(0);
    assert_eq!(
        out.errors("path_unlink_file"),
        [None, Some("ENOENT"), Some("EISDIR"), None]
    );
    assert!(!sandbox.exists("file"));
    assert!(!sandbox.exists("ln"));
    assert!(sandbox.exists("dir"));
    assert_eq!(sandbox.read("target"), b"kept");
}

#[test]
fn path_filestat_get_follows_symlinks_only_when_asked() {
    let sandbox = Sandbox::new();
    sandbox.write("target", b"12345");
    std::os::unix::fs::symlink("target", sandbox.host("ln")).unwrap();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "ln")
  (data (i32.const 0x110) "missing")
  (data (i32.const 0x120) "target/x")
  (func $stat (param $lookup i32)
    (call $must (call $path_filestat_get (i32.const 3) (local.get $lookup)
      (i32.const 0x100) (i32.const 2) (i32.const 0x200)))
    (call $print_u64 (i64.load8_u (i32.const 0x210)))
    (call $print_u64 (i64.load (i32.const 0x220)))
    (call $print_u64 (i64.load (i32.const 0x208))))
  (func (export "_start")
    (call $stat (i32.const 1))
    (call $stat (i32.const 0))
    (drop (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x110) (i32.const 7)
      (i32.const 0x200)))
    (drop (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x120) (i32.const 8)
      (i32.const 0x200))))
"#,
    );
    out.assert_exit(0);
    let target = std::fs::metadata(sandbox.host("target")).unwrap();
    let link = std::fs::symlink_metadata(sandbox.host("ln")).unwrap();
    assert_eq!(
        out.lines(),
        [
            "4".to_string(),
            "5".into(),
            target.ino().to_string(),
            "7".into(),
            "6".into(),
            link.ino().to_string()
        ]
    );
    let stats = out.calls("path_filestat_get");
    assert_eq!(stats[0].arg("flags"), "SYMLINK_FOLLOW");
    assert!(stats[0].arg("buf").contains("filetype=REGULAR_FILE"));
    assert!(stats[1].arg("buf").contains("filetype=SYMBOLIC_LINK"));
    assert!(stats[0].wrote(0x200, 64));
    assert_eq!(
        out.errors("path_filestat_get"),
        [None, None, Some("ENOENT"), Some("ENOTDIR")]
    );
}

#[test]
fn path_filestat_set_times_round_trips_nanosecond_timestamps() {
    let sandbox = Sandbox::new();
    sandbox.write("t.txt", b"");
    sandbox.write("target", b"");
    std::os::unix::fs::symlink("target", sandbox.host("ln")).unwrap();
    let target_mtime_before = std::fs::metadata(sandbox.host("target"))
        .unwrap()
        .mtime_nsec();
    let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "t.txt")
  (data (i32.const 0x110) "ln")
  (data (i32.const 0x120) "missing")
  (func $times
    (call $must (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 0x100) (i32.const 5)
      (i32.const 0x200)))
    (call $print_u64 (i64.load (i32.const 0x228)))
    (call $print_u64 (i64.load (i32.const 0x230))))
  (func (export "_start")
    (call $must (call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 0x100) (i32.const 5)
      (i64.const 1111111111000000001) (i64.const 1222222222999999999) (i32.const 5)))
    (call $times)
    (call $must (call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 0x100) (i32.const 5)
      (i64.const 0) (i64.const 0) (i32.const 2)))
    (call $times)
    (call $must (call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 0x110) (i32.const 2)
      (i64.const 0) (i64.const 1000000000000000007) (i32.const 4)))
    (drop (call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 0x100) (i32.const 5)
      (i64.const 0) (i64.const 0) (i32.const 12)))
    (drop (call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 0x120) (i32.const 7)
      (i64.const 0) (i64.const 0) (i32.const 10))))
"#,
    );
    out.assert_exit(0);
    let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let lines = out.lines();
    assert_eq!(lines[..2], ["1111111111000000001", "1222222222999999999"]);
    let atime_now: u128 = lines[2].parse().unwrap();
    // File times come from the kernel's coarse clock, a tick behind at most.
    assert!(
        before.as_nanos() <= atime_now + 50_000_000 && atime_now <= after.as_nanos(),
        "ATIM_NOW set {atime_now}"
    );
    assert_eq!(lines[3], lines[1], "ATIM_NOW changed the modification time");
    let file = std::fs::metadata(sandbox.host("t.txt")).unwrap();
    assert_eq!(
        (file.mtime(), file.mtime_nsec()),
        (1_222_222_222, 999_999_999)
    );
    let link = std::fs::symlink_metadata(sandbox.host("ln")).unwrap();
    assert_eq!((link.mtime(), link.mtime_nsec()), (1_000_000_000, 7));
    let target = std::fs::metadata(sandbox.host("target")).unwrap();
    assert_eq!(
        target.mtime_nsec(),
        target_mtime_before,
        "the link was followed"
    );

    let sets = out.calls("path_filestat_set_times");
    assert_eq!(sets[0].arg("path"), r#""t.txt""#);
    assert_eq!(sets[0].arg("atim"), "1111111111000000001");
    assert_eq!(sets[0].arg("fst_flags"), "ATIM|MTIM");
    assert_eq!(sets[2].arg("flags"), "0");
    assert_eq!(sets[3].arg("fst_flags"), "MTIM|MTIM_NOW");
    assert_eq!(
        out.errors("path_filestat_set_times"),
        [None, None, None, Some("EINVAL"), Some("ENOENT")]
    );
}

#[test]
fn path_symlink_and_path_readlink_round_trip_the_target_text() {
    let sandbox = Sandbox::new();
    sandbox.write("target.txt", b"linked content");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "target.txt")
  (data (i32.const 0x110) "ln")
  (data (i32.const 0x120) "missing")
  (func $readlink (param $path i32) (param $len i32) (param $cap i32) (result i32)
    (call $path_readlink (i32.const 3) (local.get $path) (local.get $len)
      (i32.const 0x200) (local.get $cap) (i32.const 0x20)))
  (func (export "_start")
    (call $must (call $path_symlink (i32.const 0x100) (i32.const 10)
      (i32.const 3) (i32.const 0x110) (i32.const 2)))
    (call $must (call $readlink (i32.const 0x110) (i32.const 2) (i32.const 64)))
    (call $println (i32.const 0x200) (i32.load (i32.const 0x20)))
    (call $must (call $readlink (i32.const 0x110) (i32.const 2) (i32.const 4)))
    (call $println (i32.const 0x200) (i32.load (i32.const 0x20)))
    (drop (call $readlink (i32.const 0x100) (i32.const 10) (i32.const 64)))
    (drop (call $readlink (i32.const 0x120) (i32.const 7) (i32.const 64)))
    (drop (call $path_symlink (i32.const 0x120) (i32.const 7)
      (i32.const 3) (i32.const 0x110) (i32.const 2)))
    (drop (call $path_symlink (i32.const 0x120) (i32.const 7)
      (i32.const 9) (i32.const 0x110) (i32.const 2)))
    (call $must (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x110) (i32.const 2)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x24)))
    (call $must (call $read (i32.load (i32.const 0x24)) (i32.const 0x300) (i32.const 64)))
    (call $println (i32.const 0x300) (call $nread)))
"#,
    );
    out.assert_exit(0);
    assert_eq!(out.lines(), ["target.txt", "targ", "linked content"]);
    assert_eq!(
        std::fs::read_link(sandbox.host("ln")).unwrap(),
        std::path::Path::new("target.txt")
    );
    let symlink = out.nth("path_symlink", 0);
    assert_eq!(symlink.arg("old_path"), r#""target.txt""#);
    assert_eq!(symlink.arg("new_path"), r#""ln""#);
    let readlinks = out.calls("path_readlink");
    assert_eq!(readlinks[0].arg("buf"), r#""target.txt""#);
    assert_eq!(readlinks[0].arg("bufused"), "[10]");
    assert!(readlinks[0].wrote(0x200, 10));
    assert_eq!(readlinks[1].arg("bufused"), "[4]");
    assert_eq!(
        out.errors("path_readlink"),
        [None, None, Some("EINVAL"), Some("ENOENT")]
    );
    assert_eq!(
        out.errors("path_symlink"),
        [None, Some("EEXIST"), Some("EBADF")]
    );
}

#[test]
fn path_link_gives_a_file_a_second_name() {
    let sandbox = Sandbox::new();
    sandbox.write("a", b"one");
    let out = sandbox.run(
        r#"
  (data (i32.const 0x100) "a")
  (data (i32.const 0x108) "b")
  (data (i32.const 0x110) "missing")
  (data (i32.const 0x120) "c")
  (data (i32.const 0x128) "+two")
  (func (export "_start") (local $fd i32)
    (call $must (call $path_link (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 1)
      (i32.const 3) (i32.const 0x108) (i32.const 1)))
    (local.set $fd (call $open (i32.const 0x108) (i32.const 1) (i32.const 0)))
    (call $must (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 2) (i32.const 0x20)))
    (call $must (call $write (local.get $fd) (i32.const 0x128) (i32.const 4)))
    (drop (call $path_link (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 1)
      (i32.const 3) (i32.const 0x108) (i32.const 1)))
    (drop (call $path_link (i32.const 3) (i32.const 0) (i32.const 0x110) (i32.const 7)
      (i32.const 3) (i32.const 0x120) (i32.const 1)))
    (drop (call $path_link (i32.const 3) (i32.const 1) (i32.const 0x100) (i32.const 1)
      (i32.const 3) (i32.const 0x120) (i32.const 1)))
    (drop (call $path_link (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 1)
      (i32.const 9) (i32.const 0x120) (i32.const 1))))
"#,
    );
    out.assert_exit(0);
    assert_eq!(sandbox.read("a"), b"one+two");
    let a = std::fs::metadata(sandbox.host("a")).unwrap();
    let b = std::fs::metadata(sandbox.host("b")).unwrap();
    assert_eq!(a.ino(), b.ino());
    assert_eq!(a.nlink(), 2);
    assert!(!sandbox.exists("c"));
    let link = out.nth("path_link", 0);
    assert_eq!(link.arg("old_path"), r#""a""#);
    assert_eq!(link.arg("new_fd"), "3</sandbox>");
    assert_eq!(link.arg("new_path"), r#""b""#);
    assert_eq!(out.nth("path_link", 3).arg("old_flags"), "SYMLINK_FOLLOW");
    assert_eq!(
        out.errors("path_link"),
        [
            None,
            Some("EEXIST"),
            Some("ENOENT"),
            Some("EINVAL"),
            Some("EBADF")
        ]
    );
}

#[test]
fn path_rename_moves_replaces_and_refuses_mismatched_kinds() {
    let sandbox = Sandbox::new();
    let other = Sandbox::new();
    sandbox.write("a", b"A");
    sandbox.write("b", b"B");
    sandbox.mkdir("d");
    sandbox.mkdir("empty");
    sandbox.mkdir("full");
    sandbox.write("full/x", b"x");
    sandbox.write("travel", b"T");
    let out = sandbox
        .guest(
            r#"
  (data (i32.const 0x100) "a")
  (data (i32.const 0x108) "d/a2")
  (data (i32.const 0x110) "b")
  (data (i32.const 0x118) "missing")
  (data (i32.const 0x120) "z")
  (data (i32.const 0x128) "empty")
  (data (i32.const 0x130) "full")
  (data (i32.const 0x138) "renamed")
  (data (i32.const 0x140) "travel")
  (func $rename (param $old i32) (param $old_len i32) (param $to i32)
                (param $new i32) (param $new_len i32) (result i32)
    (call $path_rename (i32.const 3) (local.get $old) (local.get $old_len)
      (local.get $to) (local.get $new) (local.get $new_len)))
  (func (export "_start")
    (call $must (call $rename (i32.const 0x100) (i32.const 1) (i32.const 3) (i32.const 0x108) (i32.const 4)))
    (call $must (call $rename (i32.const 0x110) (i32.const 1) (i32.const 3) (i32.const 0x108) (i32.const 4)))
    (drop (call $rename (i32.const 0x118) (i32.const 7) (i32.const 3) (i32.const 0x120) (i32.const 1)))
    (drop (call $rename (i32.const 0x128) (i32.const 5) (i32.const 3) (i32.const 0x130) (i32.const 4)))
    (drop (call $rename (i32.const 0x108) (i32.const 4) (i32.const 3) (i32.const 0x128) (i32.const 5)))
    (drop (call $rename (i32.const 0x128) (i32.const 5) (i32.const 3) (i32.const 0x108) (i32.const 4)))
    (call $must (call $rename (i32.const 0x130) (i32.const 4) (i32.const 3) (i32.const 0x138) (i32.const 7)))
    (call $must (call $rename (i32.const 0x140) (i32.const 6) (i32.const 4) (i32.const 0x140) (i32.const 6)))
    (drop (call $rename (i32.const 0x138) (i32.const 7) (i32.const 9) (i32.const 0x120) (i32.const 1))))
"#,
        )
        .dir(other.path(), "other")
        .run();
    out.assert_exit(0);
    assert!(!sandbox.exists("a") && !sandbox.exists("b"));
    assert_eq!(
        sandbox.read("d/a2"),
        b"B",
        "the second rename did not replace"
    );
    assert!(!sandbox.exists("full"));
    assert_eq!(sandbox.read("renamed/x"), b"x");
    assert!(sandbox.exists("empty"));
    assert_eq!(other.read("travel"), b"T");
    assert!(!sandbox.exists("travel"));
    let renames = out.calls("path_rename");
    assert_eq!(renames[0].arg("old_path"), r#""a""#);
    assert_eq!(renames[0].arg("new_path"), r#""d/a2""#);
    assert_eq!(renames[7].arg("new_fd"), "4<other>");
    assert_eq!(
        out.errors("path_rename"),
        [
            None,
            None,
            Some("ENOENT"),
            Some("ENOTEMPTY"),
            Some("EISDIR"),
            Some("ENOTDIR"),
            None,
            None,
            Some("EBADF"),
        ]
    );
}

#[test]
fn path_open_stops_at_the_open_files_limit_and_says_so() {
    let sandbox = Sandbox::new();
    sandbox.write("f.txt", b"x");
    let out = sandbox
        .guest(
            r#"
  (data (i32.const 0x100) "f.txt")
  (func $try (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 5)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x20)))
  (func (export "_start")
    ;; the preopened directory is the first of the three
    (call $must (call $try))
    (call $must (call $try))
    (drop (call $try))
    (call $must (call $fd_close (i32.const 4)))
    (call $must (call $try)))"#,
        )
        .max_open_files(3)
        .run();
    out.assert_exit(0);
    assert_eq!(
        out.errors("path_open"),
        [None, None, Some("EMFILE"), None],
        "closing one makes room for another"
    );
    assert_eq!(
        out.stderr_text(),
        "wasmhole: guest.wat: path_open: cannot open `/sandbox/f.txt`: descriptor limit of 3 open files reached\n"
    );
}
