//! The descriptor table every ABI shares: numbered slots holding files,
//! directories and streams, each able to describe itself for traces and the
//! workbench.

use crate::sandbox::stdio::{Input, Output, StdStream};
use crate::sandbox::streams::Stream;
use cap_std::fs::{Dir, File};
use serde::Serialize;

/// What a descriptor refers to.
pub enum Handle {
    /// A standard input stream.
    Input(Input),
    /// A standard output stream.
    Output(Output, StdStream),
    /// An open file inside a granted directory.
    File(File),
    /// An open directory inside (or being) a granted directory.
    Dir(Dir),
    /// A stream a Dagger or Olin guest opened by URL.
    Stream(Box<dyn Stream>),
}

impl Handle {
    /// A short word for the kind of thing this is.
    pub fn kind(&self) -> &'static str {
        match self {
            Handle::Stream(s) => s.scheme(),
            Handle::Input(_) | Handle::Output(..) => "stdio",
            Handle::File(_) => "file",
            Handle::Dir(_) => "directory",
        }
    }

    /// Whether it holds one of the host's own open files (a file or a
    /// directory), which count against the host's open-files limit.
    pub fn holds_os_file(&self) -> bool {
        matches!(self, Handle::File(_) | Handle::Dir(_))
    }
}

/// WASI-style rights: what may be done through a descriptor (base) and
/// through descriptors opened from it (inheriting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Rights {
    /// Operations allowed on this descriptor.
    pub base: u64,
    /// Operations allowed on descriptors opened through it.
    pub inheriting: u64,
}

/// One open descriptor.
pub struct Descriptor {
    /// What it refers to.
    pub handle: Handle,
    /// What a person calls it: `stdout`, a guest path, a URL.
    pub name: String,
    /// What it may be used for.
    pub rights: Rights,
    /// WASI fdflags (append, nonblock, sync…).
    pub flags: u16,
    /// The guest path under which it was preopened, for preopened directories.
    pub preopen: Option<String>,
}

/// A descriptor described for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DescriptorRow {
    /// Its number.
    pub number: u32,
    /// `stdio`, `file`, `directory`, …
    pub kind: &'static str,
    /// What it refers to.
    pub name: String,
    /// Its base rights, as WASI numbers them (0 for the stream ABIs'
    /// descriptors, which have none); `abis::wasi::rights_text` names them.
    pub rights: u64,
    /// Current offset, for seekable files.
    pub offset: Option<u64>,
    /// Its descriptor flags, as WASI numbers them;
    /// `abis::wasi::fdflags_text` names them.
    pub flags: u16,
    /// Whether the guest opened it (rather than finding it open at start,
    /// as the standard streams and preopened directories are): one still
    /// open when the guest ends is a leak.
    pub opened_by_guest: bool,
}

/// Why a descriptor could not be added.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableFull {
    /// Every descriptor number the table allows is in use.
    #[error("descriptor limit of {0} reached")]
    Descriptors(usize),
    /// The guest holds as many of the host's files and directories open as
    /// its limit allows.
    #[error("descriptor limit of {0} open files reached")]
    OsFiles(u32),
}

/// The table: slot `n` is descriptor `n`.
pub struct FdTable {
    slots: Vec<Option<Descriptor>>,
    limit: usize,
    os_files: u32,
    os_file_limit: Option<u32>,
    /// Slot `n`: whether the guest opened descriptor `n`.
    by_guest: Vec<bool>,
    /// Whether the process is still being set up: descriptors added now
    /// were not opened by the guest.
    setting_up: bool,
    /// Counts every change to the table (a recording compares it to see
    /// whether a call opened, closed or renumbered anything).
    generation: u64,
}

impl Default for FdTable {
    fn default() -> Self {
        FdTable::new(1024)
    }
}

impl FdTable {
    /// An empty table holding at most `limit` descriptors.
    pub fn new(limit: usize) -> FdTable {
        FdTable {
            slots: Vec::new(),
            limit,
            os_files: 0,
            os_file_limit: None,
            by_guest: Vec::new(),
            setting_up: true,
            generation: 0,
        }
    }

    /// Marks the end of the process's setup: descriptors added from now on
    /// are the guest's own.
    pub fn setup_done(&mut self) {
        self.setting_up = false;
    }

    /// A number that changes whenever a descriptor is added, replaced or
    /// removed.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn mark(&mut self, i: usize, by_guest: bool) {
        self.generation += 1;
        if i >= self.by_guest.len() {
            self.by_guest.resize(i + 1, false);
        }
        self.by_guest[i] = by_guest;
    }

    /// The same table, holding at most `limit` of the host's files and
    /// directories open at once (`None`: as many as there are descriptors).
    pub fn with_os_file_limit(mut self, limit: Option<u32>) -> FdTable {
        self.os_file_limit = limit;
        self
    }

    /// How many of the host's files and directories it holds open.
    pub fn os_files(&self) -> u32 {
        self.os_files
    }

    /// Whether one more descriptor holding `handle` fits the OS-file limit,
    /// given that `replacing` (if any) leaves the table.
    fn check_os_file(&self, handle: &Handle, replacing: Option<&Handle>) -> Result<(), TableFull> {
        let freed = replacing.is_some_and(Handle::holds_os_file) as u32;
        match self.os_file_limit {
            Some(limit) if handle.holds_os_file() && self.os_files - freed >= limit => {
                Err(TableFull::OsFiles(limit))
            }
            _ => Ok(()),
        }
    }

    fn count_in(&mut self, d: &Descriptor) {
        self.os_files += d.handle.holds_os_file() as u32;
    }

    fn count_out(&mut self, d: &Descriptor) {
        self.os_files -= d.handle.holds_os_file() as u32;
    }

    /// Adds a descriptor in the lowest free slot and returns its number.
    pub fn insert(&mut self, d: Descriptor) -> Result<u32, TableFull> {
        self.check_os_file(&d.handle, None)?;
        let free = self.slots.iter().position(Option::is_none);
        if free.is_none() && self.slots.len() >= self.limit {
            return Err(TableFull::Descriptors(self.limit));
        }
        self.count_in(&d);
        let i = match free {
            Some(i) => {
                self.slots[i] = Some(d);
                i
            }
            None => {
                self.slots.push(Some(d));
                self.slots.len() - 1
            }
        };
        self.mark(i, !self.setting_up);
        Ok(i as u32)
    }

    /// Puts a descriptor at number `n`, returning what was there.
    pub fn insert_at(&mut self, n: u32, d: Descriptor) -> Result<Option<Descriptor>, TableFull> {
        let i = n as usize;
        if i >= self.limit {
            return Err(TableFull::Descriptors(self.limit));
        }
        let replacing = self.get(n).map(|old| &old.handle);
        self.check_os_file(&d.handle, replacing)?;
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        self.count_in(&d);
        let old = self.slots[i].replace(d);
        if let Some(old) = &old {
            self.count_out(old);
        }
        self.mark(i, !self.setting_up);
        Ok(old)
    }

    /// Puts a descriptor the process had from its start at number `n` (a
    /// replay placing the recorded table), not counted as the guest's own.
    pub fn insert_found_at_start(&mut self, n: u32, d: Descriptor) -> Result<(), TableFull> {
        self.insert_at(n, d)?;
        self.mark(n as usize, false);
        Ok(())
    }

    /// Moves descriptor `from` to number `to` (closing what was there),
    /// keeping who opened it.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<(), TableFull> {
        if from == to {
            return Ok(());
        }
        let by_guest = self.by_guest.get(from as usize).copied().unwrap_or(false);
        let Some(d) = self.remove(from) else {
            return Ok(());
        };
        self.insert_at(to, d)?;
        self.mark(to as usize, by_guest);
        Ok(())
    }

    /// The descriptor numbered `n`.
    pub fn get(&self, n: u32) -> Option<&Descriptor> {
        self.slots.get(n as usize).and_then(Option::as_ref)
    }

    /// The descriptor numbered `n`, mutably.
    pub fn get_mut(&mut self, n: u32) -> Option<&mut Descriptor> {
        self.slots.get_mut(n as usize).and_then(Option::as_mut)
    }

    /// Removes and returns descriptor `n`.
    pub fn remove(&mut self, n: u32) -> Option<Descriptor> {
        let d = self.slots.get_mut(n as usize).and_then(Option::take);
        if let Some(d) = &d {
            self.count_out(d);
            self.generation += 1;
        }
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        d
    }

    /// Open descriptors, lowest number first.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Descriptor)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.as_ref().map(|d| (i as u32, d)))
    }

    /// A short label for traces: `stdout`, `/data/x.txt`, …
    pub fn label(&self, n: u32) -> Option<&str> {
        self.get(n).map(|d| d.name.as_str())
    }

    /// Every open descriptor, described.
    pub fn rows(&self) -> Vec<DescriptorRow> {
        self.iter()
            .map(|(number, d)| DescriptorRow {
                opened_by_guest: self.by_guest.get(number as usize).copied().unwrap_or(false),
                number,
                kind: d.handle.kind(),
                name: d.name.clone(),
                // Only WASI gives descriptors rights; the stream ABIs' have none.
                rights: d.rights.base,
                offset: match &d.handle {
                    Handle::File(f) => rustix::fs::tell(f).ok(),
                    _ => None,
                },
                flags: d.flags,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::stdio::{Output, StdStream};

    fn out(name: &str) -> Descriptor {
        Descriptor {
            handle: Handle::Output(Output::Null, StdStream::Stdout),
            name: name.into(),
            rights: Rights::default(),
            flags: 0,
            preopen: None,
        }
    }

    #[test]
    fn lowest_free_slot_is_reused() {
        let mut t = FdTable::new(3);
        assert_eq!(t.insert(out("a")), Ok(0));
        assert_eq!(t.insert(out("b")), Ok(1));
        assert_eq!(t.insert(out("c")), Ok(2));
        assert!(t.insert(out("d")).is_err());
        t.remove(1);
        assert_eq!(t.insert(out("e")), Ok(1));
        assert_eq!(t.label(1), Some("e"));
        assert_eq!(t.rows().len(), 3);
    }

    #[test]
    fn descriptors_added_after_setup_are_the_guests() {
        let mut t = FdTable::new(8);
        t.insert(out("stdout")).unwrap();
        t.setup_done();
        let mine = t.insert(out("mine")).unwrap();
        let by_guest = |t: &FdTable| -> Vec<(u32, bool)> {
            t.rows()
                .iter()
                .map(|r| (r.number, r.opened_by_guest))
                .collect()
        };
        assert_eq!(by_guest(&t), vec![(0, false), (mine, true)]);
        // Renumbering keeps who opened it.
        t.renumber(0, 5).unwrap();
        assert_eq!(by_guest(&t), vec![(mine, true), (5, false)]);
        assert_eq!(t.label(5), Some("stdout"));
    }
}
