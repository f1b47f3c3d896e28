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
        // Long lines wrap (a projector's narrow panel shows them whole);
        // the gutter numbers each line at its first row.
        let mut job = highlight::layout(buf.as_str(), font.clone(), current, error);
        job.wrap.max_width = wrap;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let label = ui.label(
        RichText::new("WAT source · click a line number to set a breakpoint")
            .small()
            .weak(),
    );
    let lines = text.lines().count().max(1) + usize::from(text.ends_with('\n'));
    let row_h = ui.fonts_mut(|f| f.row_height(&font));
    let scroll = egui::ScrollArea::vertical()
        .id_salt("source")
        .animated(false)
        .auto_shrink([false, false]);
    // The guest's line is brought into view when it is out of sight and
    // something changed: the line, where it is laid out (a width or zoom
    // change wraps lines differently), the panel's height, or the panel
    // was not drawn the frame before (it was behind another tab).
    let seen_id = egui::Id::unique("source-line-shown");
    let view_id = egui::Id::unique("source-view");
    let tops_id = egui::Id::unique("source-line-tops");
    let pass_id = egui::Id::unique("source-view-pass");
    let pass = ui.ctx().cumulative_pass_nr();
    let newly_shown = ui.memory(|m| m.data.get_temp::<u64>(pass_id)) != Some(pass.wrapping_sub(1));
    let last_seen = ui.memory(|m| m.data.get_temp::<(u32, u32, u32)>(seen_id));
    let height = ui.available_height();
    let current_line = current.map(|c| c.line);
    let breakpoint_lines: Vec<u32> = breakpoints.iter().filter_map(|b| b.line).collect();
    let mut toggle = None;
    let drawn = scroll.show(ui, |ui| {
        let origin = ui.min_rect().top();
        ui.horizontal_top(|ui| {
            // The gutter's room first; its numbers are painted once the
            // editor has laid the text out.
            let width = gutter_width(ui, lines, &font);
            let (gutter_at, _) =
                ui.allocate_exact_size(egui::vec2(width, 0.0), egui::Sense::hover());
            let output = egui::TextEdit::multiline(text)
                .id_salt("wat-editor")
                .code_editor()
                .desired_width(f32::INFINITY)
                .desired_rows(30)
                .layouter(&mut layouter)
                .show(ui);
            egui::Response::clone(&output.response).labelled_by(label.id);
            let tops = line_tops(&output.galley, output.galley_pos.y);
            let area = egui::Rect::from_min_max(
                egui::pos2(gutter_at.left(), output.response.rect.top()),
                egui::pos2(gutter_at.right(), output.response.rect.bottom()),
            );
            if let Some(line) = gutter(
                ui,
                area,
                &tops,
                row_h,
                &font,
                &breakpoint_lines,
                has_program,
            ) {
                toggle = Some(line);
            }
            if let Some(line) = current_line
                && let Some(y) = (line as usize).checked_sub(1).and_then(|i| tops.get(i))
            {
                let key = (line, height.round() as u32, (y - origin).round() as u32);
                let rect = egui::Rect::from_min_size(
                    egui::pos2(area.left(), *y),
                    egui::vec2(area.width(), row_h),
                );
                if (newly_shown || last_seen != Some(key)) && !ui.clip_rect().contains_rect(rect) {
                    ui.scroll_to_rect(rect, Some(egui::Align::Center));
                }
                ui.memory_mut(|m| m.data.insert_temp(seen_id, key));
            }
            let relative: Vec<f32> = tops.iter().map(|y| y - origin).collect();
            ui.memory_mut(|m| m.data.insert_temp(tops_id, std::sync::Arc::new(relative)));
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

/// The gutter's width: a breakpoint dot and the longest line number.
fn gutter_width(ui: &egui::Ui, lines: usize, font: &egui::FontId) -> f32 {
    let digits = lines.to_string().len().max(3) as f32;
    let char_w = ui.fonts_mut(|f| f.glyph_width(font, '0'));
    16.0 + digits * char_w + 6.0
}

/// Where each line of the laid-out text starts (its first row), on the
/// screen.
fn line_tops(galley: &egui::Galley, top: f32) -> Vec<f32> {
    let mut tops = Vec::new();
    let mut starts_line = true;
    for row in &galley.rows {
        if starts_line {
            tops.push(top + row.rect().top());
        }
        starts_line = row.ends_with_newline;
    }
    tops
}

/// Line numbers in `area`, each at its line's first row, with a
/// breakpoint dot on lines that have one; returns the line whose number
/// was clicked.
fn gutter(
    ui: &mut egui::Ui,
    area: egui::Rect,
    tops: &[f32],
    row_h: f32,
    font: &egui::FontId,
    breakpoints: &[u32],
    clickable: bool,
) -> Option<u32> {
    let painter = ui.painter_at(area);
    let visible = ui.clip_rect();
    let mut clicked = None;
    for (i, y) in tops.iter().enumerate() {
        let line = i as u32 + 1;
        let row =
            egui::Rect::from_min_size(egui::pos2(area.left(), *y), egui::vec2(area.width(), row_h));
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
        let dot = egui::pos2(area.left() + 7.0, row.center().y);
        if set {
            painter.circle_filled(dot, 5.0, Color32::from_rgb(0xe0, 0x40, 0x40));
        } else if hovered {
            painter.circle_filled(dot, 5.0, Color32::from_rgb(0x80, 0x30, 0x30));
        }
        painter.text(
            egui::pos2(area.right() - 4.0, row.top()),
            egui::Align2::RIGHT_TOP,
            line.to_string(),
            font.clone(),
            ui.visuals().weak_text_color(),
        );
    }
    clicked
}
