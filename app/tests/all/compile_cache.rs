//! `wasmhole run` keeps compiled modules on disk: the second run loads what
//! the first compiled, a damaged entry is replaced rather than trusted, and
//! `--no-cache` / `-C cache=n` keep nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn run(cache_flags: &[&str], module: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmhole"))
        .arg("run")
        .args(cache_flags)
        .arg(module)
        .stdin(Stdio::null())
        .output()
        .expect("run wasmhole")
}

fn hello(dir: &Path) -> PathBuf {
    let path = dir.join("hello.wat");
    std::fs::write(
        &path,
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "cached hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 13))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    )
    .unwrap();
    path
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(cache) {
        Ok(dir) => {
            let mut v: Vec<PathBuf> = dir
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "cwasm"))
                .collect();
            v.sort();
            v
        }
        Err(_) => Vec::new(),
    }
}

#[test]
fn the_first_run_fills_the_cache_and_a_damaged_entry_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let module = hello(dir.path());
    let flags = ["--cache-dir", cache.to_str().unwrap()];
    let first = run(&flags, &module);
    assert_eq!(first.stdout, b"cached hello\n");
    let stored = entries(&cache);
    assert_eq!(stored.len(), 1, "one entry for one module");
    let good = std::fs::read(&stored[0]).unwrap();
    let second = run(&flags, &module);
    assert_eq!(second.stdout, b"cached hello\n");
    assert_eq!(entries(&cache), stored, "the second run used the entry");
    // Damage the compiled code: the run must not trust it.
    let mut damaged = good.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    std::fs::write(&stored[0], &damaged).unwrap();
    let third = run(&flags, &module);
    assert_eq!(third.stdout, b"cached hello\n");
    assert_eq!(third.status.code(), Some(0));
    assert_eq!(std::fs::read(&stored[0]).unwrap(), good, "rewritten whole");
}

#[test]
fn no_cache_and_cache_n_keep_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let module = hello(dir.path());
    let c = cache.to_str().unwrap();
    for flags in [
        vec!["--cache-dir", c, "--no-cache"],
        vec!["--cache-dir", c, "-C", "cache=n"],
    ] {
        let out = run(&flags, &module);
        assert_eq!(out.stdout, b"cached hello\n", "{flags:?}");
        assert!(entries(&cache).is_empty(), "{flags:?} wrote to the cache");
    }
}

#[test]
fn the_cache_folder_defaults_to_the_users_cache_folder() {
    let dir = tempfile::tempdir().unwrap();
    let module = hello(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_wasmhole"))
        .arg("run")
        .arg(&module)
        .env("XDG_CACHE_HOME", dir.path().join("xdg"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"cached hello\n");
    assert_eq!(entries(&dir.path().join("xdg/wasmhole")).len(), 1);
}
