//! The Source panel: the WAT editor with colours, Compile and Save, the
//! compile error in words, a gutter of line numbers where a click sets or
//! clears a breakpoint, and where the guest is (the selected frame's line
//! and, within it, its instruction), said to be current or only where the
//! guest last stopped.

use super::STALE;
use crate::model::action::Action;
use crate::model::breakpoints::Breakpoints;
use crate::model::document::Document;
use crate::model::moment::Shown;
use crate::model::run::Run;
use crate::model::view::RunView;
use crate::workbench::highlight::{self, Current, ErrorAt};
use egui::{Color32, RichText};

/// The selected frame's place in the text, and how current it is.
fn current(doc: &Document, run: &Run, view: &RunView) -> Option<Current> {
    let stale = match run.moment().shown {
        Shown::Current => false,
        Shown::LastStop => true,
        _ => return None,
    };
    let pc = &run.snapshot.as_ref()?.frames.get(view.frame)?.pc;
    let program = doc.program.as_ref()?;
    let (line, column) = program.source_map()?.position_of(pc.offset)?;
    Some(Current {
        line,
        column: (column > 0).then_some(column),
        stale,
    })
}

/// Names the instruction the highlight marks within its line (`at call
/// $add`), so a line holding several says which one is next.
fn instruction_label(doc: &Document, c: Current, ui: &mut egui::Ui) {
    let Some(column) = c.column else { return };
    let Some(text) = doc.text.as_deref() else {
        return;
    };
    let Some(line) = text.lines().nth(c.line as usize - 1) else {
        return;
    };
    let instruction = highlight::instruction_at(line, column);
    if !instruction.is_empty() {
        ui.label(RichText::new(format!("at {instruction}")).monospace());
    }
}

/// Draws the panel.
pub fn ui(
    ui: &mut egui::Ui,
    doc: &mut Document,
    run: &Run,
    view: &RunView,
    breakpoints: &Breakpoints,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let current = current(doc, run, view);
    let shown = run.moment().shown;
    ui.horizontal_wrapped(|ui| {
        let can_compile = doc.text.is_some();
        if ui
            .add_enabled(can_compile, egui::Button::new("Compile"))
            .on_hover_text("Compile the text and run it from the start (Ctrl+Enter)")
            .clicked()
        {
            actions.push(Action::Compile);
        }
        if doc.is_dirty() {
            ui.label(RichText::new("edited").italics());
        }
        if doc.is_unsaved() {
            ui.label(RichText::new("unsaved (Ctrl+S)").italics().weak());
        }
        match (shown, current) {
            (Shown::Current, Some(c)) if view.frame == 0 => {
                ui.label(format!("the guest is on line {}", c.line));
                instruction_label(doc, c, ui);
            }
            (Shown::Current, Some(c)) => {
                ui.label(format!("frame #{} is on line {}", view.frame, c.line));
                instruction_label(doc, c, ui);
            }
            (Shown::LastStop, Some(c)) => {
                ui.label(
                    RichText::new(format!(
                        "running: at its last stop the guest was on line {}",
                        c.line
                    ))
                    .color(STALE),
                );
            }
            (Shown::AtExit, _) => {
                ui.label(RichText::new("the guest has ended").color(STALE));
            }
            (Shown::GoingBack, _) => {
                ui.label(RichText::new("going back…").color(STALE));
            }
            _ => {}
        }
    });
    if let Some(e) = &doc.error {
        ui.label(
            RichText::new(format!(
                "line {}, column {}: {}",
                e.line, e.column, e.message
            ))
            .color(Color32::from_rgb(0xff, 0x70, 0x70)),
        );
    }
    let error = doc.error.as_ref().map(|e| ErrorAt {
        line: e.line,
        column: e.column,
    });
    let has_program = doc.program.is_some();
    let name = doc.name.clone();
    let Some(text) = &mut doc.text else {
        let message = if matches!(run.origin, crate::model::run::Origin::Trace(_)) {
            "A recorded trace has no source: its calls are in the Syscalls panel.".to_string()
        } else if name.is_empty() {
            "Nothing is open: File > Open, or pick a program from Samples.".to_string()
        } else {
            format!("{name} is a binary module: see the Disassembly panel.")
        };
        ui.label(message);
        return actions;
    };
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let mut layouter = |ui: &egui::Ui, buf: &dyn egui::TextBuffer, wrap: f32| {
        // No wrapping: one text row per line keeps the line numbers true.
        let _ = wrap;
        let mut job = highlight::layout(buf.as_str(), font.clone(), current, error);
        job.wrap.max_width = f32::INFINITY;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let label = ui.label(
        RichText::new("WAT source · click a line number to set a breakpoint")
            .small()
            .weak(),
    );
    let lines = text.lines().count().max(1) + usize::from(text.ends_with('\n'));
    let row_h = ui.fonts_mut(|f| f.row_height(&font));
    let mut scroll = egui::ScrollArea::both().id_salt("source");
    // Bring the guest's line into view a third of the way down when it is
    // out of sight and something changed: the line, the panel's size (a
    // layout or zoom change), or the panel was not drawn the frame before
    // (it was behind another tab).
    let seen_id = egui::Id::unique("source-line-shown");
    let view_id = egui::Id::unique("source-view");
    let pass = ui.ctx().cumulative_pass_nr();
    // (The view is known from the frame before; on the very first frame
    // it is not, and the line waits a frame.)
    let pass_id = egui::Id::unique("source-view-pass");
    let seen = ui.memory(|m| {
        let (top, height) = m.data.get_temp::<(f32, f32)>(view_id)?;
        let pass = m.data.get_temp::<u64>(pass_id)?;
        Some(SourceView { top, height, pass })
    });
    let current_line = current.map(|c| c.line);
    if let (Some(line), Some(seen)) = (current_line, seen) {
        let height = ui.available_height();
        let last = ui.memory(|m| m.data.get_temp::<(u32, u32)>(seen_id));
        let newly_shown = seen.pass + 1 != pass;
        let again = newly_shown || last != Some((line, height.round() as u32));
        if again {
            let y = (line as f32 - 1.0) * row_h;
            if y < seen.top || y + row_h > seen.top + seen.height.min(height) {
                scroll = scroll.vertical_scroll_offset((y - height / 3.0).max(0.0));
            }
        }
        ui.memory_mut(|m| m.data.insert_temp(seen_id, (line, height.round() as u32)));
    }
    let breakpoint_lines: Vec<u32> = breakpoints.iter().filter_map(|b| b.line).collect();
    let mut toggle = None;
    let drawn = scroll.show(ui, |ui| {
        ui.horizontal_top(|ui| {
            // The editor's text starts below its frame's top margin.
            if let Some(line) = gutter(ui, lines, row_h, &font, &breakpoint_lines, has_program) {
                toggle = Some(line);
            }
            ui.add(
                egui::TextEdit::multiline(text)
                    .id_salt("wat-editor")
                    .code_editor()
                    .desired_width(f32::INFINITY)
                    .desired_rows(30)
                    .layouter(&mut layouter),
            )
            .labelled_by(label.id);
        });
    });
    let view = (drawn.state.clamped_offset().y, drawn.inner_rect.height());
    ui.memory_mut(|m| {
        m.data.insert_temp(view_id, view);
        m.data.insert_temp(pass_id, pass);
    });
    actions.extend(toggle.map(Action::ToggleLineBreakpoint));
    actions
}

/// Where the source view was scrolled when last drawn, and on which pass.
#[derive(Clone, Copy, Debug)]
struct SourceView {
    top: f32,
    height: f32,
    pass: u64,
}

/// Line numbers with a breakpoint dot on lines that have one; returns the
/// line whose number was clicked.
fn gutter(
    ui: &mut egui::Ui,
    lines: usize,
    row_h: f32,
    font: &egui::FontId,
    breakpoints: &[u32],
    clickable: bool,
) -> Option<u32> {
    let digits = lines.to_string().len().max(3) as f32;
    let char_w = ui.fonts_mut(|f| f.glyph_width(font, '0'));
    let width = 16.0 + digits * char_w + 6.0;
    let top_margin = 2.0;
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(width, lines as f32 * row_h + 2.0 * top_margin),
        egui::Sense::hover(),
    );
    let painter = ui.painter_at(rect);
    let visible = ui.clip_rect();
    let mut clicked = None;
    for i in 0..lines {
        let line = i as u32 + 1;
        let y = rect.top() + top_margin + i as f32 * row_h;
        let row = egui::Rect::from_min_size(egui::pos2(rect.left(), y), egui::vec2(width, row_h));
        if !row.intersects(visible) {
            continue;
        }
        let set = breakpoints.contains(&line);
        let mut hovered = false;
        if clickable {
            let name = if set {
                format!("clear breakpoint on line {line}")
            } else {
                format!("set breakpoint on line {line}")
            };
            let response = ui.interact(
                row,
                ui.scope_id().with(("gutter", line)),
                egui::Sense::click(),
            );
            response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
            hovered = response.hovered();
            if response.clicked() {
                clicked = Some(line);
            }
        }
        let dot = egui::pos2(rect.left() + 7.0, row.center().y);
        if set {
            painter.circle_filled(dot, 5.0, Color32::from_rgb(0xe0, 0x40, 0x40));
        } else if hovered {
            painter.circle_filled(dot, 5.0, Color32::from_rgb(0x80, 0x30, 0x30));
        }
        painter.text(
            egui::pos2(rect.right() - 4.0, row.top()),
            egui::Align2::RIGHT_TOP,
            line.to_string(),
            font.clone(),
            ui.visuals().weak_text_color(),
        );
    }
    clicked
}
