//! The Run configuration panel: ABI, entry point, arguments, environment,
//! granted directories, policy file, network allowances, limits and
//! standard input. It says whose settings these are (each file keeps its
//! own; a replayed Gopher request's are for that request only), and changes
//! apply the next time the program starts.

use super::run_config::RunConfig;
use super::state::Workbench;
use egui::RichText;

fn field(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str, multiline: bool) {
    let l = ui.label(label);
    let edit = if multiline {
        egui::TextEdit::multiline(value).desired_rows(2)
    } else {
        egui::TextEdit::singleline(value)
    };
    ui.add(edit.hint_text(hint).desired_width(f32::INFINITY))
        .labelled_by(l.id);
    ui.end_row();
}

/// Draws the panel.
pub fn ui(wb: &mut Workbench, ui: &mut egui::Ui) {
    let whose = match (&wb.origin, wb.doc.name.as_str()) {
        (Some(origin), _) => format!("For this {origin} only (not kept for the file)."),
        (None, "") => "For the next program opened.".to_string(),
        (None, name) if wb.config == RunConfig::default() => {
            format!("For {name}: the defaults.")
        }
        (None, name) => format!("For {name}: kept for this file."),
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(whose).strong());
        if wb.config != RunConfig::default()
            && ui
                .button("Reset to defaults")
                .on_hover_text("Clear every setting (applies at the next start)")
                .clicked()
        {
            wb.config = RunConfig::default();
            wb.origin = None;
        }
    });
    let c = &mut wb.config;
    egui::Grid::new("run-config").num_columns(2).show(ui, |ui| {
        let l = ui.label("ABI");
        let current = if c.abi.is_empty() {
            "auto".to_string()
        } else {
            c.abi.clone()
        };
        egui::ComboBox::from_id_salt("abi")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for abi in ["auto", "wasi", "dagger", "olin", "h"] {
                    ui.selectable_value(&mut c.abi, abi.to_string(), abi);
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        field(
            ui,
            "Entry point",
            &mut c.invoke,
            "the ABI's usual one (_start, main, cwa_main)",
            false,
        );
        field(
            ui,
            "Arguments",
            &mut c.args,
            r#"one "two words" three (quoted as in a shell)"#,
            false,
        );
        field(
            ui,
            "Environment",
            &mut c.env,
            "KEY=value, one per line",
            true,
        );
        field(
            ui,
            "Directories",
            &mut c.dirs,
            "HOST::GUEST, one per line",
            true,
        );
        field(
            ui,
            "Policy file",
            &mut c.policy,
            "path/to/file.policy",
            false,
        );
        field(
            ui,
            "Network",
            &mut c.allow_net,
            "example.com:443 localhost",
            false,
        );
        field(ui, "Fuel (instructions)", &mut c.fuel, "unlimited", false);
        field(
            ui,
            "Max memory (bytes; K, M, G)",
            &mut c.max_memory,
            "e.g. 16M (a bare number is bytes)",
            false,
        );
        field(ui, "Timeout", &mut c.timeout, "e.g. 2s or 500ms", false);
        field(
            ui,
            "Max output (bytes; K, M, G)",
            &mut c.max_output,
            "e.g. 1M",
            false,
        );
        field(
            ui,
            "Standard input",
            &mut c.stdin,
            "text read from the start, then end of input (empty: the Console)",
            true,
        );
    });
    // Checked again only when the settings change (a policy file is read).
    let id = egui::Id::unique("run-config-check");
    let cached = ui.memory(|m| m.data.get_temp::<(RunConfig, Option<String>)>(id));
    let problem = match cached {
        Some((checked, problem)) if checked == wb.config => problem,
        _ => {
            let problem = wb
                .config
                .abi()
                .and_then(|_| {
                    wb.config.process_config(
                        "check",
                        wasmhole_runtime::InputSpec::Empty,
                        wasmhole_runtime::OutputSpec::Null,
                        wasmhole_runtime::OutputSpec::Null,
                    )
                })
                .err();
            ui.memory_mut(|m| m.data.insert_temp(id, (wb.config.clone(), problem.clone())));
            problem
        }
    };
    if let Some(e) = problem {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if ui.button("Apply and restart").clicked() {
        wb.start();
    }
}
