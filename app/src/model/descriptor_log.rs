//! Every descriptor a run has had, open or closed: when it was opened (or
//! that it was there from the start), what it refers to, when it was
//! closed, and the calls made on it in between. Built from the record
//! ring's briefs as records arrive, so a descriptor's history outlives the
//! descriptor.

use wasmhole_runtime::calls::record::CallOutcome;
use wasmhole_runtime::calls::ring::Ring;
use wasmhole_runtime::sandbox::fdtable::DescriptorRow;

/// One descriptor's life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Life {
    /// Its number.
    pub number: u32,
    /// What it refers to (`stdout`, a path, a URL).
    pub name: String,
    /// The record that opened it; `None`: it was open from the start.
    pub opened: Option<u64>,
    /// The record that closed it (or renumbered it away), if one did.
    pub closed: Option<u64>,
    /// Whether the guest opened it (a leak if it is never closed).
    pub opened_by_guest: bool,
}

impl Life {
    /// Whether it is still open.
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }
}

/// How many of a life's most recent calls its history keeps.
pub const HISTORY_KEPT: usize = 10_000;

/// The lives so far, in the order they began (after going back, also
/// those begun by calls not yet made at the moment shown).
#[derive(Debug, Default)]
pub struct DescriptorLog {
    /// The lives.
    pub lives: Vec<Life>,
    /// The last record looked at.
    upto: u64,
    seeded: bool,
}

/// One life's history as last gathered (kept with the view, so it is
/// brought up to date rather than gathered again each frame).
#[derive(Clone, Debug, Default)]
pub struct History {
    life: usize,
    until: u64,
    upto: u64,
    total: usize,
    seqs: std::collections::VecDeque<u64>,
}

impl DescriptorLog {
    /// Starts from the descriptors a guest found open at its start.
    pub fn seed(&mut self, rows: &[DescriptorRow]) {
        if self.seeded {
            return;
        }
        self.seeded = true;
        for row in rows.iter().filter(|r| !r.opened_by_guest) {
            self.lives.push(Life {
                number: row.number,
                name: row.name.clone(),
                opened: None,
                closed: None,
                opened_by_guest: false,
            });
        }
    }

    fn open_life(&mut self, number: u32) -> Option<&mut Life> {
        self.lives
            .iter_mut()
            .rev()
            .find(|l| l.number == number && l.is_open())
    }

    /// Takes in the records that arrived since the last update.
    pub fn update(&mut self, ring: &Ring) {
        let upto = self.upto;
        let events: Vec<(u64, Option<u32>, Option<u32>, bool)> = ring
            .briefs_since(upto)
            .filter(|(_, b)| {
                b.error.is_none()
                    && (b.opened.is_some()
                        || b.spec.closes_descriptor()
                        || b.spec.name == "fd_renumber")
            })
            .map(|(seq, b)| (seq, b.fd, b.opened, b.spec.closes_descriptor()))
            .collect();
        self.upto = ring.last_seq().unwrap_or(upto).max(upto);
        for (seq, fd, opened, closes) in events {
            if closes && let Some(fd) = fd {
                if let Some(life) = self.open_life(fd) {
                    life.closed = Some(seq);
                }
                continue;
            }
            if let Some(number) = opened {
                let name = ring.get(seq).map(|r| opened_name(&r)).unwrap_or_default();
                self.begin(number, name, seq);
                continue;
            }
            // fd_renumber(from, to): `to` closes, `from` moves to `to`.
            let Some(record) = ring.get(seq) else {
                continue;
            };
            let (Some(from), Some(to)) = (
                record.args.first().map(|a| a.raw as u32),
                record.args.get(1).map(|a| a.raw as u32),
            ) else {
                continue;
            };
            if from == to {
                continue;
            }
            let moved = self.open_life(from).map(|l| {
                l.closed = Some(seq);
                (l.name.clone(), l.opened_by_guest)
            });
            if let Some((name, by_guest)) = moved {
                self.begin(to, name, seq);
                if let Some(l) = self.lives.last_mut() {
                    l.opened_by_guest = by_guest;
                }
            }
        }
    }

    fn begin(&mut self, number: u32, name: String, seq: u64) {
        // Whatever had this number before is gone.
        if let Some(old) = self.open_life(number) {
            old.closed = Some(seq);
        }
        self.lives.push(Life {
            number,
            name,
            opened: Some(seq),
            closed: None,
            opened_by_guest: true,
        });
    }

    /// The records of life `i` made by call `made`, oldest first (its
    /// opening, every call given its number while it was open, its
    /// closing): how many there are, and the most recent of them, at most
    /// [`HISTORY_KEPT`]. Only records new since `kept` was gathered are
    /// looked at.
    pub fn history(
        &self,
        i: usize,
        ring: &Ring,
        made: u64,
        kept: &mut Option<History>,
    ) -> (usize, Vec<u64>) {
        let Some(life) = self.lives.get(i) else {
            return (0, Vec::new());
        };
        let until = life.closed.unwrap_or(u64::MAX).min(made);
        let mut h = match kept.take() {
            Some(h) if h.life == i && h.until <= until => h,
            _ => History {
                life: i,
                until,
                upto: life.opened.map_or(0, |s| s.saturating_sub(1)),
                ..History::default()
            },
        };
        h.until = until;
        let mut last = h.upto;
        for (seq, b) in ring.briefs_since(h.upto) {
            if seq > until {
                break;
            }
            last = seq;
            if Some(seq) == life.opened || b.fd == Some(life.number) {
                h.total += 1;
                if h.seqs.len() == HISTORY_KEPT {
                    h.seqs.pop_front();
                }
                h.seqs.push_back(seq);
            }
        }
        h.upto = last;
        let out = (h.total, h.seqs.iter().copied().collect());
        *kept = Some(h);
        out
    }
}

/// What a newly opened descriptor refers to, from the call that opened it:
/// `path_open`'s `[5</data/x.txt>]`, or the URL a stream ABI opened.
fn opened_name(r: &wasmhole_runtime::SyscallRecord) -> String {
    for a in &r.args {
        if let Some(inner) = a.shown.strip_prefix('[')
            && let Some((_, rest)) = inner.split_once('<')
            && let Some(name) = rest.strip_suffix(">]")
        {
            return name.to_string();
        }
    }
    let quoted = r
        .args
        .iter()
        .find(|a| a.shown.starts_with('"'))
        .map(|a| a.shown.trim_matches('"').to_string());
    match (quoted, &r.outcome) {
        (Some(q), _) => q,
        (None, CallOutcome::Returned(_)) => format!("opened by {}", r.name),
        _ => r.name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A WASI guest that opens a file twice, closes the first, renumbers
    /// the second over stdout's number and leaves it open.
    const GUEST: &str = r#"(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 100) "a.txt")
      (func (export "_start")
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 5) (i32.const 1)
                          (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 200)))
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 5) (i32.const 0)
                          (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 204)))
        (drop (call $close (i32.const 4)))
        (drop (call $write (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 208)))
        (drop (call $renumber (i32.const 5) (i32.const 1)))))"#;

    #[test]
    fn lives_are_kept_after_their_descriptor_closes() {
        let dir = tempfile::tempdir().unwrap();
        let program = wasmhole_runtime::Program::from_wat("lives.wat", GUEST).unwrap();
        let ring = Arc::new(Mutex::new(Ring::new(100)));
        let config = wasmhole_runtime::ProcessConfig {
            dirs: vec![wasmhole_runtime::DirGrant::parse(&format!(
                "{}::box",
                dir.path().display()
            ))],
            ..Default::default()
        };
        let start = wasmhole_runtime::abis::process(
            "lives.wat",
            wasmhole_runtime::Abi::Wasi,
            config.clone(),
        )
        .unwrap()
        .fds
        .rows();
        wasmhole_runtime::Runtime::new(Default::default())
            .unwrap()
            .run(
                &program,
                wasmhole_runtime::RunOptions {
                    abi: None,
                    config,
                    sinks: vec![Box::new(wasmhole_runtime::calls::ring::RingSink(
                        ring.clone(),
                    ))],
                },
            );
        let ring = ring.lock().unwrap();
        let mut log = DescriptorLog::default();
        log.seed(&start);
        log.update(&ring);
        let summary: Vec<(u32, &str, bool, bool)> = log
            .lives
            .iter()
            .map(|l| (l.number, l.name.as_str(), l.is_open(), l.opened_by_guest))
            .collect();
        assert_eq!(
            summary,
            vec![
                (0, "stdin", true, false),
                (1, "stdout", false, false),
                (2, "stderr", true, false),
                (3, "box", true, false),
                (4, "box/a.txt", false, true),
                (5, "box/a.txt", false, true),
                (1, "box/a.txt", true, true),
            ]
        );
        // The closed descriptor 4 keeps its opening and its closing.
        let mut kept = None;
        let mut names = |log: &DescriptorLog, i: usize, made: u64| -> Vec<&'static str> {
            let (total, seqs) = log.history(i, &ring, made, &mut kept);
            assert_eq!(total, seqs.len());
            seqs.iter().map(|s| ring.get(*s).unwrap().name).collect()
        };
        assert_eq!(names(&log, 4, u64::MAX), vec!["path_open", "fd_close"]);
        assert_eq!(
            names(&log, 5, u64::MAX),
            vec!["path_open", "fd_write", "fd_renumber"]
        );
        // Asked again, it is the same (nothing new to look at).
        assert_eq!(
            names(&log, 5, u64::MAX),
            vec!["path_open", "fd_write", "fd_renumber"]
        );
        // At an earlier moment, only the calls made by then.
        assert_eq!(names(&log, 5, 4), vec!["path_open", "fd_write"]);
    }
}
