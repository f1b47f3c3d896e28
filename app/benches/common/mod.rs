//! What the benches share: finding the wasmtime binary to compare with,
//! medians, how times are printed, and generated modules of a chosen size.

#![allow(dead_code)]

pub mod generated;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The `wasmtime` to compare with: `WASMTIME`, else one on PATH, if any.
pub fn wasmtime() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("WASMTIME") {
        return Some(PathBuf::from(p));
    }
    let ok = Command::new("wasmtime")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then(|| PathBuf::from("wasmtime"))
}

/// The median of some times.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A time in milliseconds, right-aligned.
pub fn ms(d: Duration) -> String {
    format!("{:9.1} ms", d.as_secs_f64() * 1e3)
}
