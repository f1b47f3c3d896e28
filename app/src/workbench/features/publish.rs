//! The Publish handler window (File > Publish handler…): where the
//! program being edited goes (server, token, name, route, type), a Publish
//! button, and the server's answer.

use crate::model::publish::PublishState;
use crate::model::workbench::Workbench;

/// Draws the window, if open.
pub fn window(ctx: &egui::Context, wb: &mut Workbench) {
    let Some(publish) = &mut wb.publish else {
        return;
    };
    if publish.poll() {
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
    }
    let mut open = true;
    let mut send = false;
    egui::Window::new("Publish handler")
        .collapsible(false)
        .open(&mut open)
        .default_width(520.0)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
        .show(ctx, |ui| {
            ui.label(format!(
                "Deploys {} as a new version of a handler on a running gopherd, under your account's /~ACCOUNT/.",
                wb.doc.name
            ));
            egui::Grid::new("publish form").num_columns(2).show(ui, |ui| {
                let field = |ui: &mut egui::Ui, label: &str, text: &mut String, secret: bool| {
                    let label = ui.label(label);
                    ui.add(
                        egui::TextEdit::singleline(text)
                            .password(secret)
                            .desired_width(360.0),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                };
                field(ui, "Server", &mut publish.server, false);
                field(ui, "Token", &mut publish.token, true);
                field(ui, "Handler name", &mut publish.name, false);
                field(ui, "Route", &mut publish.route, false);
                ui.label("Answers with");
                ui.horizontal(|ui| {
                    for kind in ["menu", "text", "binary"] {
                        ui.radio_value(&mut publish.kind, kind.to_string(), kind);
                    }
                });
                ui.end_row();
            });
            ui.separator();
            let sending = matches!(publish.state, PublishState::Sending(_));
            if ui
                .add_enabled(!sending, egui::Button::new("Publish"))
                .clicked()
            {
                send = true;
            }
            match &publish.state {
                PublishState::Editing => {}
                PublishState::Sending(_) => {
                    ui.label("Publishing…");
                }
                PublishState::Published(said) => {
                    ui.label(said);
                }
                PublishState::Failed(why) => {
                    ui.colored_label(ui.visuals().error_fg_color, format!("Not published: {why}"));
                }
            }
        });
    if send {
        publish.send(&wb.doc);
    }
    if !open {
        wb.publish = None;
    }
}
