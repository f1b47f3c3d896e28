//! The Gopher panel: an address bar with history, menus with their item
//! types, text documents, searches, binary items to save, and for pages a
//! wasm handler answered in-process, the route that served them and a
//! button that replays the request under the debugger.

use crate::gopher::menu::{self, Item};
use crate::model::action::Action;
use crate::model::browser::{Browser, Content, Page};
use crate::model::paths::Purpose;
use egui::RichText;

/// Draws the panel.
pub fn ui(ui: &mut egui::Ui, b: &mut Browser) -> Vec<Action> {
    let mut actions = Vec::new();
    if let Some(purpose) = toolbar(b, ui) {
        actions.push(Action::ChoosePath(purpose));
    }
    if let Some(recipe) = status_line(b, ui) {
        actions.push(Action::DebugRequest(Box::new(recipe)));
    }
    search_prompt(b, ui);
    ui.separator();
    let save = match b.page.clone() {
        Some(page) => page_ui(b, &page, ui),
        None => {
            welcome(b, ui);
            false
        }
    };
    if save {
        actions.push(Action::ChoosePath(Purpose::SaveDownload));
    }
    actions
}

fn toolbar(b: &mut Browser, ui: &mut egui::Ui) -> Option<Purpose> {
    let mut choose = None;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!b.back.is_empty(), egui::Button::new("Back"))
            .on_hover_text("The previous page")
            .clicked()
        {
            b.go_back();
        }
        if ui
            .add_enabled(!b.forward.is_empty(), egui::Button::new("Forward"))
            .clicked()
        {
            b.go_forward();
        }
        if b.loading().is_some() {
            if ui.button("Stop").clicked() {
                b.stop();
            }
        } else if ui
            .add_enabled(b.page.is_some(), egui::Button::new("Reload"))
            .clicked()
        {
            b.reload();
        }
        if let Some(home) = b.home()
            && ui
                .button("Home")
                .on_hover_text("The in-process gopherhole's root menu")
                .clicked()
        {
            b.navigate(home);
        }
        let label = ui.label("Address");
        // Room for Go and Open gopherhole… after the field.
        let go_width = 190.0;
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut b.address)
                    .hint_text("gopher://host[:port]/1/selector")
                    .desired_width((ui.available_width() - go_width).max(120.0)),
            )
            .labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Go").clicked() || entered {
            b.go_to_address();
        }
        ui.menu_button("Open gopherhole…", |ui| {
            ui.label("Serve a gopherhole in-process and browse it:");
            if ui.button("gopherd configuration (.toml)…").clicked() {
                ui.close();
                choose = Some(Purpose::Gopherhole);
            }
            if ui.button("Folder of static files…").clicked() {
                ui.close();
                choose = Some(Purpose::GopherFolder);
            }
        });
    });
    choose
}

/// Shows where the page came from; returns the handler recipe when the
/// person asked to debug the request.
fn status_line(b: &Browser, ui: &mut egui::Ui) -> Option<gopherd::HandlerRecipe> {
    let mut debug = None;
    ui.horizontal_wrapped(|ui| {
        if let Some(message) = &b.message {
            ui.colored_label(ui.visuals().error_fg_color, message);
        } else if let Some((url, elapsed)) = b.loading() {
            ui.spinner();
            ui.label(format!("loading {url} ({:.1} s)", elapsed.as_secs_f32()));
        } else if let Some(page) = &b.page {
            ui.label(describe(page));
            if let Some(served) = &page.served {
                let hole = b
                    .gopherhole
                    .as_ref()
                    .map(|h| h.source.display().to_string())
                    .unwrap_or_default();
                match &served.recipe {
                    Some(recipe) => {
                        ui.label(format!(
                            "· served in-process from {hole} by the {} handler {} ({}) · {}",
                            recipe.abi,
                            recipe.route,
                            recipe.module.display(),
                            served.outcome
                        ));
                        if ui
                            .button("Debug this request")
                            .on_hover_text(
                                "Open the handler in the workbench with this request's \
                                 arguments, environment and standard input",
                            )
                            .clicked()
                        {
                            debug = Some(recipe.clone());
                        }
                    }
                    None => {
                        ui.label(format!(
                            "· served in-process from {hole} (static file) · {}",
                            served.outcome
                        ));
                    }
                }
            }
        }
    });
    debug
}

fn describe(page: &Page) -> String {
    let what = match &page.content {
        Content::Menu(items) => format!("{} items", items.len()),
        Content::Text(lines) => format!("{} lines", lines.len()),
        Content::Binary(_) => "binary".into(),
        Content::Failed(_) => "failed".into(),
    };
    format!(
        "{what} · {} · {} ms",
        size(page.size),
        page.elapsed.as_millis()
    )
}

fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1 << 20) as f64),
    }
}

fn search_prompt(b: &mut Browser, ui: &mut egui::Ui) {
    let mut submit = false;
    let mut cancel = false;
    if let Some(prompt) = &mut b.search {
        ui.horizontal(|ui| {
            let label = ui.label(format!("Search \"{}\":", prompt.display));
            let field = ui
                .add(egui::TextEdit::singleline(&mut prompt.query).hint_text("words to look for"))
                .labelled_by(label.id);
            // Focus the field when the prompt appears, not every frame
            // (that would take Enter's focus change away).
            if ui.memory(|m| m.focused().is_none()) && !field.lost_focus() {
                field.request_focus();
            }
            let enter = (field.has_focus() || field.lost_focus())
                && ui.input(|i| i.key_pressed(egui::Key::Enter));
            submit = ui.button("Search").clicked() || enter;
            cancel = ui.button("Cancel").clicked();
        });
    }
    if submit {
        b.submit_search();
    } else if cancel {
        b.search = None;
    }
}

fn welcome(b: &mut Browser, ui: &mut egui::Ui) {
    ui.label(
        "Type a gopher:// address above, or serve a gopherhole in-process: its static \
         files and wasm handlers answer here without a server, and a page a handler \
         answered can be replayed under the debugger.",
    );
    if let Some(demo) = crate::model::samples::demo_gopherhole()
        && ui.button("Open the demo gopherhole").clicked()
    {
        b.open_gopherhole(&demo);
    }
}

/// Draws a page; returns true when the person asked to save a binary item.
fn page_ui(b: &mut Browser, page: &Page, ui: &mut egui::Ui) -> bool {
    let mut save = false;
    match &page.content {
        Content::Menu(items) => menu_ui(b, items, ui),
        Content::Text(lines) => {
            let row = ui.text_style_height(&egui::TextStyle::Monospace);
            egui::ScrollArea::both().auto_shrink(false).show_rows(
                ui,
                row,
                lines.len(),
                |ui, range| {
                    for line in &lines[range] {
                        ui.label(RichText::new(line).monospace());
                    }
                },
            );
        }
        Content::Binary(bytes) => {
            ui.label(format!(
                "{} ({}): a file to save rather than show.",
                page.url,
                size(bytes.len())
            ));
            if ui.button("Save…").clicked() {
                save = true;
            }
        }
        Content::Failed(reason) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{}: {reason}", page.url),
            );
        }
    }
    save
}

fn menu_ui(b: &mut Browser, items: &[Item], ui: &mut egui::Ui) {
    let row = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
    let mut follow = None;
    egui::ScrollArea::both()
        .auto_shrink(false)
        .show_rows(ui, row, items.len(), |ui, range| {
            for item in &items[range] {
                ui.horizontal(|ui| {
                    ui.add_sized(
                        [44.0, row - 4.0],
                        egui::Label::new(
                            RichText::new(menu::kind_tag(item.kind)).monospace().weak(),
                        ),
                    );
                    let text = RichText::new(&item.display).monospace();
                    if item.kind == b'3' {
                        ui.label(text.color(ui.visuals().error_fg_color));
                    } else if let Some(web) = item.external_url() {
                        ui.hyperlink_to(text, web).on_hover_text(web);
                    } else if let Some(url) = item.url() {
                        let link = ui.link(text).on_hover_text(url.to_string());
                        if link.clicked() {
                            follow = Some(item.clone());
                        }
                    } else {
                        ui.label(text);
                    }
                });
            }
        });
    if let Some(item) = follow {
        b.follow(&item);
    }
}
