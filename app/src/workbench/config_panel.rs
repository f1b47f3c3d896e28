//! The Run configuration panel: ABI, entry point, arguments, environment, granted
//! directories, policy file, network allowances, limits and standard input. Changes apply
//! the next time the program starts.

use super::state::Workbench;

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
        field(ui, "Arguments", &mut c.args, "arg1 arg2", false);
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
        field(ui, "Fuel", &mut c.fuel, "unlimited", false);
        field(ui, "Max memory", &mut c.max_memory, "e.g. 16M", false);
        field(ui, "Timeout", &mut c.timeout, "e.g. 2s", false);
        field(ui, "Max output", &mut c.max_output, "e.g. 1M", false);
        field(
            ui,
            "Standard input",
            &mut c.stdin,
            "text read from the start, then end of input (empty: the Console)",
            true,
        );
    });
    if ui.button("Apply and restart").clicked() {
        wb.start();
    }
}
