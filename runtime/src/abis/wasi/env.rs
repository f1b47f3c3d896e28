//! WASI calls about the guest's surroundings: arguments, environment, clocks,
//! randomness, yielding and exiting.

use super::types::Errno;
use super::{Cx, WasiResult};
use crate::abis::call::{CallContext, Fatal};

fn strings_get(cx: Cx, list: Vec<Vec<u8>>, ptrs: u32, buf: u32) -> WasiResult {
    let mut offset = buf;
    for (i, s) in list.iter().enumerate() {
        cx.mem.write_u32(ptrs + 4 * i as u32, offset)?;
        cx.mem.write(offset, s)?;
        cx.mem.write(offset + s.len() as u32, &[0])?;
        offset += s.len() as u32 + 1;
    }
    Ok(())
}

fn sizes_get(cx: Cx, list: Vec<Vec<u8>>, count: u32, size: u32) -> WasiResult {
    let total: usize = list.iter().map(|s| s.len() + 1).sum();
    cx.mem.write_u32(count, list.len() as u32)?;
    cx.mem
        .write_u32(size, u32::try_from(total).map_err(|_| Errno::TOOBIG)?)?;
    Ok(())
}

fn args(cx: &CallContext) -> Vec<Vec<u8>> {
    cx.process
        .args
        .iter()
        .map(|a| a.as_bytes().to_vec())
        .collect()
}

fn environ(cx: &CallContext) -> Vec<Vec<u8>> {
    cx.process
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}").into_bytes())
        .collect()
}

pub(crate) fn args_get(cx: Cx, a: &[u64]) -> WasiResult {
    let list = args(cx);
    strings_get(cx, list, a[0] as u32, a[1] as u32)
}

pub(crate) fn args_sizes_get(cx: Cx, a: &[u64]) -> WasiResult {
    let list = args(cx);
    sizes_get(cx, list, a[0] as u32, a[1] as u32)
}

pub(crate) fn environ_get(cx: Cx, a: &[u64]) -> WasiResult {
    let list = environ(cx);
    strings_get(cx, list, a[0] as u32, a[1] as u32)
}

pub(crate) fn environ_sizes_get(cx: Cx, a: &[u64]) -> WasiResult {
    let list = environ(cx);
    sizes_get(cx, list, a[0] as u32, a[1] as u32)
}

fn clock_of(id: u64) -> Result<rustix::time::ClockId, Errno> {
    use rustix::time::ClockId;
    Ok(match id {
        0 => ClockId::Realtime,
        1 => ClockId::Monotonic,
        2 => ClockId::ProcessCPUTime,
        3 => ClockId::ThreadCPUTime,
        _ => return Err(Errno::INVAL),
    })
}

/// The current time of a WASI clock, in nanoseconds.
pub(crate) fn now_ns(id: u64) -> Result<u64, Errno> {
    let ts = rustix::time::clock_gettime(clock_of(id)?);
    Ok(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

pub(crate) fn clock_res_get(cx: Cx, a: &[u64]) -> WasiResult {
    let ts = rustix::time::clock_getres(clock_of(a[0])?);
    let ns = (ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64).max(1);
    cx.mem.write_u64(a[1] as u32, ns)?;
    Ok(())
}

pub(crate) fn clock_time_get(cx: Cx, a: &[u64]) -> WasiResult {
    let ns = now_ns(a[0])?;
    cx.mem.write_u64(a[2] as u32, ns)?;
    Ok(())
}

pub(crate) fn proc_exit(_cx: Cx, a: &[u64]) -> Result<u64, Fatal> {
    Err(Fatal::Exit(a[0] as u32 as i32))
}

pub(crate) fn proc_raise(_cx: Cx, _a: &[u64]) -> WasiResult {
    Err(Errno::NOSYS.into())
}

pub(crate) fn random_get(cx: Cx, a: &[u64]) -> WasiResult {
    let (ptr, len) = (a[0] as u32, a[1] as u32);
    let buf = cx.mem.buffer_mut(ptr, len)?;
    getrandom::fill(buf).map_err(|_| Errno::IO)?;
    cx.mem.note_write(ptr, len);
    Ok(())
}

pub(crate) fn sched_yield(_cx: Cx, _a: &[u64]) -> WasiResult {
    std::thread::yield_now();
    Ok(())
}
