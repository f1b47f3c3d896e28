//! Checked access to a guest's linear memory from a host call. Every pointer
//! and length is bounds-checked; when a call is being recorded, every range
//! read or written is logged so traces and the memory view can show it.

use serde::{Deserialize, Serialize};

/// A pointer or length that falls outside the guest's memory (or the guest
/// has no memory at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfBounds {
    /// The pointer the guest passed.
    pub ptr: u32,
    /// The length asked for.
    pub len: u64,
    /// The memory's size at the time.
    pub size: usize,
    /// Whether the guest has a memory at all.
    pub has_memory: bool,
}

impl std::fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let OutOfBounds { ptr, len, size, .. } = *self;
        if self.has_memory {
            write!(
                f,
                "pointer {ptr:#x} + length {len} is outside the guest's {size}-byte memory"
            )
        } else {
            write!(
                f,
                "pointer {ptr:#x} + length {len}: the guest has no memory"
            )
        }
    }
}

impl std::error::Error for OutOfBounds {}

/// A range of guest memory a call touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemRange {
    /// First byte.
    pub start: u32,
    /// Number of bytes.
    pub len: u32,
}

impl MemRange {
    /// Ranges as `0x10+25, 0x8+4`, or `none` when there are none.
    pub fn list(ranges: &[MemRange], none: &str) -> String {
        if ranges.is_empty() {
            return none.into();
        }
        let each: Vec<String> = ranges
            .iter()
            .map(|m| format!("{:#x}+{}", m.start, m.len))
            .collect();
        each.join(", ")
    }
}

/// Ranges read and written during one call.
#[derive(Clone, Debug, Default)]
pub struct AccessLog {
    /// Ranges the host read from guest memory.
    pub reads: Vec<MemRange>,
    /// Ranges the host wrote into guest memory.
    pub writes: Vec<MemRange>,
    /// Keep the bytes each write replaced (a debugger shows before/after).
    pub keep_before: bool,
    /// The bytes as they were before the host wrote, per range.
    pub before: Vec<(MemRange, Vec<u8>)>,
}

impl AccessLog {
    fn push(list: &mut Vec<MemRange>, start: u32, len: u32) {
        if len == 0 {
            return;
        }
        if let Some(last) = list.last_mut()
            && last.start + last.len == start
        {
            last.len += len;
            return;
        }
        list.push(MemRange { start, len });
    }
}

/// A view of guest memory for the length of one host call.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
    present: bool,
    log: Option<&'a mut AccessLog>,
    /// Most bytes an iovec array describes (a short read or write injected).
    iovec_limit: Option<u32>,
}

impl<'a> GuestMemory<'a> {
    /// Memory without logging (the fast path). `present` is false for a
    /// guest without memory (then `bytes` is empty).
    pub fn new(bytes: &'a mut [u8], present: bool) -> Self {
        GuestMemory {
            bytes,
            present,
            log: None,
            iovec_limit: None,
        }
    }

    /// Memory that logs every range touched.
    pub fn logged(bytes: &'a mut [u8], present: bool, log: &'a mut AccessLog) -> Self {
        GuestMemory {
            bytes,
            present,
            log: Some(log),
            iovec_limit: None,
        }
    }

    /// Makes every iovec array describe at most `max` bytes: the buffers
    /// past them read as shorter or empty, so a read or write through them
    /// is short.
    pub fn limit_iovecs(&mut self, max: u32) {
        self.iovec_limit = Some(max);
    }

    /// The length of entry `i` of an iovec array within the limit, given
    /// its own length `len`.
    fn iovec_len_within_limit(&self, table: u32, i: u32, len: u32) -> u32 {
        let Some(max) = self.iovec_limit else {
            return len;
        };
        let before: u64 = (0..i)
            .filter_map(|j| {
                let at = table as usize + j as usize * 8 + 4;
                let raw = self.bytes.get(at..at + 4)?;
                Some(u32::from_le_bytes(raw.try_into().ok()?) as u64)
            })
            .sum();
        (max as u64).saturating_sub(before).min(len as u64) as u32
    }

    /// Whether the guest has a memory at all.
    pub fn present(&self) -> bool {
        self.present
    }

    fn out_of_bounds(&self, ptr: u32, len: u64) -> OutOfBounds {
        OutOfBounds {
            ptr,
            len,
            size: self.bytes.len(),
            has_memory: self.present,
        }
    }

    /// Size of memory in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    fn range(&self, ptr: u32, len: u32) -> Result<std::ops::Range<usize>, OutOfBounds> {
        let start = ptr as usize;
        let end = start + len as usize;
        if end > self.bytes.len() {
            return Err(self.out_of_bounds(ptr, len as u64));
        }
        Ok(start..end)
    }

    /// Checks that a range lies inside memory without touching it.
    pub fn check(&self, ptr: u32, len: u32) -> Result<(), OutOfBounds> {
        self.range(ptr, len).map(|_| ())
    }

    /// Records that `len` bytes at `ptr` were read (for accesses made through
    /// [`GuestMemory::raw`]).
    pub fn note_read(&mut self, ptr: u32, len: u32) {
        if let Some(log) = self.log.as_deref_mut() {
            AccessLog::push(&mut log.reads, ptr, len);
        }
    }

    /// Records that `len` bytes at `ptr` were written.
    pub fn note_write(&mut self, ptr: u32, len: u32) {
        if let Some(log) = self.log.as_deref_mut() {
            AccessLog::push(&mut log.writes, ptr, len);
        }
    }

    /// Reads `len` bytes at `ptr`.
    pub fn read(&mut self, ptr: u32, len: u32) -> Result<&[u8], OutOfBounds> {
        let r = self.range(ptr, len)?;
        self.note_read(ptr, len);
        Ok(&self.bytes[r])
    }

    /// Reads UTF-8 text; invalid UTF-8 is `Ok(Err(..))` so each ABI can choose its error.
    pub fn read_str(
        &mut self,
        ptr: u32,
        len: u32,
    ) -> Result<Result<&str, std::str::Utf8Error>, OutOfBounds> {
        Ok(std::str::from_utf8(self.read(ptr, len)?))
    }

    /// Reads a NUL-terminated string starting at `ptr` (at most `max` bytes before the NUL).
    pub fn read_cstr(&mut self, ptr: u32, max: u32) -> Result<&[u8], OutOfBounds> {
        let start = ptr as usize;
        if start >= self.bytes.len() {
            return Err(self.out_of_bounds(ptr, 1));
        }
        let limit = (start + max as usize).min(self.bytes.len());
        let Some(nul) = self.bytes[start..limit].iter().position(|b| *b == 0) else {
            return Err(self.out_of_bounds(ptr, (limit - start) as u64 + 1));
        };
        self.note_read(ptr, nul as u32 + 1);
        Ok(&self.bytes[start..start + nul])
    }

    /// A mutable window the host will fill; call [`GuestMemory::note_write`]
    /// with what was actually written.
    pub fn buffer_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], OutOfBounds> {
        let r = self.range(ptr, len)?;
        self.keep_before(ptr, r.clone());
        Ok(&mut self.bytes[r])
    }

    fn keep_before(&mut self, ptr: u32, r: std::ops::Range<usize>) {
        if let Some(log) = self.log.as_deref_mut()
            && log.keep_before
            && !r.is_empty()
        {
            let range = MemRange {
                start: ptr,
                len: r.len() as u32,
            };
            log.before.push((range, self.bytes[r].to_vec()));
        }
    }

    /// Writes bytes at `ptr`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), OutOfBounds> {
        let len =
            u32::try_from(data.len()).map_err(|_| self.out_of_bounds(ptr, data.len() as u64))?;
        let r = self.range(ptr, len)?;
        self.keep_before(ptr, r.clone());
        self.bytes[r].copy_from_slice(data);
        self.note_write(ptr, len);
        Ok(())
    }

    /// Reads a little-endian u8/u16/u32/u64.
    pub fn read_u8(&mut self, ptr: u32) -> Result<u8, OutOfBounds> {
        Ok(self.read(ptr, 1)?[0])
    }
    /// Reads a little-endian u16.
    pub fn read_u16(&mut self, ptr: u32) -> Result<u16, OutOfBounds> {
        Ok(u16::from_le_bytes(self.read(ptr, 2)?.try_into().unwrap()))
    }
    /// Reads a little-endian u32.
    pub fn read_u32(&mut self, ptr: u32) -> Result<u32, OutOfBounds> {
        Ok(u32::from_le_bytes(self.read(ptr, 4)?.try_into().unwrap()))
    }
    /// Reads a little-endian u64.
    pub fn read_u64(&mut self, ptr: u32) -> Result<u64, OutOfBounds> {
        Ok(u64::from_le_bytes(self.read(ptr, 8)?.try_into().unwrap()))
    }
    /// Writes a little-endian u32.
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> Result<(), OutOfBounds> {
        self.write(ptr, &v.to_le_bytes())
    }
    /// Writes a little-endian u64.
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> Result<(), OutOfBounds> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Reads entry `i` of an array of `(ptr, len)` pairs (WASI iovecs, 8
    /// bytes each) starting at `table`; its length is cut to what
    /// [`GuestMemory::limit_iovecs`] leaves.
    pub fn iovec(&mut self, table: u32, i: u32) -> Result<(u32, u32), OutOfBounds> {
        let at = i
            .checked_mul(8)
            .and_then(|o| table.checked_add(o))
            .ok_or(self.out_of_bounds(table, (i as u64 + 1) * 8))?;
        let raw = self.read(at, 8)?;
        let ptr = u32::from_le_bytes(raw[0..4].try_into().unwrap());
        let len = u32::from_le_bytes(raw[4..8].try_into().unwrap());
        Ok((ptr, self.iovec_len_within_limit(table, i, len)))
    }

    /// Checks an iovec array and every buffer it points at, returning the
    /// total length (at most the limit [`GuestMemory::limit_iovecs`] set),
    /// without logging.
    pub fn check_iovecs(&self, table: u32, count: u32) -> Result<u64, OutOfBounds> {
        let size = count
            .checked_mul(8)
            .ok_or(self.out_of_bounds(table, count as u64 * 8))?;
        let r = self.range(table, size)?;
        let mut total = 0u64;
        for entry in self.bytes[r].chunks_exact(8) {
            let p = u32::from_le_bytes(entry[0..4].try_into().unwrap());
            let l = u32::from_le_bytes(entry[4..8].try_into().unwrap());
            self.check(p, l)?;
            total += l as u64;
        }
        Ok(self.iovec_limit.map_or(total, |max| total.min(max as u64)))
    }

    /// Read-only view of all of memory, without logging (for decoders).
    pub fn raw(&self) -> &[u8] {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked_and_accesses_logged() {
        let mut bytes = vec![0u8; 16];
        let mut log = AccessLog::default();
        let mut m = GuestMemory::logged(&mut bytes, true, &mut log);
        m.write_u32(12, 7).unwrap();
        assert!(m.write_u32(13, 7).is_err());
        assert!(m.read(u32::MAX, 2).is_err());
        assert_eq!(m.read_u32(12).unwrap(), 7);
        m.write(0, b"ab").unwrap();
        m.write(2, b"cd").unwrap();
        assert_eq!(m.read_cstr(0, 16).unwrap(), b"abcd");
        assert_eq!(
            log.writes,
            vec![
                MemRange { start: 12, len: 4 },
                MemRange { start: 0, len: 4 }
            ]
        );
        assert_eq!(log.reads[0], MemRange { start: 12, len: 4 });
    }

    #[test]
    fn unterminated_cstr_is_out_of_bounds() {
        let mut bytes = vec![b'x'; 8];
        let mut m = GuestMemory::new(&mut bytes, true);
        assert!(m.read_cstr(0, 100).is_err());
    }
}
