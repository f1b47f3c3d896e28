//! Which of a run's calls the Syscalls panel lists: all of them, or those
//! matching a filter by name or error, through an index over the ring's
//! briefs built as records arrive (only new records are looked at unless
//! the filter changes).

use wasmhole_runtime::calls::ring::{Brief, Ring};

/// The filter and its index.
#[derive(Clone, Debug, Default)]
pub struct CallsView {
    /// Text a row's name or error must contain.
    pub filter: String,
    /// Show failed calls only.
    pub errors_only: bool,
    /// Show the summary instead of the table.
    pub show_summary: bool,
    /// With a filter, the rows shown: sequence numbers less `base`.
    index: Vec<u32>,
    base: u64,
    /// The filter the index was built with, and the last sequence indexed.
    indexed: Option<(String, bool, u64)>,
}

impl CallsView {
    fn filtered(&self) -> bool {
        self.errors_only || !self.filter.is_empty()
    }

    fn matches(&self, b: &Brief, filter: &str) -> bool {
        if self.errors_only && b.error.is_none() {
            return false;
        }
        filter.is_empty()
            || b.spec.name.contains(filter)
            || b.error
                .is_some_and(|e| e.to_ascii_lowercase().contains(filter))
    }

    /// Brings the index up to date with the ring (only new records are
    /// looked at unless the filter changed). Without a filter every record
    /// is a row and no index is kept.
    pub fn update_index(&mut self, ring: &Ring) {
        if !self.filtered() {
            self.index = Vec::new();
            self.indexed = None;
            return;
        }
        let last = ring.last_seq().unwrap_or(0);
        let first = ring.first_seq().unwrap_or(0);
        let from = match &self.indexed {
            Some((f, e, upto)) if *f == self.filter && *e == self.errors_only && *upto <= last => {
                if self
                    .index
                    .first()
                    .is_some_and(|s| self.base + (*s as u64) < first)
                {
                    let base = self.base;
                    self.index.retain(|s| base + *s as u64 >= first);
                }
                *upto
            }
            _ => {
                self.index.clear();
                self.base = first;
                first.saturating_sub(1)
            }
        };
        let filter = self.filter.to_ascii_lowercase();
        let base = self.base;
        let matching: Vec<u32> = ring
            .briefs_since(from)
            .filter(|(_, b)| self.matches(b, &filter))
            .map(|(seq, _)| (seq - base) as u32)
            .collect();
        self.index.extend(matching);
        self.indexed = Some((self.filter.clone(), self.errors_only, last));
    }

    /// Number of rows listed.
    pub fn rows(&self, ring: &Ring) -> usize {
        if self.filtered() {
            self.index.len()
        } else {
            ring.len()
        }
    }

    /// The sequence number of row `i`.
    pub fn row_seq(&self, ring: &Ring, i: usize) -> Option<u64> {
        if self.filtered() {
            self.index.get(i).map(|s| self.base + *s as u64)
        } else {
            ring.first_seq().map(|f| f + i as u64)
        }
    }

    /// The row listing call `seq`, if it is listed.
    pub fn row_of(&self, ring: &Ring, seq: u64) -> Option<usize> {
        if self.filtered() {
            let target = seq.checked_sub(self.base)? as u32;
            self.index.binary_search(&target).ok()
        } else {
            let first = ring.first_seq()?;
            (seq >= first && seq <= ring.last_seq()?).then(|| (seq - first) as usize)
        }
    }

    /// Forgets the index (a new run's calls).
    pub fn reset(&mut self) {
        self.index = Vec::new();
        self.indexed = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_grows_with_new_records_and_follows_the_filter() {
        let program = wasmhole_runtime::Program::from_wat(
            "t.wat",
            r#"(module
                 (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
                 (memory (export "memory") 1)
                 (func (export "_start")
                   (drop (call $close (i32.const 1)))
                   (drop (call $close (i32.const 9)))))"#,
        )
        .unwrap();
        let ring = std::sync::Arc::new(std::sync::Mutex::new(Ring::new(100)));
        let rt = wasmhole_runtime::Runtime::new(Default::default()).unwrap();
        rt.run(
            &program,
            wasmhole_runtime::RunOptions {
                abi: None,
                config: Default::default(),
                sinks: vec![Box::new(wasmhole_runtime::calls::ring::RingSink(
                    ring.clone(),
                ))],
            },
        );
        let ring = ring.lock().unwrap();
        let mut v = CallsView::default();
        v.update_index(&ring);
        assert_eq!(v.rows(&ring), 2);
        assert_eq!(v.row_of(&ring, 2), Some(1));
        v.filter = "ebadf".into();
        v.update_index(&ring);
        assert_eq!(v.rows(&ring), 1);
        let seq = v.row_seq(&ring, 0).unwrap();
        assert_eq!(ring.get(seq).unwrap().error_name(), Some("EBADF"));
        assert_eq!(v.row_of(&ring, seq), Some(0));
        assert_eq!(v.row_of(&ring, 1), None);
        v.filter.clear();
        v.errors_only = true;
        v.update_index(&ring);
        assert_eq!(v.rows(&ring), 1);
        assert_eq!(v.row_seq(&ring, 0), Some(seq));
    }
}
