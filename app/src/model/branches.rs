//! What-if branches: runs of the same program, configuration and
//! breakpoints that differ from their parent by one changed call (an error,
//! a short transfer, other bytes for a read). The original run is "main".
//! Each branch is a [`Run`] with its own [`RunView`]; the panels show the
//! selected one, and the others go on (or wait) where they are. A new
//! branch runs at full speed to the exit of the changed call and stops
//! there, after checking that the calls before it were the parent's. At
//! most [`MAX_LIVE`] guests are kept (alive, or ended with their memory at
//! exit); one let go keeps its calls, output, exit and recording.

use super::run::Run;
use super::run_config::RunConfig;
use super::view::RunView;
use wasmhole_runtime::abis::CallSpec;
use wasmhole_runtime::calls::inject::Action;
use wasmhole_runtime::calls::ring::Ring;
use wasmhole_runtime::{InjectSpec, SyscallRecord};

/// Most guests kept at once (the selected branch's and others', alive or
/// ended); a branch not shown for longest beyond it keeps its output,
/// calls and recording but not its guest.
pub const MAX_LIVE: usize = 4;

/// Most calls compared between two runs, from the first.
pub const MAX_COMPARED: u64 = 200_000;

/// The call a branch changes, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Its number in the run (from 1).
    pub seq: u64,
    /// Its name.
    pub call: &'static str,
    /// The new outcome, in words (`ENOENT`, `short read: 2 bytes`).
    pub what: String,
}

/// How a branch is getting to its change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reaching {
    /// Not yet stopped at its first instruction.
    Starting,
    /// Running at full speed to the changed call's exit.
    Running,
    /// There, or ended before.
    Done,
}

/// One run: "main" or a what-if.
pub struct Branch {
    /// "main", or the change that made it (`path_open #3 -> ENOENT`).
    pub name: String,
    /// The branch it was made from.
    pub parent: Option<usize>,
    /// Its own change.
    pub change: Option<Change>,
    /// Every change it runs with (its parent's and its own).
    pub changes: Vec<InjectSpec>,
    /// How far it got towards its change.
    pub reaching: Reaching,
    /// What the learner must know about it (that it differed from its
    /// parent before the change, that the change did not apply).
    pub note: Option<String>,
    /// Its run.
    pub run: Run,
    /// How the learner looks at it.
    pub view: RunView,
    pub(crate) last_shown: u64,
}

impl Branch {
    /// The main run of a program.
    pub fn main(run: Run) -> Branch {
        Branch {
            name: "main".into(),
            parent: None,
            change: None,
            changes: Vec::new(),
            reaching: Reaching::Done,
            note: None,
            run,
            view: RunView::default(),
            last_shown: 0,
        }
    }
}

/// Every branch of the program on show.
pub struct Branches {
    /// The branches, "main" first.
    pub list: Vec<Branch>,
    /// The one on show.
    pub selected: usize,
    /// The two branches compared in the Branches panel.
    pub compare: (usize, usize),
    /// The last comparison: the pair, each one's call count, and the first
    /// difference (or how far they were found the same).
    pub compared: Option<Compared>,
    pub(crate) clock: u64,
}

/// A comparison of two branches' calls, continued as they make more.
#[derive(Clone, Debug)]
pub struct Compared {
    /// The two branches.
    pub pair: (usize, usize),
    /// Their call counts when compared.
    pub counts: (u64, u64),
    /// Whether each had ended then.
    pub ended: (bool, bool),
    /// The first call that differs: its number and each branch's call.
    pub difference: Option<(u64, String, String)>,
    /// Calls before this one are the same.
    same_before: u64,
}

impl Default for Branches {
    fn default() -> Self {
        Branches {
            list: vec![Branch::main(Run::default())],
            selected: 0,
            compare: (0, 0),
            compared: None,
            clock: 0,
        }
    }
}

impl Branches {
    /// The changes the selected branch runs with.
    pub fn changes(&self) -> Vec<InjectSpec> {
        self.list[self.selected].changes.clone()
    }

    /// The selected branch.
    pub fn current(&self) -> &Branch {
        &self.list[self.selected]
    }

    /// The selected branch, to change.
    pub fn current_mut(&mut self) -> &mut Branch {
        &mut self.list[self.selected]
    }

    /// How many guests are kept across every branch.
    pub fn kept(&self) -> usize {
        self.list.iter().filter(|b| b.run.kept()).count()
    }
}

/// A choice in the What if… window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WhatIf {
    /// The call fails with this error (one of its own).
    Error(&'static str),
    /// The read or write moves at most this many bytes.
    Short(u32),
    /// The read gets these bytes.
    Bytes(Vec<u8>),
}

impl WhatIf {
    /// The new outcome in words (`ENOENT`, `short read: 2 bytes`).
    pub fn described(&self, call: &CallSpec) -> String {
        let verb = match call.purpose {
            Some(wasmhole_runtime::abis::Purpose::Read) => "read",
            _ => "write",
        };
        match self {
            WhatIf::Error(name) => (*name).to_string(),
            WhatIf::Short(k) => format!("short {verb}: {k} bytes"),
            WhatIf::Bytes(b) => {
                let text = String::from_utf8_lossy(b);
                let shown: String = text.chars().take(16).collect();
                let more = if text.chars().count() > 16 { "…" } else { "" };
                format!("reads {shown:?}{more}")
            }
        }
    }

    /// The injection that makes it.
    pub fn action(&self) -> Action {
        match self {
            WhatIf::Error(name) => Action::Error((*name).to_string()),
            WhatIf::Short(k) => Action::Retval(*k as i64),
            WhatIf::Bytes(b) => Action::Bytes(b.clone()),
        }
    }
}

/// A record's call as the prefix check and Compare see it: name and
/// arguments (with what the call wrote into its out-parameters).
fn same_call(a: &SyscallRecord, b: &SyscallRecord) -> bool {
    a.name == b.name
        && a.args.len() == b.args.len()
        && a.args
            .iter()
            .zip(&b.args)
            .all(|(x, y)| x.name == y.name && x.shown == y.shown)
}

/// The first call number below `upto` at which two runs made different
/// calls, among the calls both have recorded.
pub fn differs_before(parent: &Ring, child: &Ring, upto: u64) -> Option<u64> {
    (1..upto.min(MAX_COMPARED)).find(|&seq| match (parent.get(seq), child.get(seq)) {
        (Some(a), Some(b)) => !same_call(&a, &b),
        _ => false,
    })
}

/// The first call number from `from` at which two runs differ (call,
/// arguments or result, or one run having made more calls), within
/// [`MAX_COMPARED`] calls.
fn first_difference_from(a: &Ring, b: &Ring, from: u64) -> Option<u64> {
    let last = a.last_seq().unwrap_or(0).max(b.last_seq().unwrap_or(0));
    (from.max(1)..=last.min(MAX_COMPARED)).find(|&seq| match (a.get(seq), b.get(seq)) {
        (Some(x), Some(y)) => !same_call(&x, &y) || x.result_text() != y.result_text(),
        (None, None) => false,
        _ => true,
    })
}

/// Compares two branches' calls, going on from an earlier comparison of
/// the same pair where it can. A call one branch has not made yet while
/// its guest goes on is not a difference: only an ended branch's missing
/// call is (`ended`).
pub fn compare_calls(
    pair: (usize, usize),
    (a, b): (&Ring, &Ring),
    ended: (bool, bool),
    earlier: Option<&Compared>,
) -> Compared {
    let counts = (a.last_seq().unwrap_or(0), b.last_seq().unwrap_or(0));
    if let Some(e) = earlier.filter(|e| e.pair == pair && e.ended == ended)
        && (e.counts == counts
            || e.difference
                .as_ref()
                .is_some_and(|(seq, _, _)| *seq <= e.counts.0.min(e.counts.1)))
    {
        return Compared {
            counts,
            ..e.clone()
        };
    }
    let from = earlier
        .filter(|e| e.pair == pair && e.ended == ended && e.difference.is_none())
        .map_or(1, |e| e.same_before);
    let difference = first_difference_from(a, b, from)
        .filter(|seq| {
            let missing = |r: &Ring| r.last_seq().unwrap_or(0) < *seq;
            (!missing(a) || ended.0) && (!missing(b) || ended.1)
        })
        .map(|seq| {
            let call = |r: &Ring| {
                r.get(seq)
                    .map(|c| c.call_text())
                    .unwrap_or_else(|| "(none: it ended before making this call)".into())
            };
            (seq, call(a), call(b))
        });
    Compared {
        pair,
        counts,
        ended,
        difference,
        same_before: counts.0.min(counts.1).min(MAX_COMPARED) + 1,
    }
}

/// How two runs' configurations differ, a phrase per setting
/// (`arguments "a" and "b"`); empty when they ran under the same one.
pub fn config_differences(a: &RunConfig, b: &RunConfig) -> Vec<String> {
    a.fields()
        .into_iter()
        .zip(b.fields())
        .filter(|((_, x), (_, y))| x != y)
        .map(|((name, x), (_, y))| format!("{name} {x:?} and {y:?}"))
        .collect()
}
