//! The `strace -c` summary: per-call counts, errors and time.

use super::sink::RecordSink;
use crate::calls::record::SyscallRecord;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Per-call counts, as `strace -c` prints them.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Call name -> totals.
    pub calls: BTreeMap<&'static str, CallTotals>,
}

/// Totals for one call name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallTotals {
    /// Number of calls.
    pub calls: u64,
    /// Number that failed.
    pub errors: u64,
    /// Time spent, in nanoseconds.
    pub total_ns: u64,
}

impl Summary {
    /// Counts one record.
    pub fn add(&mut self, r: &SyscallRecord) {
        let t = self.calls.entry(r.name).or_default();
        t.calls += 1;
        t.errors += r.is_error() as u64;
        t.total_ns += r.duration_ns;
    }

    /// The `strace -c` table.
    pub fn table(&self) -> String {
        table_of(self.calls.iter().map(|(name, t)| (*name, *t)))
    }
}

/// The `strace -c` table of these per-call totals.
pub fn table_of<'a>(totals: impl IntoIterator<Item = (&'a str, CallTotals)>) -> String {
    let mut rows: Vec<(&str, CallTotals)> = totals.into_iter().collect();
    rows.sort_by(|a, b| b.1.total_ns.cmp(&a.1.total_ns).then(a.0.cmp(b.0)));
    let total_ns: u64 = rows.iter().map(|(_, t)| t.total_ns).sum();
    let shown = |errors: u64| {
        if errors == 0 {
            String::new()
        } else {
            errors.to_string()
        }
    };
    let rule = "------ ----------- ----------- --------- --------- ----------------\n";
    let mut out = String::from("% time     seconds  usecs/call     calls    errors syscall\n");
    out.push_str(rule);
    for (name, t) in &rows {
        let pct = if total_ns == 0 {
            0.0
        } else {
            t.total_ns as f64 * 100.0 / total_ns as f64
        };
        out.push_str(&format!(
            "{:6.2} {:11.6} {:11} {:9} {:>9} {}\n",
            pct,
            t.total_ns as f64 / 1e9,
            t.total_ns / 1000 / t.calls.max(1),
            t.calls,
            shown(t.errors),
            name
        ));
    }
    out.push_str(rule);
    let calls: u64 = rows.iter().map(|(_, t)| t.calls).sum();
    let errors: u64 = rows.iter().map(|(_, t)| t.errors).sum();
    out.push_str(&format!(
        "100.00 {:11.6} {:11} {:9} {:>9} total\n",
        total_ns as f64 / 1e9,
        total_ns / 1000 / calls.max(1),
        calls,
        shown(errors)
    ));
    out
}

/// Feeds a shared [`Summary`].
pub struct SummarySink(pub Arc<Mutex<Summary>>);

impl RecordSink for SummarySink {
    fn record(&mut self, r: &SyscallRecord) {
        if let Ok(mut s) = self.0.lock() {
            s.add(r);
        }
    }

    fn wants_details(&self) -> bool {
        false
    }
}
