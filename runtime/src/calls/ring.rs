//! The record ring a debug session keeps: the most recent syscall records,
//! up to a capacity, stored compactly so that millions of them fit in a
//! window's memory. The newest records are kept as they are; every
//! [`BLOCK`] records are packed (interned names, postcard, LZ4) into a
//! sealed block, kept in memory up to a budget and spilled to an unlinked
//! temporary file after that, and decoded again on demand. A few bytes per
//! record stay in memory (call, error, descriptors: [`Brief`]) so that
//! filters and descriptor histories never decode a block, and an
//! `strace -c` summary is kept as records arrive.

use crate::abis::call::{CallSpec, Kind};
use crate::calls::record::{ArgValue, CallOutcome, CallResult, SyscallRecord};
use crate::calls::sink::RecordSink;
use crate::calls::summary::Summary;
use crate::module::abi::Abi;
use crate::sandbox::guest_memory::MemRange;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex};

/// Records per sealed block.
pub const BLOCK: usize = 1024;
/// Packed bytes kept in memory before blocks go to the spill file.
const MEMORY_BUDGET: usize = 32 << 20;
/// Size at which a spill file is closed and a new one started (a file is
/// freed when every block in it has been dropped).
const SEGMENT_BYTES: u64 = 64 << 20;
/// Decoded blocks kept for reading.
const CACHED_BLOCKS: usize = 4;

/// What is known about a record without decoding it.
#[derive(Clone, Copy, Debug)]
pub struct Brief {
    /// The call's description (its name, ABI, parameters).
    pub spec: &'static CallSpec,
    /// The error's name, if the call failed (`KILLED` if the guest was
    /// killed during it).
    pub error: Option<&'static str>,
    /// The descriptor the call was given (its first descriptor parameter).
    pub fd: Option<u32>,
    /// The descriptor the call opened, if it opened one.
    pub opened: Option<u32>,
}

/// Where a ring's bytes are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Packed blocks kept in memory.
    pub packed_in_memory: usize,
    /// Packed blocks spilled to temporary files.
    pub on_disk: u64,
    /// The briefs kept for every record.
    pub briefs: usize,
    /// Records not yet packed.
    pub unpacked: usize,
}

/// The most recent records of a process, at most `capacity` of them.
pub struct Ring {
    capacity: usize,
    dropped: u64,
    /// Sequence number of the oldest record kept.
    first_seq: u64,
    sealed: VecDeque<Block>,
    open: Vec<SyscallRecord>,
    open_briefs: Vec<Meta>,
    names: Interner,
    summary: Summary,
    store: BlockStore,
    cache: RefCell<VecDeque<(u64, Arc<Vec<SyscallRecord>>)>>,
}

impl std::fmt::Debug for Ring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ring")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .field("dropped", &self.dropped)
            .finish()
    }
}

/// A ring shared between the guest's thread and a front end.
pub type SharedRing = Arc<Mutex<Ring>>;

/// Feeds a [`SharedRing`].
pub struct RingSink(pub SharedRing);

impl RecordSink for RingSink {
    fn record(&mut self, r: &SyscallRecord) {
        if let Ok(mut ring) = self.0.lock() {
            ring.push(r.clone());
        }
    }
}

/// A record's brief, with its names interned.
#[derive(Clone, Copy, Debug)]
struct Meta {
    call: u16,
    /// Interned error name, `NONE` when the call succeeded.
    error: u16,
    fd: u32,
    opened: u32,
}

const NONE: u16 = u16::MAX;
const NO_FD: u32 = u32::MAX;

struct Block {
    first_seq: u64,
    briefs: Box<[Meta]>,
    data: BlockData,
}

enum BlockData {
    Memory(Box<[u8]>),
    Disk {
        file: Arc<File>,
        offset: u64,
        len: u32,
    },
}

/// Call descriptions and static names by small number.
#[derive(Default)]
struct Interner {
    specs: Vec<&'static CallSpec>,
    spec_ids: HashMap<*const CallSpec, u16>,
    strs: Vec<&'static str>,
    str_ids: HashMap<&'static str, u32>,
}

// The raw pointers are only keys for `&'static CallSpec`s, which are Sync.
unsafe impl Send for Interner {}

impl Interner {
    fn spec(&mut self, spec: &'static CallSpec) -> u16 {
        let next = self.specs.len() as u16;
        *self.spec_ids.entry(spec as *const _).or_insert_with(|| {
            self.specs.push(spec);
            next
        })
    }

    fn str(&mut self, s: &'static str) -> u32 {
        let next = self.strs.len() as u32;
        *self.str_ids.entry(s).or_insert_with(|| {
            self.strs.push(s);
            next
        })
    }

    fn opt_str(&mut self, s: Option<&'static str>) -> u32 {
        s.map_or(u32::MAX, |s| self.str(s))
    }

    fn get_str(&self, id: u32) -> Option<&'static str> {
        self.strs.get(id as usize).copied()
    }
}

/// One record, packed with its names interned (the sequence number is its
/// place in the block).
#[derive(Serialize, Deserialize)]
struct Packed {
    spec: u16,
    abi: u8,
    name: u32,
    args: Vec<(u32, u64, String)>,
    outcome: PackedOutcome,
    reads: Vec<(u32, u32)>,
    writes: Vec<(u32, u32)>,
    start_ns: u64,
    duration_ns: u64,
    injected: bool,
}

#[derive(Serialize, Deserialize)]
enum PackedOutcome {
    Returned { raw: i64, error: u32, meaning: u32 },
    Done,
    Exited(i32),
    Killed(String),
}

/// Where sealed blocks' bytes go: memory first, then spill files.
struct BlockStore {
    budget: usize,
    in_memory: usize,
    segment: Option<(Arc<File>, u64)>,
    /// Set when a spill file could not be made or written: blocks stay in
    /// memory from then on.
    no_disk: bool,
}

impl Default for BlockStore {
    fn default() -> Self {
        BlockStore {
            budget: MEMORY_BUDGET,
            in_memory: 0,
            segment: None,
            no_disk: false,
        }
    }
}

impl BlockStore {
    fn keep(&mut self, bytes: Vec<u8>) -> BlockData {
        if self.in_memory + bytes.len() <= self.budget || self.no_disk {
            self.in_memory += bytes.len();
            return BlockData::Memory(bytes.into_boxed_slice());
        }
        match self.spill(&bytes) {
            Ok(data) => data,
            Err(_) => {
                self.no_disk = true;
                self.in_memory += bytes.len();
                BlockData::Memory(bytes.into_boxed_slice())
            }
        }
    }

    fn spill(&mut self, bytes: &[u8]) -> std::io::Result<BlockData> {
        if self
            .segment
            .as_ref()
            .is_none_or(|(_, used)| *used >= SEGMENT_BYTES)
        {
            self.segment = Some((Arc::new(tempfile::tempfile()?), 0));
        }
        let Some((file, used)) = &mut self.segment else {
            unreachable!("a segment was just made");
        };
        (&**file).write_all(bytes)?;
        let data = BlockData::Disk {
            file: file.clone(),
            offset: *used,
            len: bytes.len() as u32,
        };
        *used += bytes.len() as u64;
        Ok(data)
    }

    fn forget(&mut self, data: &BlockData) {
        if let BlockData::Memory(b) = data {
            self.in_memory -= b.len();
        }
    }
}

impl Ring {
    /// An empty ring keeping at most `capacity` records; when full, the
    /// oldest are dropped a block at a time.
    pub fn new(capacity: usize) -> Ring {
        Ring {
            capacity: capacity.max(1),
            dropped: 0,
            first_seq: 0,
            sealed: VecDeque::new(),
            open: Vec::new(),
            open_briefs: Vec::new(),
            names: Interner::default(),
            summary: Summary::default(),
            store: BlockStore::default(),
            cache: RefCell::new(VecDeque::new()),
        }
    }

    /// Number of records kept.
    pub fn len(&self) -> usize {
        self.sealed.len() * BLOCK + self.open.len()
    }

    /// Whether no record is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many older records were dropped to stay within capacity.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The oldest sequence number kept.
    pub fn first_seq(&self) -> Option<u64> {
        (!self.is_empty()).then_some(self.first_seq)
    }

    /// The newest sequence number kept.
    pub fn last_seq(&self) -> Option<u64> {
        (!self.is_empty()).then(|| self.first_seq + self.len() as u64 - 1)
    }

    /// How much memory and disk the ring takes.
    pub fn footprint(&self) -> Footprint {
        let on_disk = self
            .sealed
            .iter()
            .map(|b| match b.data {
                BlockData::Disk { len, .. } => len as u64,
                BlockData::Memory(_) => 0,
            })
            .sum();
        Footprint {
            packed_in_memory: self.store.in_memory,
            on_disk,
            briefs: self.len() * std::mem::size_of::<Meta>(),
            unpacked: self.open.len(),
        }
    }

    /// Calls, errors and time per call name, over every record pushed
    /// (dropped ones included).
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Adds a record, dropping the oldest when full. Records must come in
    /// sequence order without gaps (as a process numbers them); a record
    /// that does not follow the last one starts the ring afresh.
    pub fn push(&mut self, r: SyscallRecord) {
        if self.last_seq().is_some_and(|last| r.seq != last + 1) {
            self.dropped += self.len() as u64;
            self.sealed.clear();
            self.open.clear();
            self.open_briefs.clear();
            self.cache.borrow_mut().clear();
            self.store = BlockStore {
                budget: self.store.budget,
                ..BlockStore::default()
            };
        }
        if self.is_empty() {
            self.first_seq = r.seq;
        }
        self.summary.add(&r);
        let meta = self.meta_of(&r);
        self.open.push(r);
        self.open_briefs.push(meta);
        if self.open.len() == BLOCK {
            self.seal();
        }
        while self.len() > self.capacity && self.drop_oldest() {}
    }

    /// Drops the oldest sealed block, or with none, the oldest record.
    fn drop_oldest(&mut self) -> bool {
        if let Some(block) = self.sealed.pop_front() {
            self.store.forget(&block.data);
            self.cache
                .borrow_mut()
                .retain(|(s, _)| *s != block.first_seq);
            self.first_seq += BLOCK as u64;
            self.dropped += BLOCK as u64;
            return true;
        }
        if self.open.is_empty() {
            return false;
        }
        // Only a ring smaller than a block gets here.
        self.open.remove(0);
        self.open_briefs.remove(0);
        self.first_seq += 1;
        self.dropped += 1;
        true
    }

    fn meta_of(&mut self, r: &SyscallRecord) -> Meta {
        let mut fd = NO_FD;
        let mut opened = NO_FD;
        for (p, a) in r.spec.params.iter().zip(&r.args) {
            match p.kind {
                Kind::Fd if fd == NO_FD => fd = a.raw as u32,
                Kind::OutFd if !r.is_error() => {
                    if let Some(n) = opened_number(&a.shown) {
                        opened = n;
                    }
                }
                _ => {}
            }
        }
        if r.spec.ret_is_descriptor()
            && let CallOutcome::Returned(CallResult {
                raw, error: None, ..
            }) = &r.outcome
            && *raw >= 0
        {
            opened = *raw as u32;
        }
        let error = if r.is_error() {
            self.names.str(static_error(&r.outcome)) as u16
        } else {
            NONE
        };
        Meta {
            call: self.names.spec(r.spec),
            error,
            fd,
            opened,
        }
    }

    fn seal(&mut self) {
        let records = std::mem::take(&mut self.open);
        let briefs = std::mem::take(&mut self.open_briefs).into_boxed_slice();
        let first_seq = records.first().map_or(self.first_seq, |r| r.seq);
        let packed: Vec<Packed> = records.iter().map(|r| self.pack(r)).collect();
        let bytes = postcard::to_allocvec(&packed).unwrap_or_default();
        let data = self.store.keep(lz4_flex::compress_prepend_size(&bytes));
        // The block just sealed is the one most likely read next.
        self.remember(first_seq, Arc::new(records));
        self.sealed.push_back(Block {
            first_seq,
            briefs,
            data,
        });
    }

    fn pack(&mut self, r: &SyscallRecord) -> Packed {
        let n = &mut self.names;
        Packed {
            spec: n.spec(r.spec),
            abi: Abi::ALL.iter().position(|a| *a == r.abi).unwrap_or(0) as u8,
            name: n.str(r.name),
            args: r
                .args
                .iter()
                .map(|a| (n.str(a.name), a.raw, a.shown.clone()))
                .collect(),
            outcome: match &r.outcome {
                CallOutcome::Returned(c) => PackedOutcome::Returned {
                    raw: c.raw,
                    error: n.opt_str(c.error),
                    meaning: n.opt_str(c.meaning),
                },
                CallOutcome::Done => PackedOutcome::Done,
                CallOutcome::Exited { status } => PackedOutcome::Exited(*status),
                CallOutcome::Killed { reason } => PackedOutcome::Killed(reason.clone()),
            },
            reads: r.reads.iter().map(|m| (m.start, m.len)).collect(),
            writes: r.writes.iter().map(|m| (m.start, m.len)).collect(),
            start_ns: r.start_ns,
            duration_ns: r.duration_ns,
            injected: r.injected,
        }
    }

    fn unpack(&self, seq: u64, p: Packed) -> Option<SyscallRecord> {
        let n = &self.names;
        let range = |v: Vec<(u32, u32)>| {
            v.into_iter()
                .map(|(start, len)| MemRange { start, len })
                .collect()
        };
        Some(SyscallRecord {
            seq,
            abi: *Abi::ALL.get(p.abi as usize)?,
            name: n.get_str(p.name)?,
            args: p
                .args
                .into_iter()
                .map(|(name, raw, shown)| {
                    Some(ArgValue {
                        name: n.get_str(name)?,
                        raw,
                        shown,
                    })
                })
                .collect::<Option<_>>()?,
            outcome: match p.outcome {
                PackedOutcome::Returned {
                    raw,
                    error,
                    meaning,
                } => CallOutcome::Returned(CallResult {
                    raw,
                    error: n.get_str(error),
                    meaning: n.get_str(meaning),
                }),
                PackedOutcome::Done => CallOutcome::Done,
                PackedOutcome::Exited(status) => CallOutcome::Exited { status },
                PackedOutcome::Killed(reason) => CallOutcome::Killed { reason },
            },
            reads: range(p.reads),
            writes: range(p.writes),
            start_ns: p.start_ns,
            duration_ns: p.duration_ns,
            injected: p.injected,
            spec: *n.specs.get(p.spec as usize)?,
        })
    }

    fn remember(&self, first_seq: u64, records: Arc<Vec<SyscallRecord>>) {
        let mut cache = self.cache.borrow_mut();
        cache.retain(|(s, _)| *s != first_seq);
        if cache.len() == CACHED_BLOCKS {
            cache.pop_front();
        }
        cache.push_back((first_seq, records));
    }

    /// The decoded records of sealed block `i`.
    fn block(&self, i: usize) -> Option<Arc<Vec<SyscallRecord>>> {
        let block = self.sealed.get(i)?;
        if let Some((_, records)) = self
            .cache
            .borrow()
            .iter()
            .find(|(s, _)| *s == block.first_seq)
        {
            return Some(records.clone());
        }
        let records = Arc::new(self.decode_block(block)?);
        self.remember(block.first_seq, records.clone());
        Some(records)
    }

    fn decode_block(&self, block: &Block) -> Option<Vec<SyscallRecord>> {
        let read;
        let compressed: &[u8] = match &block.data {
            BlockData::Memory(b) => b,
            BlockData::Disk { file, offset, len } => {
                let mut buf = vec![0; *len as usize];
                file.read_exact_at(&mut buf, *offset).ok()?;
                read = buf;
                &read
            }
        };
        let bytes = lz4_flex::decompress_size_prepended(compressed).ok()?;
        let packed: Vec<Packed> = postcard::from_bytes(&bytes).ok()?;
        packed
            .into_iter()
            .enumerate()
            .map(|(i, p)| self.unpack(block.first_seq + i as u64, p))
            .collect()
    }

    /// Where record `seq` is: (sealed block index or `None` for the open
    /// block, index within it).
    fn place(&self, seq: u64) -> Option<(Option<usize>, usize)> {
        let i = seq.checked_sub(self.first_seq)? as usize;
        if i >= self.len() {
            return None;
        }
        let sealed = self.sealed.len() * BLOCK;
        Some(if i < sealed {
            (Some(i / BLOCK), i % BLOCK)
        } else {
            (None, i - sealed)
        })
    }

    /// Record `seq`, decoded (`None` if it is not kept, or its block could
    /// not be read back).
    pub fn get(&self, seq: u64) -> Option<SyscallRecord> {
        match self.place(seq)? {
            (Some(b), i) => self.block(b)?.get(i).cloned(),
            (None, i) => self.open.get(i).cloned(),
        }
    }

    /// What record `seq` is about, without decoding it.
    pub fn brief(&self, seq: u64) -> Option<Brief> {
        let meta = match self.place(seq)? {
            (Some(b), i) => self.sealed[b].briefs[i],
            (None, i) => self.open_briefs[i],
        };
        Some(self.brief_of(meta))
    }

    fn brief_of(&self, m: Meta) -> Brief {
        let fd = |n: u32| (n != NO_FD).then_some(n);
        Brief {
            spec: self.names.specs[m.call as usize],
            error: if m.error == NONE {
                None
            } else {
                self.names.get_str(m.error as u32)
            },
            fd: fd(m.fd),
            opened: fd(m.opened),
        }
    }

    /// Briefs of the records after `seq`, oldest first, with their
    /// sequence numbers.
    pub fn briefs_since(&self, seq: u64) -> impl Iterator<Item = (u64, Brief)> + '_ {
        let from = seq.saturating_add(1).max(self.first_seq);
        let i = ((from - self.first_seq) as usize).min(self.len());
        let sealed_len = self.sealed.len() * BLOCK;
        let (block, within) = (i / BLOCK, i % BLOCK);
        let sealed = self
            .sealed
            .range(block.min(self.sealed.len())..)
            .enumerate()
            .flat_map(move |(k, b)| b.briefs[if k == 0 { within } else { 0 }..].iter());
        let open = &self.open_briefs[i.saturating_sub(sealed_len).min(self.open_briefs.len())..];
        sealed
            .chain(open.iter())
            .enumerate()
            .map(move |(k, m)| (from + k as u64, self.brief_of(*m)))
    }

    /// The records after `seq`, oldest first, decoded a block at a time.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = SyscallRecord> + '_ {
        let from = seq.saturating_add(1).max(self.first_seq);
        let last = self.last_seq();
        let mut next = from;
        let mut current: Option<(u64, Arc<Vec<SyscallRecord>>)> = None;
        std::iter::from_fn(move || {
            loop {
                if last.is_none_or(|l| next > l) {
                    return None;
                }
                let seq = next;
                next += 1;
                match self.place(seq)? {
                    (None, i) => return self.open.get(i).cloned(),
                    (Some(b), i) => {
                        let first = self.sealed[b].first_seq;
                        if current.as_ref().is_none_or(|(f, _)| *f != first) {
                            current = self.block(b).map(|r| (first, r));
                        }
                        match &current {
                            Some((_, records)) => return records.get(i).cloned(),
                            // An unreadable block is skipped.
                            None => continue,
                        }
                    }
                }
            }
        })
    }

    /// Every record kept, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = SyscallRecord> + '_ {
        self.since(0)
    }

    /// Every record kept, decoded into one list (for exports and tests;
    /// prefer [`Ring::since`] or [`Ring::get`] for large rings).
    pub fn records(&self) -> VecDeque<SyscallRecord> {
        self.iter().collect()
    }
}

/// The error name a failed call's brief keeps.
fn static_error(outcome: &CallOutcome) -> &'static str {
    match outcome {
        CallOutcome::Returned(c) => c.error.unwrap_or("ERROR"),
        _ => "KILLED",
    }
}

/// The number in a shown out-descriptor, `[5</data/x>]` → 5.
fn opened_number(shown: &str) -> Option<u32> {
    let digits = shown.strip_prefix('[')?;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64) -> SyscallRecord {
        let spec = crate::abis::find(Abi::Wasi, "fd_write").unwrap();
        let failed = seq.is_multiple_of(7);
        SyscallRecord {
            seq,
            abi: Abi::Wasi,
            name: spec.name,
            args: spec
                .params
                .iter()
                .enumerate()
                .map(|(i, p)| ArgValue {
                    name: p.name,
                    raw: if i == 0 { seq % 5 } else { seq * 3 + i as u64 },
                    shown: format!("{} of call {seq}", p.name),
                })
                .collect(),
            outcome: CallOutcome::Returned(CallResult {
                raw: if failed { 8 } else { 0 },
                error: failed.then_some("EBADF"),
                meaning: failed.then_some("Bad file descriptor"),
            }),
            reads: vec![MemRange {
                start: seq as u32,
                len: 4,
            }],
            writes: vec![],
            start_ns: seq * 1000,
            duration_ns: seq % 100,
            injected: seq.is_multiple_of(7),
            spec,
        }
    }

    fn same(a: &SyscallRecord, b: &SyscallRecord) -> bool {
        serde_json::to_string(a).unwrap() == serde_json::to_string(b).unwrap()
    }

    fn filled(ring: &mut Ring, from: u64, to: u64) {
        for seq in from..=to {
            ring.push(record(seq));
        }
    }

    #[test]
    fn records_come_back_as_they_went_in_from_memory_and_disk() {
        for budget in [MEMORY_BUDGET, 0] {
            let mut ring = Ring::new(100_000);
            ring.store.budget = budget;
            filled(&mut ring, 1, 5000);
            assert_eq!(ring.len(), 5000);
            assert_eq!((ring.first_seq(), ring.last_seq()), (Some(1), Some(5000)));
            if budget == 0 {
                assert!(
                    ring.sealed
                        .iter()
                        .all(|b| matches!(b.data, BlockData::Disk { .. })),
                    "sealed blocks were spilled"
                );
            }
            for seq in [1, 2, 1023, 1024, 1025, 4096, 4999, 5000] {
                assert!(same(&ring.get(seq).unwrap(), &record(seq)), "record {seq}");
            }
            assert!(ring.get(0).is_none() && ring.get(5001).is_none());
            let all: Vec<u64> = ring.iter().map(|r| r.seq).collect();
            assert_eq!(all, (1..=5000).collect::<Vec<_>>());
            let tail: Vec<u64> = ring.since(4990).map(|r| r.seq).collect();
            assert_eq!(tail, (4991..=5000).collect::<Vec<_>>());
            // Briefs say what filters and descriptor histories need.
            let b = ring.brief(14).unwrap();
            assert_eq!(b.spec.name, "fd_write");
            assert_eq!(b.error, Some("EBADF"));
            assert_eq!(b.fd, Some(14 % 5));
            assert_eq!(ring.brief(15).unwrap().error, None);
            let errors = ring
                .briefs_since(0)
                .filter(|(_, b)| b.error.is_some())
                .count();
            assert_eq!(errors, 5000 / 7);
            assert_eq!(
                ring.briefs_since(4998).map(|(s, _)| s).collect::<Vec<_>>(),
                vec![4999, 5000]
            );
            for after in [0, 1, 1023, 1024, 2047, 4095, 4999, 5000] {
                let seqs: Vec<u64> = ring.briefs_since(after).map(|(s, _)| s).collect();
                assert_eq!(
                    seqs,
                    (after + 1..=5000).collect::<Vec<_>>(),
                    "after {after}"
                );
            }
            let totals = ring.summary().calls["fd_write"];
            assert_eq!((totals.calls, totals.errors), (5000, 5000 / 7));
        }
    }

    #[test]
    fn a_full_ring_drops_its_oldest_records() {
        let mut ring = Ring::new(3 * BLOCK);
        filled(&mut ring, 1, 5 * BLOCK as u64 + 10);
        assert!(ring.len() <= 3 * BLOCK);
        let first = ring.first_seq().unwrap();
        assert_eq!(ring.dropped(), first - 1);
        assert_eq!(ring.last_seq(), Some(5 * BLOCK as u64 + 10));
        assert!(ring.get(first - 1).is_none());
        assert!(same(&ring.get(first).unwrap(), &record(first)));
        assert_eq!(
            ring.summary().calls["fd_write"].calls,
            5 * BLOCK as u64 + 10
        );

        let mut small = Ring::new(10);
        filled(&mut small, 1, 25);
        assert_eq!(small.len(), 10);
        assert_eq!(small.first_seq(), Some(16));
        assert_eq!(small.dropped(), 15);
    }

    #[test]
    fn opened_descriptors_are_read_from_what_the_call_returned() {
        assert_eq!(opened_number("[5</data/x.txt>]"), Some(5));
        assert_eq!(opened_number("[12]"), Some(12));
        assert_eq!(opened_number("0x10"), None);
    }
}
