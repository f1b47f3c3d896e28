//! The Memory panel: a hex and ASCII view over the whole of linear memory,
//! fetched a window at a time from the session (on request when stopped,
//! live 50 times a second while running); go to an address, inspect the
//! typed value at the cursor, follow a pointer, and see what changed since
//! the last stop and what the selected syscall read and wrote.

use super::state::Shown;
use egui::{Color32, RichText, Sense};
use wasmhole_runtime::debug::{WrittenBytes, parse_address};
use wasmhole_runtime::decode::hex_bytes;
use wasmhole_runtime::guest_memory::MemRange;

/// Bytes per row.
pub const ROW: u64 = 16;

/// What a syscall touched, to highlight.
#[derive(Clone, Debug, Default)]
pub struct Touched {
    /// The syscall's sequence number and name.
    pub label: String,
    /// Ranges it read.
    pub reads: Vec<MemRange>,
    /// Ranges it wrote, with the bytes before and after.
    pub writes: Vec<WrittenBytes>,
    /// Ranges it wrote (when the before bytes are no longer kept).
    pub write_ranges: Vec<MemRange>,
}

/// The view's state and its cache of guest memory.
#[derive(Default)]
pub struct MemoryView {
    /// Memory size in bytes.
    pub size: usize,
    /// Cached bytes: (first address, bytes).
    pub window: Option<(u32, Vec<u8>)>,
    /// Address of the first row shown.
    pub top: u64,
    /// Rows that fit in the panel.
    pub rows: usize,
    /// The selected byte.
    pub cursor: Option<u32>,
    /// The go-to field.
    pub goto: String,
    /// Bytes changed since the previous stop.
    pub changed: Vec<MemRange>,
    /// What the selected syscall read and wrote.
    pub touched: Option<Touched>,
    /// The window last asked for.
    pub requested: Option<(u32, u32)>,
    /// The window being sent live while the guest runs.
    pub watching: Option<(u32, u32)>,
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

fn in_ranges(addr: u32, ranges: &[MemRange]) -> bool {
    ranges
        .iter()
        .any(|r| addr >= r.start && addr < r.start.saturating_add(r.len))
}

impl MemoryView {
    /// The window the panel needs now: (start, len).
    pub fn wanted(&self) -> (u32, u32) {
        let len = (self.rows.max(1) as u64 * ROW).min(u32::MAX as u64) as u32;
        (self.top.min(u32::MAX as u64) as u32, len)
    }

    /// Whether the cache covers the wanted window.
    pub fn covered(&self) -> bool {
        let (start, len) = self.wanted();
        let end = (start as u64 + len as u64).min(self.size as u64);
        match &self.window {
            Some((s, bytes)) => *s as u64 <= start as u64 && end <= *s as u64 + bytes.len() as u64,
            None => self.size == 0,
        }
    }

    /// Stores bytes that arrived.
    pub fn store(&mut self, start: u32, bytes: Vec<u8>) {
        self.window = Some((start, bytes));
    }

    /// The cached byte at `addr`, if cached.
    pub fn byte(&self, addr: u32) -> Option<u8> {
        let (s, bytes) = self.window.as_ref()?;
        bytes.get(addr.checked_sub(*s)? as usize).copied()
    }

    /// Up to `n` cached bytes from `addr`.
    pub fn bytes(&self, addr: u32, n: usize) -> Vec<u8> {
        (0..n as u32)
            .map_while(|i| addr.checked_add(i).and_then(|a| self.byte(a)))
            .collect()
    }

    /// Scrolls so that `addr` is in the first rows and selects it.
    pub fn go_to(&mut self, addr: u32) {
        self.cursor = Some(addr);
        self.top = (addr as u64 / ROW * ROW).saturating_sub(ROW * 2);
        self.clamp();
    }

    fn max_top(&self) -> u64 {
        (self.size as u64)
            .div_ceil(ROW)
            .saturating_sub(self.rows as u64)
            * ROW
    }

    fn clamp(&mut self) {
        self.top = self.top.min(self.max_top());
    }

    /// The typed values at the cursor: (type, value) pairs.
    pub fn inspect(&self) -> Vec<(&'static str, String)> {
        let Some(at) = self.cursor else {
            return Vec::new();
        };
        let b = self.bytes(at, 8);
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
        let text = self.bytes(at, 64);
        let end = text.iter().position(|c| *c == 0).unwrap_or(text.len());
        out.push((
            "utf-8",
            format!("{:?}", String::from_utf8_lossy(&text[..end])),
        ));
        out
    }

    /// The u32 at the cursor, read as a pointer.
    pub fn pointer_at_cursor(&self) -> Option<u32> {
        let b = self.bytes(self.cursor?, 4);
        (b.len() == 4).then(|| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn colour(&self, addr: u32, live: bool) -> Option<Color32> {
        if let Some(t) = &self.touched {
            if t.writes
                .iter()
                .any(|w| addr >= w.start && (addr - w.start) < w.after.len() as u32)
                || in_ranges(addr, &t.write_ranges)
            {
                return Some(Color32::from_rgb(0xf0, 0x9a, 0x3e));
            }
            if in_ranges(addr, &t.reads) {
                return Some(Color32::from_rgb(0x5b, 0x9b, 0xd5));
            }
        }
        // While the guest runs, "since the last stop" would be stale.
        if !live && in_ranges(addr, &self.changed) {
            return Some(Color32::from_rgb(0xd9, 0xc2, 0x3b));
        }
        None
    }

    /// Whether bytes were asked for and have not arrived.
    pub fn awaiting(&self) -> bool {
        self.requested.is_some() && !self.covered()
    }

    /// Draws the panel; `shown` says how current the guest's memory is,
    /// `in_call` names the host call a running guest is in (memory cannot
    /// be read while the host carries it out).
    pub fn ui(&mut self, ui: &mut egui::Ui, shown: Shown, in_call: Option<&str>) {
        if shown == Shown::Nothing {
            ui.label("No guest: open a program to see its memory.");
            return;
        }
        ui.horizontal(|ui| {
            let label = ui.label("Go to");
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.goto).desired_width(90.0))
                .labelled_by(label.id);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Go").clicked() || enter)
                && let Some(addr) = parse_address(&self.goto)
            {
                self.go_to(addr);
            }
            if ui
                .add_enabled(
                    self.pointer_at_cursor().is_some(),
                    egui::Button::new("Follow pointer"),
                )
                .clicked()
                && let Some(p) = self.pointer_at_cursor()
            {
                self.goto = format!("{p:#x}");
                self.go_to(p);
            }
            ui.label(size_text(self.size));
            let when = match (shown, in_call) {
                (Shown::Current, _) => "at this stop".to_string(),
                (Shown::LastStop, None) => "live: the guest is running".to_string(),
                (Shown::LastStop, Some(call)) => {
                    format!("as last seen: the guest is in {call}")
                }
                (Shown::AtExit, _) => "at exit: the guest has ended".to_string(),
                (Shown::Nothing, _) => String::new(),
            };
            ui.label(RichText::new(when).italics());
        });
        ui.horizontal(|ui| {
            legend(
                ui,
                Color32::from_rgb(0xd9, 0xc2, 0x3b),
                "changed since last stop",
            );
            legend(
                ui,
                Color32::from_rgb(0x5b, 0x9b, 0xd5),
                "read by the selected call",
            );
            legend(ui, Color32::from_rgb(0xf0, 0x9a, 0x3e), "written by it");
        });
        if let Some(t) = &self.touched {
            ui.label(RichText::new(&t.label).strong());
            for w in &t.writes {
                ui.label(
                    RichText::new(format!(
                        "{:#010x}: {} -> {}",
                        w.start,
                        hex_bytes(&w.before, 24),
                        hex_bytes(&w.after, 24)
                    ))
                    .monospace(),
                );
            }
        }
        ui.separator();
        let inspector_height = 150.0;
        let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
        let avail = (ui.available_height() - inspector_height).max(row_h * 4.0);
        self.rows = (avail / row_h) as usize;
        self.clamp();
        ui.horizontal_top(|ui| {
            let grid = ui.vertical(|ui| {
                ui.spacing_mut().item_spacing = egui::vec2(4.0, 2.0);
                for r in 0..self.rows {
                    let addr = self.top + r as u64 * ROW;
                    if addr >= self.size as u64 {
                        break;
                    }
                    self.row_ui(ui, addr as u32, shown == Shown::LastStop);
                }
            });
            let scroll = ui.input(|i| i.smooth_scroll_delta.y);
            if grid.response.contains_pointer() && scroll != 0.0 {
                let rows = (-scroll / row_h).round() as i64;
                self.top = (self.top as i64 + rows * ROW as i64).max(0) as u64;
                self.clamp();
            }
            let max = self.max_top();
            if max > 0 {
                let mut top = self.top as f64;
                let slider = egui::Slider::new(&mut top, max as f64..=0.0)
                    .vertical()
                    .show_value(false);
                let scroll_label = ui.label(RichText::new("scroll").small().weak());
                if ui
                    .add_sized([18.0, avail], slider)
                    .labelled_by(scroll_label.id)
                    .on_hover_text("scroll through memory")
                    .changed()
                {
                    self.top = (top as u64) / ROW * ROW;
                }
            }
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("inspector")
            .show(ui, |ui| self.inspector_ui(ui));
    }

    fn inspector_ui(&self, ui: &mut egui::Ui) {
        egui::Grid::new("inspector").num_columns(4).show(ui, |ui| {
            match self.cursor {
                Some(c) => ui.label(RichText::new(format!("at {c:#010x}")).strong()),
                None => ui.label("click a byte to inspect it"),
            };
            ui.end_row();
            // Two values a row, so the inspector fits under the bytes.
            for (i, (ty, v)) in self.inspect().into_iter().enumerate() {
                ui.label(RichText::new(ty).monospace());
                ui.label(RichText::new(v).monospace());
                if i % 2 == 1 {
                    ui.end_row();
                }
            }
        });
    }

    fn row_ui(&mut self, ui: &mut egui::Ui, addr: u32, live: bool) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("{addr:08x}")).monospace().weak());
            let mut ascii = String::with_capacity(16);
            for i in 0..ROW as u32 {
                let a = addr + i;
                if a as usize >= self.size {
                    break;
                }
                let text = match self.byte(a) {
                    Some(b) => {
                        ascii.push(if b.is_ascii_graphic() || b == b' ' {
                            b as char
                        } else {
                            '.'
                        });
                        format!("{b:02x}")
                    }
                    None => {
                        ascii.push(' ');
                        "··".into()
                    }
                };
                let mut rt = RichText::new(text).monospace();
                if let Some(c) = self.colour(a, live) {
                    rt = rt.background_color(c).color(Color32::BLACK);
                }
                if self.cursor == Some(a) {
                    rt = rt.underline().strong();
                }
                let resp = ui.add(egui::Label::new(rt).sense(Sense::click()));
                if resp.clicked() {
                    self.cursor = Some(a);
                }
            }
            ui.label(RichText::new(ascii).monospace());
        });
    }
}

fn legend(ui: &mut egui::Ui, c: Color32, text: &str) {
    ui.label(RichText::new("  ").background_color(c));
    ui.label(RichText::new(text).small());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspector_reads_little_endian_values() {
        let mut m = MemoryView {
            size: 65536,
            rows: 8,
            ..MemoryView::default()
        };
        m.store(0x40, vec![0x2a, 0, 0, 0, 0x68, 0x69, 0, 0]);
        m.cursor = Some(0x40);
        let v = m.inspect();
        assert!(v.contains(&("u32", "42 (0x2a)".into())));
        assert!(v.contains(&("i8", "42".into())));
        assert_eq!(m.pointer_at_cursor(), Some(42));
        m.cursor = Some(0x44);
        assert!(m.inspect().contains(&("utf-8", "\"hi\"".into())));
    }

    #[test]
    fn sizes_are_said_in_units_and_pages() {
        assert_eq!(size_text(65536), "64 KiB (1 page)");
        assert_eq!(size_text(512 << 20), "512.0 MiB (8192 pages)");
        assert_eq!(size_text(0), "no memory (0 pages)");
    }

    #[test]
    fn go_to_scrolls_and_selects() {
        let mut m = MemoryView {
            size: 1 << 30,
            rows: 20,
            ..MemoryView::default()
        };
        m.go_to(0x1234_5678);
        assert_eq!(m.cursor, Some(0x1234_5678));
        assert_eq!(m.top, 0x1234_5670 - 32);
        assert_eq!(m.wanted(), (0x1234_5650, 320));
        assert!(!m.covered());
        m.store(0x1234_5650, vec![0; 320]);
        assert!(m.covered());
    }
}
