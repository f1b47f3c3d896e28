//! The Memory panel: a hex and ASCII view over the whole of the run's linear
//! memory at the moment shown (fetched a window at a time: on request when
//! stopped or ended, live while running); go to an address, inspect the
//! typed value at the cursor, follow a pointer. The bytes changed since the
//! previous stop are marked at a stop. The selected call's bytes are shown
//! as it read and wrote them, from its record; where memory holds other
//! bytes now, that is said beside them rather than marked over them.

use crate::model::action::Action;
use crate::model::memory::{MemoryCache, NARROW_ROW, ROW, size_text};
use crate::model::moment::{CallState, Moment, Shown};
use crate::model::run::Run;
use crate::model::view::RunView;
use egui::{Color32, RichText, Sense};
use wasmhole_runtime::calls::decode::hex_bytes;
use wasmhole_runtime::debug::{CallBytes, parse_address};
use wasmhole_runtime::sandbox::guest_memory::MemRange;

const CHANGED: Color32 = Color32::from_rgb(0xd9, 0xc2, 0x3b);
const READ: Color32 = Color32::from_rgb(0x5b, 0x9b, 0xd5);
const WRITTEN: Color32 = Color32::from_rgb(0xf0, 0x9a, 0x3e);

fn in_ranges(addr: u32, ranges: &[MemRange]) -> bool {
    ranges
        .iter()
        .any(|r| addr >= r.start && addr < r.start.saturating_add(r.len))
}

/// The selected call's bytes, as it read and wrote them, with where memory
/// now holds the same bytes (only those are marked).
struct Selected {
    label: String,
    bytes: Option<CallBytes>,
    reads: Vec<MemRange>,
    writes: Vec<MemRange>,
    state: CallState,
}

impl Selected {
    fn of(run: &Run, view: &RunView, moment: &Moment) -> Option<Selected> {
        let seq = view.call?;
        let r = run.ring().get(seq)?;
        Some(Selected {
            label: format!("#{} {}", r.seq, r.name),
            bytes: run.call_bytes(seq),
            reads: r.reads.clone(),
            writes: r.writes.clone(),
            state: moment.call(seq),
        })
    }

    /// The colour of the byte at `addr` holding `now`: the call read or
    /// wrote it, and memory still holds what it read or left there.
    fn colour(&self, addr: u32, now: u8) -> Option<Color32> {
        if self.state != CallState::Made {
            return None;
        }
        let bytes = self.bytes.as_ref()?;
        let written = bytes.written.iter().find_map(|w| {
            let i = addr.checked_sub(w.start)? as usize;
            w.after.get(i).copied()
        });
        if let Some(b) = written {
            return (b == now).then_some(WRITTEN);
        }
        let read = bytes.read.iter().find_map(|r| {
            let i = addr.checked_sub(r.start)? as usize;
            r.bytes.get(i).copied()
        });
        read.and_then(|b| (b == now).then_some(READ))
    }
}

/// Draws the panel.
pub fn ui(ui: &mut egui::Ui, run: &Run, view: &mut RunView) -> Vec<Action> {
    let moment = run.moment();
    let memory = &run.memory;
    let shown = moment.shown;
    match shown {
        Shown::Nothing if run.compiling() => {
            ui.label("Not made yet: the guest's memory exists once its module is compiled.");
            return Vec::new();
        }
        Shown::Nothing => {
            ui.label("No guest: open a program to see its memory.");
            return Vec::new();
        }
        Shown::GoingBack => {
            ui.label("Going back: memory is shown once the guest is there.");
            return Vec::new();
        }
        _ if run.let_go.is_some() && !run.kept() => {
            // Memory is read from the guest, and the guest is gone.
            ui.label(
                RichText::new(format!(
                    "Its memory is gone. {}",
                    run.let_go.as_deref().unwrap_or_default()
                ))
                .color(super::STALE),
            );
            return Vec::new();
        }
        _ => {}
    }
    let in_call = run
        .waiting
        .as_ref()
        .filter(|w| w.since.elapsed().as_millis() >= 100)
        .map(|w| w.call.name);
    let m = &mut view.memory;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Go to");
        let field = ui
            .add(egui::TextEdit::singleline(&mut m.goto).desired_width(90.0))
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Go").clicked() || enter)
            && let Some(addr) = parse_address(&m.goto)
        {
            m.go_to(addr, memory.size);
        }
        let pointer = m.pointer_at_cursor(memory);
        if ui
            .add_enabled(pointer.is_some(), egui::Button::new("Follow pointer"))
            .clicked()
            && let Some(p) = pointer
        {
            m.goto = format!("{p:#x}");
            m.go_to(p, memory.size);
        }
        ui.label(size_text(memory.size));
        let when = match (shown, in_call) {
            (Shown::Current, _) => "at this stop".to_string(),
            (Shown::LastStop, None) => "live: the guest is running".to_string(),
            (Shown::LastStop, Some(call)) => format!("as last seen: the guest is in {call}"),
            (Shown::AtExit, _) => "at exit: the guest has ended".to_string(),
            _ => String::new(),
        };
        ui.label(RichText::new(when).italics());
    });
    let selected = Selected::of(run, view, &moment);
    let m = &mut view.memory;
    ui.horizontal_wrapped(|ui| {
        if shown == Shown::Current {
            legend(ui, CHANGED, "changed since the last stop");
        }
        if selected.is_some() {
            legend(ui, READ, "read by the selected call");
            legend(ui, WRITTEN, "written by it");
        }
    });
    if let Some(sel) = &selected {
        call_bytes(ui, sel, memory);
    }
    ui.separator();
    let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
    // The bytes come first: the inspector takes what a small panel (a
    // projector's) can spare.
    let inspector_height = (ui.available_height() * 0.3).clamp(row_h * 2.0, 150.0);
    let avail = (ui.available_height() - inspector_height - 12.0).max(row_h * 3.0);
    m.rows = (avail / row_h) as usize;
    // A row of 16 bytes with its text needs about 70 characters.
    let char_w =
        ui.fonts_mut(|f| f.glyph_width(&egui::TextStyle::Monospace.resolve(ui.style()), '0'));
    m.per_row = if ui.available_width() < char_w * 74.0 {
        NARROW_ROW
    } else {
        ROW
    };
    m.top = m.top / m.row() * m.row();
    m.clamp(memory.size);
    let row = m.row();
    let changed: &[MemRange] = if shown == Shown::Current {
        &memory.changed
    } else {
        &[]
    };
    ui.horizontal_top(|ui| {
        let grid = ui.vertical(|ui| {
            ui.spacing_mut().item_spacing = egui::vec2(4.0, 2.0);
            for r in 0..m.rows {
                let addr = m.top + r as u64 * row;
                if addr >= memory.size as u64 {
                    break;
                }
                row_ui(
                    ui,
                    addr as u32,
                    row,
                    memory,
                    &mut m.cursor,
                    changed,
                    selected.as_ref(),
                );
            }
        });
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if grid.response.contains_pointer() && scroll != 0.0 {
            let rows = (-scroll / row_h).round() as i64;
            m.top = (m.top as i64 + rows * row as i64).max(0) as u64;
            m.clamp(memory.size);
        }
        let max = m.max_top(memory.size);
        if max > 0 {
            let mut top = m.top as f64;
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
                m.top = (top as u64) / row * row;
            }
        }
    });
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("inspector")
        .max_height(inspector_height)
        .show(ui, |ui| inspector_ui(ui, view, memory));
    Vec::new()
}

/// The selected call's bytes as it read and wrote them, and, where memory
/// now holds other bytes, those too.
fn call_bytes(ui: &mut egui::Ui, sel: &Selected, memory: &MemoryCache) {
    let heading = match sel.state {
        CallState::Made => format!("{}, its bytes as it ran:", sel.label),
        CallState::AtEntry => format!("{}: not run yet (the guest is at its entry)", sel.label),
        CallState::NotYetMade => format!("{}: not yet made at the moment shown", sel.label),
    };
    ui.label(RichText::new(heading).strong());
    if sel.state != CallState::Made {
        return;
    }
    let Some(bytes) = &sel.bytes else {
        if !sel.reads.is_empty() || !sel.writes.is_empty() {
            ui.label(
                RichText::new(format!(
                    "Its bytes are not kept (only the newest calls' are): it read {} and wrote {}.",
                    MemRange::list(&sel.reads, "nothing"),
                    MemRange::list(&sel.writes, "nothing")
                ))
                .weak(),
            );
        }
        return;
    };
    let now_differs = |start: u32, bytes: &[u8]| -> Option<Vec<u8>> {
        let now = memory.bytes(start, bytes.len());
        (now.len() == bytes.len() && now != bytes).then_some(now)
    };
    let line = |ui: &mut egui::Ui, text: String| {
        ui.label(RichText::new(text).monospace());
    };
    for r in &bytes.read {
        let range = sel.reads.iter().find(|m| m.start == r.start);
        let cut = range.is_some_and(|m| m.len as usize > r.bytes.len());
        line(
            ui,
            format!(
                "read  {:#010x}: {}{}",
                r.start,
                hex_bytes(&r.bytes, 16),
                if cut { " (the first of them)" } else { "" }
            ),
        );
        if let Some(now) = now_differs(r.start, &r.bytes) {
            now_line(ui, &now);
        }
    }
    if bytes.read.is_empty() && !sel.reads.is_empty() {
        ui.label(
            RichText::new(format!(
                "It read {}: those bytes are not known here (a recording keeps what calls wrote, not what they read).",
                MemRange::list(&sel.reads, "nothing")
            ))
            .weak(),
        );
    }
    for w in &bytes.written {
        line(
            ui,
            format!(
                "wrote {:#010x}: {} -> {}",
                w.start,
                hex_bytes(&w.before, 16),
                hex_bytes(&w.after, 16)
            ),
        );
        if let Some(now) = now_differs(w.start, &w.after) {
            now_line(ui, &now);
        }
    }
}

fn now_line(ui: &mut egui::Ui, now: &[u8]) {
    ui.label(
        RichText::new(format!(
            "      memory now holds {} (changed since the call)",
            hex_bytes(now, 16)
        ))
        .monospace()
        .color(super::STALE),
    );
}

fn inspector_ui(ui: &mut egui::Ui, view: &RunView, memory: &MemoryCache) {
    egui::Grid::new("inspector").num_columns(4).show(ui, |ui| {
        match view.memory.cursor {
            Some(c) => ui.label(RichText::new(format!("at {c:#010x}")).strong()),
            None => ui.label("click a byte to inspect it"),
        };
        ui.end_row();
        // Two values a row, so the inspector fits under the bytes.
        for (i, (ty, v)) in view.memory.inspect(memory).into_iter().enumerate() {
            ui.label(RichText::new(ty).monospace());
            ui.label(RichText::new(v).monospace());
            if i % 2 == 1 {
                ui.end_row();
            }
        }
    });
}

#[allow(clippy::too_many_arguments)]
fn row_ui(
    ui: &mut egui::Ui,
    addr: u32,
    width: u64,
    memory: &MemoryCache,
    cursor: &mut Option<u32>,
    changed: &[MemRange],
    selected: Option<&Selected>,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("{addr:08x}")).monospace().weak());
        let mut ascii = String::with_capacity(16);
        for i in 0..width as u32 {
            let a = addr + i;
            if a as usize >= memory.size {
                break;
            }
            let byte = memory.byte(a);
            let text = match byte {
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
            let colour = byte
                .and_then(|b| selected.and_then(|s| s.colour(a, b)))
                .or_else(|| in_ranges(a, changed).then_some(CHANGED));
            if let Some(c) = colour {
                rt = rt.background_color(c).color(Color32::BLACK);
            }
            if *cursor == Some(a) {
                rt = rt.underline().strong();
            }
            let resp = ui.add(egui::Label::new(rt).sense(Sense::click()));
            if resp.clicked() {
                *cursor = Some(a);
            }
        }
        ui.label(RichText::new(ascii).monospace());
    });
}

fn legend(ui: &mut egui::Ui, c: Color32, text: &str) {
    ui.label(RichText::new("  ").background_color(c));
    ui.label(RichText::new(text).small());
}
