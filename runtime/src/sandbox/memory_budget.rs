//! One guest's memory budget. Its linear memories, its tables and the
//! buffers it makes the host hold for it (HTTP requests not yet sent,
//! responses being read) all count against one limit, so no guest can make
//! the host hold more than its limit, however it tries.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The limit when none is given: all of a 32-bit address space, the most
/// one wasm32 memory can hold.
pub const DEFAULT_MAX_MEMORY: u64 = 4 << 30;

/// Bytes charged per table element (a function or extern reference).
pub const TABLE_ELEMENT_BYTES: u64 = 8;

/// A guest's memory budget, shared by its store and its streams.
#[derive(Clone, Debug)]
pub struct MemoryBudget {
    limit: u64,
    used: Arc<AtomicU64>,
}

/// Why bytes could not be taken from a budget.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("memory limit of {limit} bytes reached ({used} bytes in use, {asked} more asked for)")]
pub struct OverBudget {
    /// The limit.
    pub limit: u64,
    /// Bytes in use.
    pub used: u64,
    /// Bytes asked for.
    pub asked: u64,
}

impl MemoryBudget {
    /// A budget of `limit` bytes ([`DEFAULT_MAX_MEMORY`] when `None`).
    pub fn new(limit: Option<u64>) -> MemoryBudget {
        MemoryBudget {
            limit: limit.unwrap_or(DEFAULT_MAX_MEMORY),
            used: Arc::default(),
        }
    }

    /// The limit, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes in use.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Takes `n` more bytes, or leaves the budget as it was.
    pub fn take(&self, n: u64) -> Result<(), OverBudget> {
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(n).filter(|total| *total <= self.limit)
            })
            .map(drop)
            .map_err(|used| OverBudget {
                limit: self.limit,
                used,
                asked: n,
            })
    }

    /// Gives back `n` bytes taken earlier.
    pub fn give_back(&self, n: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                Some(used.saturating_sub(n))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_up_to_the_limit_and_no_further() {
        let budget = MemoryBudget::new(Some(100));
        let shared = budget.clone();
        assert_eq!(budget.take(60), Ok(()));
        assert_eq!(
            shared.take(50),
            Err(OverBudget {
                limit: 100,
                used: 60,
                asked: 50
            })
        );
        assert_eq!(budget.used(), 60, "a refused take takes nothing");
        shared.give_back(20);
        assert_eq!(budget.take(60), Ok(()));
        assert_eq!(budget.used(), 100);
        assert!(budget.take(u64::MAX).is_err(), "no overflow");
        assert_eq!(MemoryBudget::new(None).limit(), DEFAULT_MAX_MEMORY);
    }
}
