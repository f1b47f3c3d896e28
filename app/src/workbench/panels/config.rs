//! The Run configuration panel: ABI, entry point, arguments, environment,
//! granted directories, policy file, network allowances, limits and
//! standard input. It says whose settings these are (each file keeps its
//! own; a replayed Gopher request's are for that request only; a lesson
//! exercise's are its file's), and changes apply the next time the program
//! starts. A replayed recording's configuration is the recording's, shown
//! and not edited.

use crate::model::action::Action;
use crate::model::run::{Origin, Run};
use crate::model::run_config::RunConfig;
use crate::model::workbench::ConfigFrom;
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
pub fn ui(
    ui: &mut egui::Ui,
    config: &mut RunConfig,
    from: &ConfigFrom,
    run: &Run,
    name: &str,
) -> Vec<Action> {
    if let Origin::Recording(path) = &run.origin {
        return recorded(ui, &run.config, path);
    }
    let mut actions = Vec::new();
    let whose = match (from, name) {
        (ConfigFrom::Given(origin), _) => {
            format!("For this {origin} only (not kept for the file).")
        }
        (ConfigFrom::Exercise(file), _) => format!(
            "Your exercise's configuration, {}: what runs here is what Check reads (it is saved there at each start and check).",
            file.display()
        ),
        (ConfigFrom::File, "") => "For the next program opened.".to_string(),
        (ConfigFrom::File, name) if *config == RunConfig::default() => {
            format!("For {name}: the defaults.")
        }
        (ConfigFrom::File, name) => format!("For {name}: kept for this file."),
    };
    ui.horizontal_wrapped(|ui| {
        ui.add(egui::Label::new(RichText::new(whose).strong()).wrap());
        if *config != RunConfig::default()
            && !matches!(from, ConfigFrom::Exercise(_))
            && ui
                .button("Reset to defaults")
                .on_hover_text("Clear every setting (applies at the next start)")
                .clicked()
        {
            actions.push(Action::ResetConfig);
        }
    });
    let c = config;
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
        Some((checked, problem)) if checked == *c => problem,
        _ => {
            let problem = c
                .abi()
                .and_then(|_| {
                    c.process_config(
                        "check",
                        wasmhole_runtime::InputSpec::Empty,
                        wasmhole_runtime::OutputSpec::Null,
                        wasmhole_runtime::OutputSpec::Null,
                    )
                })
                .err();
            ui.memory_mut(|m| m.data.insert_temp(id, (c.clone(), problem.clone())));
            problem
        }
    };
    if let Some(e) = problem {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if ui.button("Apply and restart").clicked() {
        actions.push(Action::Restart);
    }
    actions
}

/// A recording's configuration: what the run it records ran with, for
/// reading only (a replay runs as recorded).
fn recorded(ui: &mut egui::Ui, config: &RunConfig, path: &std::path::Path) -> Vec<Action> {
    ui.add(
        egui::Label::new(
            RichText::new(format!(
                "The recording's configuration ({}): the run it records ran with these settings. A replay cannot change them: every call is answered from the recording.",
                path.display()
            ))
            .strong(),
        )
        .wrap(),
    );
    egui::Grid::new("recorded-config")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (name, value) in config.fields() {
                ui.label(name);
                let shown = if value.trim().is_empty() {
                    "-".to_string()
                } else {
                    value.trim().replace('\n', "; ")
                };
                ui.label(RichText::new(shown).monospace());
                ui.end_row();
            }
        });
    let mut actions = Vec::new();
    if ui
        .button("Replay again")
        .on_hover_text("Replay the recording from its start")
        .clicked()
    {
        actions.push(Action::Restart);
    }
    actions
}
