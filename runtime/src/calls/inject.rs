//! Fault injection, in strace's `-e inject` syntax: rules such as
//! `path_open:error=ENOENT:when=2` or `fd_write:retval=5`, parsed
//! (`InjectSpec`), checked against one ABI's call descriptions (an unknown
//! call or an error the ABI does not have is refused with the valid
//! choices), and the decision, call by call, whether a call runs or gets the
//! injected outcome instead (`Injector`). `host::dispatch` asks before every
//! call, so injection covers every call of every ABI.
//!
//! Semantics follow strace: each named call is counted on its own (from 1);
//! `when=N` injects into its Nth call only, `N+` into the Nth and every later
//! one, `N+STEP` into the Nth and every STEPth after it; without `when`
//! every call is injected. When several rules name the same call, the last
//! one applies.
//!
//! Beyond strace, a rule can name one call of the run by its number (the
//! `seq` traces and the Syscalls panel show): `path_open:error=ENOENT:seq=7`
//! changes call 7 only, and only if call 7 is a `path_open`. Such a rule may
//! also give a read other bytes (`Action::Bytes`): the call does not run, the
//! bytes are written into the guest's buffers as the read would write them,
//! and it reports their length. An error named for one call must be one of
//! that call's own errors. An injected `error=` does not run the call: it returns the
//! ABI's error code. `retval=` on a read or write is a short transfer: the
//! call runs with at most that many bytes and reports what it moved (for
//! WASI in `nread`/`nwritten`, as a real short transfer does); on a call
//! returning a plain value it returns that value without running.

use crate::abis::call::{CallContext, Fatal, Filled};
use crate::abis::call::{CallSpec, Kind, Purpose, Ret};
use crate::module::abi::Abi;
use crate::sandbox::guest_memory::OutOfBounds;

pub use crate::sandbox::faults::{Action, InjectSpec, When};
use std::sync::Arc;

/// What an injected call does instead of its usual work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Injected {
    /// Returns this error code without running.
    Error(i64),
    /// Returns this value without running.
    Value(i64),
    /// Runs with at most this many bytes to read or write.
    Short(u32),
    /// A read that does not run: these bytes are what it read.
    Bytes(Arc<[u8]>),
}

impl Injected {
    /// The raw result of a call that does not run (`None` for `Short` and
    /// `Bytes`, whose result depends on the guest's buffers).
    pub fn result(&self, call: &CallSpec) -> Option<u64> {
        let v = match *self {
            Injected::Error(v) | Injected::Value(v) => v,
            Injected::Short(_) | Injected::Bytes(_) => return None,
        };
        Some(match call.ret {
            Ret::I64 => v as u64,
            _ => v as i32 as u32 as u64,
        })
    }

    /// `args` with every buffer length of `call` cut to `max` bytes (the
    /// iovec arrays are cut by the guest memory instead).
    pub fn cut_lengths(call: &CallSpec, args: &[u64], max: u32) -> Vec<u64> {
        let mut cut = args.to_vec();
        for p in call.params {
            if let Kind::BytesIn { len } | Kind::BytesOut { len, .. } = p.kind {
                let len = len as usize;
                cut[len] = cut[len].min(max as u64);
            }
        }
        cut
    }
}

/// Runs a read as if it had read `bytes`: they are written into the guest's
/// buffer (or iovecs, in order, as far as they reach) and the count goes
/// where the call reports it (its result, or an out-parameter with success
/// returned). Buffers outside memory run the real call, which reports the
/// fault as it always does.
pub fn read_instead(
    call: &'static CallSpec,
    cx: &mut CallContext<'_>,
    args: &[u64],
    bytes: &[u8],
) -> Result<u64, Fatal> {
    match fill_buffers(call, cx, args, bytes) {
        Ok(Some(n)) => Ok(n),
        Ok(None) | Err(_) => (call.imp)(cx, args),
    }
}

/// The result of a read given `bytes`, or `None` if `call` has no buffer
/// to fill.
fn fill_buffers(
    call: &CallSpec,
    cx: &mut CallContext<'_>,
    args: &[u64],
    bytes: &[u8],
) -> Result<Option<u64>, OutOfBounds> {
    let mem = &mut cx.mem;
    for (i, p) in call.params.iter().enumerate() {
        let (filled, n) = match p.kind {
            Kind::BytesOut { len, filled } => {
                let ptr = args[i] as u32;
                let n = bytes.len().min(args[len as usize] as usize);
                mem.check(ptr, n as u32)?;
                (filled, n)
            }
            Kind::IovsOut { count, filled } => {
                let (table, count) = (args[i] as u32, args[count as usize] as u32);
                mem.check_iovecs(table, count)?;
                (filled, iovec_room(mem, table, count, bytes.len())?)
            }
            _ => continue,
        };
        if let Filled::OutParam(at) = filled {
            mem.check(args[at as usize] as u32, 4)?;
        }
        match p.kind {
            Kind::IovsOut { count, .. } => {
                let (table, count) = (args[i] as u32, args[count as usize] as u32);
                let mut rest = &bytes[..n];
                for j in 0..count {
                    let (ptr, len) = mem.iovec(table, j)?;
                    let part = rest.len().min(len as usize);
                    mem.write(ptr, &rest[..part])?;
                    rest = &rest[part..];
                }
            }
            _ => mem.write(args[i] as u32, &bytes[..n])?,
        }
        return Ok(Some(match filled {
            Filled::Result => n as u64,
            Filled::OutParam(at) => {
                mem.write_u32(args[at as usize] as u32, n as u32)?;
                0
            }
            Filled::Whole => 0,
        }));
    }
    Ok(None)
}

/// How many of `want` bytes the iovec array holds.
fn iovec_room(
    mem: &mut crate::sandbox::guest_memory::GuestMemory<'_>,
    table: u32,
    count: u32,
    want: usize,
) -> Result<usize, OutOfBounds> {
    let mut room = 0usize;
    for j in 0..count {
        room += mem.iovec(table, j)?.1 as usize;
    }
    Ok(room.min(want))
}

/// Whether `call` moves bytes through a buffer the guest gives (a read or a
/// write), so `retval=` can make it short.
pub fn transfers_bytes(call: &CallSpec) -> bool {
    matches!(call.purpose, Some(Purpose::Read | Purpose::Write))
        && call.params.iter().any(|p| {
            matches!(
                p.kind,
                Kind::BytesIn { .. }
                    | Kind::BytesOut { .. }
                    | Kind::IovsIn { .. }
                    | Kind::IovsOut { .. }
            )
        })
}

fn list(names: impl Iterator<Item = &'static str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}

/// Whether `call` reads into a buffer the guest gives, so it can be given
/// other bytes.
fn reads_bytes(call: &CallSpec) -> bool {
    call.purpose == Some(Purpose::Read)
        && call
            .params
            .iter()
            .any(|p| matches!(p.kind, Kind::BytesOut { .. } | Kind::IovsOut { .. }))
}

/// The outcome `action` gives `call`, or why it cannot. A rule for one call
/// of the run (`one_call`) may only name that call's own errors.
fn outcome(call: &'static CallSpec, action: &Action, one_call: bool) -> Result<Injected, String> {
    match action {
        Action::Error(name) if one_call && !call.errors.is_empty() => {
            let own = || call.errors.iter().map(|e| e.name);
            if !own().any(|e| e.eq_ignore_ascii_case(name)) {
                let by_number = call
                    .error_names()
                    .and_then(|n| n.name_of(name.parse().ok()?))
                    .filter(|n| own().any(|e| e == *n));
                if by_number.is_none() {
                    return Err(format!(
                        "`{}` does not return `{name}`; its errors: {}",
                        call.name,
                        list(own())
                    ));
                }
            }
            outcome(call, action, false)
        }
        Action::Bytes(bytes) if reads_bytes(call) => Ok(Injected::Bytes(bytes.as_slice().into())),
        Action::Bytes(_) => Err(format!(
            "`{}` reads no bytes into a buffer, so it cannot be given other bytes",
            call.name
        )),
        Action::Error(name) => {
            let Some(names) = call.error_names() else {
                return Err(format!(
                    "`{}` returns no error code, so error= cannot apply to it",
                    call.name
                ));
            };
            let errors = || names.values.iter().filter(|(v, _, _)| *v != 0);
            errors()
                .find(|(v, n, _)| n.eq_ignore_ascii_case(name) || name.parse() == Ok(*v))
                .map(|(v, _, _)| Injected::Error(*v))
                .ok_or_else(|| {
                    format!(
                        "{} has no error `{name}`; its errors: {}",
                        call.abi,
                        list(errors().map(|(_, n, _)| *n))
                    )
                })
        }
        Action::Retval(n) if transfers_bytes(call) => u32::try_from(*n)
            .map(Injected::Short)
            .map_err(|_| format!("retval={n} is not a byte count `{}` could move", call.name)),
        Action::Retval(n) => match call.ret {
            Ret::I64 => Ok(Injected::Value(*n)),
            Ret::I32 => i32::try_from(*n)
                .map(|v| Injected::Value(v as i64))
                .map_err(|_| format!("retval={n} does not fit `{}`'s i32 result", call.name)),
            _ => {
                let fit: Vec<_> = crate::abis::calls_of(call.abi)
                    .iter()
                    .filter(|c| transfers_bytes(c) || matches!(c.ret, Ret::I32 | Ret::I64))
                    .map(|c| c.name)
                    .collect();
                Err(format!(
                    "retval= does not make sense for `{}`{}; it applies to reads and writes (a short transfer) and to calls returning a plain value: {}",
                    call.name,
                    if call.error_names().is_some() {
                        " (use error= for its errors)"
                    } else {
                        ""
                    },
                    if fit.is_empty() {
                        "none in this ABI".to_string()
                    } else {
                        fit.join(", ")
                    }
                ))
            }
        },
    }
}

struct Rule {
    call: &'static CallSpec,
    outcome: Injected,
    when: When,
    at: Option<u64>,
    seen: u64,
}

/// One process's injection rules, checked against its ABI, and how often
/// each named call (and how many calls in all) have been made.
#[derive(Default)]
pub struct Injector {
    rules: Vec<Rule>,
    calls_made: u64,
}

impl Injector {
    /// Checks `specs` against `abi`'s calls: unknown calls, errors the ABI
    /// does not have and `retval=` where it makes no sense are refused,
    /// naming what is valid.
    pub fn new(abi: Abi, specs: &[InjectSpec]) -> Result<Injector, String> {
        let mut rules: Vec<Rule> = Vec::new();
        for spec in specs {
            for name in &spec.calls {
                let call = crate::abis::find(abi, name).ok_or_else(|| {
                    format!(
                        "--inject={spec}: {abi} has no call `{name}`; its calls: {}",
                        list(crate::abis::calls_of(abi).iter().map(|c| c.name))
                    )
                })?;
                let outcome = outcome(call, &spec.action, spec.at.is_some())
                    .map_err(|e| format!("--inject={spec}: {e}"))?;
                rules.retain(|r| !(std::ptr::eq(r.call, call) && r.at == spec.at));
                rules.push(Rule {
                    call,
                    outcome,
                    when: spec.when,
                    at: spec.at,
                    seen: 0,
                });
            }
        }
        Ok(Injector {
            rules,
            calls_made: 0,
        })
    }

    /// Counts this invocation of `call` and says what to inject into it, if
    /// anything: a rule for this call number of the run first, else the
    /// call's counted rule.
    pub fn next(&mut self, call: &'static CallSpec) -> Option<Injected> {
        self.calls_made += 1;
        if self.rules.is_empty() {
            return None;
        }
        let n = self.calls_made;
        if let Some(r) = self
            .rules
            .iter()
            .find(|r| r.at == Some(n) && std::ptr::eq(r.call, call))
        {
            return Some(r.outcome.clone());
        }
        let rule = self
            .rules
            .iter_mut()
            .find(|r| r.at.is_none() && std::ptr::eq(r.call, call))?;
        rule.seen += 1;
        rule.when.matches(rule.seen).then(|| rule.outcome.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> InjectSpec {
        text.parse().unwrap()
    }

    #[test]
    fn when_follows_strace() {
        let w = |t: &str| t.parse::<When>().unwrap();
        let hits = |w: When| (1..=9).filter(|n| w.matches(*n)).collect::<Vec<_>>();
        assert_eq!(hits(w("2")), [2]);
        assert_eq!(hits(w("7+")), [7, 8, 9]);
        assert_eq!(hits(w("2+3")), [2, 5, 8]);
        assert_eq!(hits(When::ALWAYS).len(), 9);
        for bad in ["0", "x", "1+0", "+", "-1", ""] {
            assert!(bad.parse::<When>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rules_parse_and_refuse_malformed_ones() {
        let s = spec("path_open,fd_read:error=ENOENT:when=2+");
        assert_eq!(s.calls, ["path_open", "fd_read"]);
        assert_eq!(s.action, Action::Error("ENOENT".into()));
        assert_eq!(
            s.when,
            When {
                first: 2,
                step: Some(1)
            }
        );
        assert_eq!(spec("fd_write:retval=3").action, Action::Retval(3));
        for bad in [
            "path_open",
            ":error=EIO",
            "a,,b:error=EIO",
            "x:error=EIO:retval=1",
            "x:signal=9",
            "x:retval=many",
            "x:error=EIO:when=1:when=2",
        ] {
            assert!(bad.parse::<InjectSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn seq_names_one_call_of_the_run() {
        let s = spec("path_open:error=ENOENT:seq=7");
        assert_eq!(s.at, Some(7));
        for bad in [
            "x:error=EIO:seq=0",
            "x:error=EIO:seq=2:when=1",
            "x:error=EIO:seq=1:seq=2",
        ] {
            assert!(bad.parse::<InjectSpec>().is_err(), "{bad}");
        }
        let open = crate::abis::find(Abi::Dagger, "open").unwrap();
        let write = crate::abis::find(Abi::Dagger, "write").unwrap();
        let mut i = Injector::new(
            Abi::Dagger,
            &[
                spec("open:error=EFAIL:seq=2"),
                spec("write:retval=1:when=2"),
            ],
        )
        .unwrap();
        assert_eq!(i.next(open), None, "call 1");
        assert_eq!(i.next(open), Some(Injected::Error(-1)), "call 2");
        assert_eq!(i.next(write), None, "call 3, write's first");
        assert_eq!(i.next(write), Some(Injected::Short(1)), "write's second");
        let mut missed = Injector::new(Abi::Dagger, &[spec("open:error=EFAIL:seq=1")]).unwrap();
        assert_eq!(missed.next(write), None, "call 1 is not an open");
        assert_eq!(missed.next(open), None, "the open is call 2");
    }

    #[test]
    fn names_are_checked_against_the_abi() {
        let err = |abi, t: &str| Injector::new(abi, &[spec(t)]).err().unwrap();
        let e = err(Abi::Wasi, "open:error=ENOENT");
        assert!(
            e.contains("no call `open`") && e.contains("path_open"),
            "{e}"
        );
        let e = err(Abi::Wasi, "path_open:error=NOT_FOUND");
        assert!(e.contains("ENOENT") && !e.contains("SUCCESS"), "{e}");
        let e = err(Abi::Olin, "resource_open:error=ENOENT");
        assert!(e.contains("NOT_FOUND"), "{e}");
        let e = err(Abi::Wasi, "fd_close:retval=0");
        assert!(e.contains("use error=") && e.contains("fd_write"), "{e}");
        let e = err(Abi::Olin, "log_write:error=UNKNOWN");
        assert!(e.contains("returns no error code"), "{e}");
        assert!(Injector::new(Abi::Dagger, &[spec("open:error=-3")]).is_ok());
    }

    #[test]
    fn each_call_is_counted_and_the_last_rule_wins() {
        let open = crate::abis::find(Abi::Dagger, "open").unwrap();
        let write = crate::abis::find(Abi::Dagger, "write").unwrap();
        let mut i = Injector::new(
            Abi::Dagger,
            &[
                spec("open:error=EFAIL"),
                spec("open,write:error=EUNKNOWNSCHEME:when=2"),
            ],
        )
        .unwrap();
        assert_eq!(i.next(write), None);
        assert_eq!(i.next(open), None);
        assert_eq!(i.next(open), Some(Injected::Error(-3)));
        assert_eq!(i.next(write), Some(Injected::Error(-3)));
        assert_eq!(i.next(open), None);
        assert_eq!(Injected::Error(-3).result(open), Some(0xffff_fffd));
    }
}
