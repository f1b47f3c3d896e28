//! Linear memory as the workbench knows it: what a run's guest sent of it
//! (a window of bytes, the size, what changed since the previous stop) and
//! where the learner looks (the rows in view, the selected byte), with the
//! typed values at that byte.

use wasmhole_runtime::sandbox::guest_memory::MemRange;

/// Bytes per row, when the panel is wide enough.
pub const ROW: u64 = 16;
/// Bytes per row in a narrow panel.
pub const NARROW_ROW: u64 = 8;

/// What a run's guest sent of its memory.
#[derive(Clone, Debug, Default)]
pub struct MemoryCache {
    /// Memory size in bytes.
    pub size: usize,
    /// Bytes received: (first address, bytes).
    pub window: Option<(u32, Vec<u8>)>,
    /// Bytes changed since the previous stop (at a stop).
    pub changed: Vec<MemRange>,
    /// The window last asked for.
    pub requested: Option<(u32, u32)>,
    /// The window being sent live while the guest runs.
    pub watching: Option<(u32, u32)>,
}

impl MemoryCache {
    /// Stores bytes that arrived.
    pub fn store(&mut self, start: u32, bytes: Vec<u8>) {
        self.window = Some((start, bytes));
    }

    /// Forgets the bytes (the guest moved on): they are asked for again.
    pub fn forget(&mut self) {
        self.window = None;
        self.requested = None;
        self.watching = None;
    }

    /// The byte at `addr`, if received.
    pub fn byte(&self, addr: u32) -> Option<u8> {
        let (s, bytes) = self.window.as_ref()?;
        bytes.get(addr.checked_sub(*s)? as usize).copied()
    }

    /// Up to `n` received bytes from `addr`.
    pub fn bytes(&self, addr: u32, n: usize) -> Vec<u8> {
        (0..n as u32)
            .map_while(|i| addr.checked_add(i).and_then(|a| self.byte(a)))
            .collect()
    }

    /// Whether the bytes received cover `(start, len)`.
    pub fn covers(&self, (start, len): (u32, u32)) -> bool {
        let end = (start as u64 + len as u64).min(self.size as u64);
        match &self.window {
            Some((s, bytes)) => *s as u64 <= start as u64 && end <= *s as u64 + bytes.len() as u64,
            None => self.size == 0,
        }
    }

    /// Whether bytes were asked for and have not arrived.
    pub fn awaiting(&self) -> bool {
        self.requested.is_some_and(|w| !self.covers(w))
    }
}

/// Where the learner looks in memory.
#[derive(Clone, Debug, Default)]
pub struct MemoryView {
    /// Address of the first row shown.
    pub top: u64,
    /// Rows that fit in the panel.
    pub rows: usize,
    /// The selected byte.
    pub cursor: Option<u32>,
    /// The go-to field.
    pub goto: String,
    /// Bytes a row shows: [`ROW`], or [`NARROW_ROW`] in a narrow panel
    /// (0 means [`ROW`]).
    pub per_row: u64,
}

/// A memory size as a person reads it: `1 MiB (16 pages)`.
pub fn size_text(bytes: usize) -> String {
    let pages = bytes / 65536;
    let size = match bytes {
        0 => "no memory".to_string(),
        b if b < 1 << 20 => format!("{} KiB", b / 1024),
        b if b < 1 << 30 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b => format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64),
    };
    let unit = if pages == 1 { "page" } else { "pages" };
    format!("{size} ({pages} {unit})")
}

impl MemoryView {
    /// Bytes a row shows.
    pub fn row(&self) -> u64 {
        if self.per_row == 0 { ROW } else { self.per_row }
    }

    /// The window in view: (start, len).
    pub fn wanted(&self) -> (u32, u32) {
        let len = (self.rows.max(1) as u64 * self.row()).min(u32::MAX as u64) as u32;
        (self.top.min(u32::MAX as u64) as u32, len)
    }

    /// Scrolls so that `addr` is in the first rows and selects it.
    pub fn go_to(&mut self, addr: u32, size: usize) {
        self.cursor = Some(addr);
        let row = self.row();
        self.top = (addr as u64 / row * row).saturating_sub(row * 2);
        self.clamp(size);
    }

    /// The first row's address at the end of memory.
    pub fn max_top(&self, size: usize) -> u64 {
        let row = self.row();
        (size as u64).div_ceil(row).saturating_sub(self.rows as u64) * row
    }

    /// Keeps the rows in view inside memory.
    pub fn clamp(&mut self, size: usize) {
        self.top = self.top.min(self.max_top(size));
    }

    /// The typed values at the cursor: (type, value) pairs.
    pub fn inspect(&self, memory: &MemoryCache) -> Vec<(&'static str, String)> {
        let Some(at) = self.cursor else {
            return Vec::new();
        };
        let b = memory.bytes(at, 8);
        let mut out = Vec::new();
        let get = |n: usize| -> Option<[u8; 8]> {
            (b.len() >= n).then(|| {
                let mut a = [0u8; 8];
                a[..n].copy_from_slice(&b[..n]);
                a
            })
        };
        if let Some(a) = get(1) {
            out.push(("u8", a[0].to_string()));
            out.push(("i8", (a[0] as i8).to_string()));
        }
        if let Some(a) = get(2) {
            let v = u16::from_le_bytes([a[0], a[1]]);
            out.push(("u16", v.to_string()));
            out.push(("i16", (v as i16).to_string()));
        }
        if let Some(a) = get(4) {
            let v = u32::from_le_bytes([a[0], a[1], a[2], a[3]]);
            out.push(("u32", format!("{v} ({v:#x})")));
            out.push(("i32", (v as i32).to_string()));
            out.push(("f32", format!("{:?}", f32::from_bits(v))));
        }
        if let Some(a) = get(8) {
            let v = u64::from_le_bytes(a);
            out.push(("u64", v.to_string()));
            out.push(("i64", (v as i64).to_string()));
            out.push(("f64", format!("{:?}", f64::from_bits(v))));
        }
        let text = memory.bytes(at, 64);
        let end = text.iter().position(|c| *c == 0).unwrap_or(text.len());
        out.push((
            "utf-8",
            format!("{:?}", String::from_utf8_lossy(&text[..end])),
        ));
        out
    }

    /// The u32 at the cursor, read as a pointer.
    pub fn pointer_at_cursor(&self, memory: &MemoryCache) -> Option<u32> {
        let b = memory.bytes(self.cursor?, 4);
        (b.len() == 4).then(|| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspector_reads_little_endian_values() {
        let mut memory = MemoryCache {
            size: 65536,
            ..MemoryCache::default()
        };
        memory.store(0x40, vec![0x2a, 0, 0, 0, 0x68, 0x69, 0, 0]);
        let mut m = MemoryView {
            rows: 8,
            cursor: Some(0x40),
            ..MemoryView::default()
        };
        let v = m.inspect(&memory);
        assert!(v.contains(&("u32", "42 (0x2a)".into())));
        assert!(v.contains(&("i8", "42".into())));
        assert_eq!(m.pointer_at_cursor(&memory), Some(42));
        m.cursor = Some(0x44);
        assert!(m.inspect(&memory).contains(&("utf-8", "\"hi\"".into())));
    }

    #[test]
    fn sizes_are_said_in_units_and_pages() {
        assert_eq!(size_text(65536), "64 KiB (1 page)");
        assert_eq!(size_text(512 << 20), "512.0 MiB (8192 pages)");
        assert_eq!(size_text(0), "no memory (0 pages)");
    }

    #[test]
    fn go_to_scrolls_and_selects() {
        let size = 1 << 30;
        let mut m = MemoryView {
            rows: 20,
            ..MemoryView::default()
        };
        m.go_to(0x1234_5678, size);
        assert_eq!(m.cursor, Some(0x1234_5678));
        assert_eq!(m.top, 0x1234_5670 - 32);
        assert_eq!(m.wanted(), (0x1234_5650, 320));
        let mut memory = MemoryCache {
            size,
            ..MemoryCache::default()
        };
        assert!(!memory.covers(m.wanted()));
        memory.store(0x1234_5650, vec![0; 320]);
        assert!(memory.covers(m.wanted()));
    }
}
