//! Olin calls about the guest's surroundings: logging, environment
//! variables, arguments, the runtime's name and version, sleeping,
//! exiting, the clock and random numbers.

use super::{Code, OlinResult};
use crate::abis::call::{CallContext, Fatal};
use crate::sandbox::stdio::StdStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The name `runtime_name` reports: the original host's, because real
/// guests check for it (wasmhole says what it is in traces and its window).
pub const RUNTIME_NAME: &str = "olin";
/// The CommonWA spec version implemented (as the original host).
pub const SPEC_MAJOR: u64 = 0;
/// The CommonWA spec minor version implemented.
pub const SPEC_MINOR: u64 = 1;

fn level_name(level: u32) -> String {
    match level {
        1 => "error".into(),
        3 => "warning".into(),
        6 => "info".into(),
        n => format!("level {n}"),
    }
}

pub(super) fn log_write(cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    let (level, ptr, len) = (a[0] as u32, a[1] as u32, a[2] as u32);
    let text = match super::read_text(&mut cx.mem, ptr, len) {
        Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Err(e) => return Err(Fatal::kill("log_write", format!("bad message: {e}"))),
    };
    let prefix = format!("{}: {}: ", cx.process.guest, level_name(level));
    let mut out = String::new();
    for line in text.trim_end_matches('\n').split('\n') {
        out.push_str(&prefix);
        out.push_str(line);
        out.push('\n');
    }
    cx.process.charge_output("log_write", out.len())?;
    let _ = cx
        .process
        .std_output(StdStream::Stderr)
        .write(out.as_bytes());
    Ok(0)
}

pub(super) fn env_get(cx: &mut CallContext<'_>, a: &[u64]) -> OlinResult {
    let (key_ptr, key_len, val_ptr, val_len) = (a[0] as u32, a[1] as u32, a[2] as u32, a[3] as u32);
    // A key that is not UTF-8 names no variable (all of them are text).
    let key = super::read_text(&mut cx.mem, key_ptr, key_len)?.to_vec();
    let value = cx
        .process
        .env
        .iter()
        .find(|(k, _)| k.as_bytes() == key)
        .map(|(_, v)| v.clone())
        .ok_or(Code::NotFound)?;
    if value.len() > val_len as usize {
        return Ok(value.len() as u64);
    }
    cx.mem.write(val_ptr, value.as_bytes())?;
    Ok(value.len() as u64)
}

pub(super) fn runtime_exit(_cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    Err(Fatal::Exit(a[0] as u32 as i32))
}

pub(super) fn runtime_spec_major(_cx: &mut CallContext<'_>, _a: &[u64]) -> Result<u64, Fatal> {
    Ok(SPEC_MAJOR)
}

pub(super) fn runtime_spec_minor(_cx: &mut CallContext<'_>, _a: &[u64]) -> Result<u64, Fatal> {
    Ok(SPEC_MINOR)
}

pub(super) fn runtime_name(cx: &mut CallContext<'_>, a: &[u64]) -> OlinResult {
    let (ptr, len) = (a[0] as u32, a[1] as u32);
    if (len as usize) < RUNTIME_NAME.len() {
        return Err(Code::InvalidArgument.into());
    }
    cx.mem.write(ptr, RUNTIME_NAME.as_bytes())?;
    Ok(RUNTIME_NAME.len() as u64)
}

pub(super) fn runtime_msleep(cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    let ms = (a[0] as u32 as i32).max(0) as u64;
    let wake = Instant::now() + Duration::from_millis(ms);
    match cx.process.deadline() {
        Some(deadline) if deadline < wake => {
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            Err(Fatal::time_limit(
                "runtime_msleep",
                format!("sleeping for {ms} ms"),
            ))
        }
        _ => {
            std::thread::sleep(wake.saturating_duration_since(Instant::now()));
            Ok(0)
        }
    }
}

pub(super) fn startup_arg_len(cx: &mut CallContext<'_>, _a: &[u64]) -> Result<u64, Fatal> {
    Ok(cx.process.args.len() as u64)
}

pub(super) fn startup_arg_at(cx: &mut CallContext<'_>, a: &[u64]) -> OlinResult {
    let (i, ptr, len) = (a[0] as u32 as usize, a[1] as u32, a[2] as u32);
    let arg = cx.process.args.get(i).ok_or(Code::InvalidArgument)?;
    let n = arg.len().min(len as usize);
    let bytes = arg.as_bytes()[..n].to_vec();
    cx.mem.write(ptr, &bytes)?;
    Ok(n as u64)
}

pub(super) fn time_now(_cx: &mut CallContext<'_>, _a: &[u64]) -> Result<u64, Fatal> {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok(secs)
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        return t.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    u64::from_le_bytes(b)
}

// Never negative, as the original host's (Go's `rand.Int31` and
// `rand.Int63`): libcwa calls these `i31` and `i63`.
pub(super) fn random_i32(_cx: &mut CallContext<'_>, _a: &[u64]) -> Result<u64, Fatal> {
    Ok(random_u64() & 0x7fff_ffff)
}

pub(super) fn random_i64(_cx: &mut CallContext<'_>, _a: &[u64]) -> Result<u64, Fatal> {
    Ok(random_u64() & 0x7fff_ffff_ffff_ffff)
}
