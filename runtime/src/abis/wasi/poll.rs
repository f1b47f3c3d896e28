//! `poll_oneoff`: waiting for clocks and descriptor readiness. Clocks are how
//! guests sleep; the wait never outlasts the run's time limit.

use super::env::now_ns;
use super::types::*;
use super::{Cx, WasiResult};
use crate::abis::call::Fatal;
use crate::sandbox::fdtable::Handle;
use std::time::{Duration, Instant};

struct Event {
    userdata: u64,
    error: u16,
    kind: u8,
    nbytes: u64,
}

enum Sub {
    Clock {
        userdata: u64,
        at: Instant,
    },
    Ready(Event),
    /// Standard input, not readable yet.
    Stdin {
        userdata: u64,
        fd: u32,
    },
}

fn event_bytes(e: &Event) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[0..8].copy_from_slice(&e.userdata.to_le_bytes());
    b[8..10].copy_from_slice(&e.error.to_le_bytes());
    b[10] = e.kind;
    b[16..24].copy_from_slice(&e.nbytes.to_le_bytes());
    b
}

pub(crate) fn poll_oneoff(cx: Cx, a: &[u64]) -> WasiResult {
    let (inp, out, n, nevents) = (a[0] as u32, a[1] as u32, a[2] as u32, a[3] as u32);
    if n == 0 {
        return Err(Errno::INVAL.into());
    }
    let raw = cx
        .mem
        .read(inp, n.checked_mul(48).ok_or(Errno::INVAL)?)?
        .to_vec();
    cx.mem.check(out, n * 32)?;
    let now = Instant::now();
    let mut subs = Vec::with_capacity(n as usize);
    for s in raw.chunks_exact(48) {
        let userdata = u64::from_le_bytes(s[0..8].try_into().unwrap());
        let tag = s[8];
        let word = u32::from_le_bytes(s[16..20].try_into().unwrap());
        let ready = |error: Errno, nbytes: u64| {
            Sub::Ready(Event {
                userdata,
                error: error.0,
                kind: tag,
                nbytes,
            })
        };
        subs.push(match tag {
            0 => {
                let timeout = u64::from_le_bytes(s[24..32].try_into().unwrap());
                let flags = u16::from_le_bytes(s[40..42].try_into().unwrap());
                if flags & 1 != 0 {
                    match now_ns(word as u64) {
                        Ok(t) => Sub::Clock {
                            userdata,
                            at: now + Duration::from_nanos(timeout.saturating_sub(t)),
                        },
                        Err(e) => ready(e, 0),
                    }
                } else if word > 3 {
                    ready(Errno::INVAL, 0)
                } else {
                    Sub::Clock {
                        userdata,
                        at: now + Duration::from_nanos(timeout),
                    }
                }
            }
            1 | 2 => match cx.process.fds.get(word) {
                None => ready(Errno::BADF, 0),
                Some(d) if super::fs::check_rights(d, RIGHT_POLL_FD_READWRITE).is_err() => {
                    ready(Errno::NOTCAPABLE, 0)
                }
                Some(d) => match (&d.handle, tag) {
                    (Handle::Input(input), 1) if input.ready_now() => {
                        ready(Errno(0), input.available().unwrap_or(1))
                    }
                    (Handle::Input(_), 1) => Sub::Stdin { userdata, fd: word },
                    (Handle::File(f), 1) => {
                        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
                        let pos = rustix::fs::tell(f).unwrap_or(0);
                        ready(Errno(0), size.saturating_sub(pos))
                    }
                    (Handle::File(_) | Handle::Output(..), 2) => ready(Errno(0), 0),
                    (Handle::Dir(_), _) => ready(Errno::ISDIR, 0),
                    _ => ready(Errno::BADF, 0),
                },
            },
            _ => return Err(Errno::INVAL.into()),
        });
    }

    let mut events: Vec<Event> = Vec::new();
    let mut ready_now = subs.iter().any(|s| matches!(s, Sub::Ready(_)));
    let earliest = subs
        .iter()
        .filter_map(|s| match s {
            Sub::Clock { at, .. } => Some(*at),
            _ => None,
        })
        .min();
    let stdin_fd = subs.iter().find_map(|s| match s {
        Sub::Stdin { fd, .. } => Some(*fd),
        _ => None,
    });
    let waits_on_stdin = stdin_fd.is_some();
    let mut stdin_ready = false;
    if !ready_now {
        let deadline = cx.process.deadline();
        let wake = match (earliest, deadline) {
            (Some(e), Some(d)) => Some(e.min(d)),
            (e, d) => e.or(d),
        };
        if let Some(fd) = stdin_fd {
            let timeout = wake.map(|w| w.saturating_duration_since(Instant::now()));
            stdin_ready = match cx.process.fds.get(fd).map(|d| &d.handle) {
                Some(Handle::Input(input)) => input.wait_readable(timeout),
                _ => true,
            };
        } else if let Some(w) = wake {
            std::thread::sleep(w.saturating_duration_since(Instant::now()));
        }
        if !stdin_ready
            && let Some(d) = deadline
            && Instant::now() >= d
            && earliest.is_none_or(|e| e > d)
        {
            return Err(Fatal::time_limit(
                "poll_oneoff",
                match (earliest, waits_on_stdin) {
                    (Some(_), true) => "waiting for standard input or a clock",
                    (Some(_), false) => "waiting for a clock",
                    (None, _) => "waiting for standard input",
                },
            )
            .into());
        }
        ready_now = true;
    }
    debug_assert!(ready_now);
    let now = Instant::now();
    for s in subs {
        match s {
            Sub::Ready(e) => events.push(e),
            Sub::Clock { userdata, at } if at <= now => events.push(Event {
                userdata,
                error: 0,
                kind: 0,
                nbytes: 0,
            }),
            Sub::Stdin { userdata, .. } if stdin_ready => events.push(Event {
                userdata,
                error: 0,
                kind: 1,
                nbytes: 0,
            }),
            _ => {}
        }
    }
    for (i, e) in events.iter().enumerate() {
        cx.mem.write(out + 32 * i as u32, &event_bytes(e))?;
    }
    cx.mem.write_u32(nevents, events.len() as u32)?;
    Ok(())
}
