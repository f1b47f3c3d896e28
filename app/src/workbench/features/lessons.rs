//! The Lessons panel: every lesson with the learner's progress, or the
//! open lesson as one reading pane: its step (rendered from Markdown, with
//! what the step does in the workbench), the exercise being worked on with
//! Check and its verdict, and every exercise with its Open button. What a
//! step or a button does is the model's (`crate::model::lessons`).

use crate::lessons::{Catalog, Lesson, Role, Verdict};
use crate::model::action::Action;
use crate::model::lessons::{Lessons, action_words, goal_words};
use crate::model::panel::Panel;
use crate::model::workbench::ConfigFrom;
use egui::{Color32, RichText};
use egui_commonmark::{CommonMarkCache, CommonMarkViewer};

/// What the panel draws from: the lessons' state, whose configuration the
/// workbench runs with, and the Markdown renderer's cache.
struct Pane<'a> {
    lessons: &'a mut Lessons,
    config_from: &'a ConfigFrom,
    markdown: &'a mut CommonMarkCache,
    actions: Vec<Action>,
}

/// Draws the panel: the list of lessons, or the open lesson as one
/// reading pane (its step's text, the exercise being worked on, and every
/// exercise, scrolled together), with the step's controls above it.
pub fn ui(
    ui: &mut egui::Ui,
    lessons: &mut Lessons,
    config_from: &ConfigFrom,
    markdown: &mut CommonMarkCache,
) -> Vec<Action> {
    let catalog = match lessons.catalog() {
        Ok(c) => c,
        Err(e) => {
            ui.label(format!("No lessons: {e}"));
            return Vec::new();
        }
    };
    let mut pane = Pane {
        lessons,
        config_from,
        markdown,
        actions: Vec::new(),
    };
    if let Some(trouble) = &pane.lessons.trouble {
        ui.add(
            egui::Label::new(RichText::new(trouble).color(Color32::from_rgb(0xe0, 0x80, 0x40)))
                .wrap(),
        );
    }
    let open = pane
        .lessons
        .open
        .clone()
        .and_then(|id| catalog.lesson(&id).cloned());
    match open {
        None => list(&mut pane, ui, &catalog),
        Some(lesson) => lesson_view(&mut pane, ui, &lesson),
    }
    pane.actions
}

fn list(pane: &mut Pane, ui: &mut egui::Ui, catalog: &Catalog) {
    ui.heading("Lessons");
    ui.label("How WebAssembly guests talk to their host, in steps, each ending with an exercise wasmhole checks.");
    egui::ScrollArea::vertical()
        .id_salt("lesson-list")
        .show(ui, |ui| {
            for lesson in &catalog.lessons {
                let passed = lesson
                    .exercises
                    .iter()
                    .filter(|e| pane.lessons.progress.passed.contains(&e.id))
                    .count();
                ui.horizontal(|ui| {
                    let title = format!("{}. {}", lesson.number, lesson.title);
                    if ui.button(title).clicked() {
                        pane.actions.push(Action::OpenLesson(lesson.id.clone()));
                    }
                    let mark = if passed == lesson.exercises.len() {
                        "✔ "
                    } else {
                        ""
                    };
                    ui.label(
                        RichText::new(format!(
                            "{mark}{passed}/{} exercises",
                            lesson.exercises.len()
                        ))
                        .weak(),
                    );
                });
            }
        });
}

fn lesson_view(pane: &mut Pane, ui: &mut egui::Ui, lesson: &Lesson) {
    let step_count = lesson.steps.len();
    let n = pane.lessons.step.min(step_count.saturating_sub(1));
    ui.horizontal_wrapped(|ui| {
        if ui.button("All lessons").clicked() {
            pane.lessons.open = None;
        }
        ui.label(RichText::new(format!("{}. {}", lesson.number, lesson.title)).strong());
        if ui.add_enabled(n > 0, egui::Button::new("Back")).clicked() {
            pane.actions.push(Action::GoToStep(n - 1));
        }
        ui.label(format!("Step {} of {step_count}", n + 1));
        if ui
            .add_enabled(n + 1 < step_count, egui::Button::new("Next"))
            .clicked()
        {
            pane.actions.push(Action::GoToStep(n + 1));
        }
        if !lesson.steps[n].actions.is_empty() && ui.button("Do this step").clicked() {
            pane.actions.push(Action::DoStep);
        }
    });
    if let Some(goal) = &pane.lessons.goal {
        ui.label(RichText::new(format!("Running to {}…", goal_words(goal))).italics());
    }
    if let Some((panel, note)) = pane.lessons.pointer.clone() {
        egui::Frame::new()
            .fill(ui.visuals().selection.bg_fill.gamma_multiply(0.35))
            .inner_margin(6.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    let text = if note.is_empty() {
                        format!("Look at the {} panel.", panel.title())
                    } else {
                        format!("Look at the {} panel: {note}", panel.title())
                    };
                    ui.label(RichText::new(text).strong());
                    if ui.button(format!("Show {}", panel.title())).clicked() {
                        pane.actions.push(Action::Focus(panel));
                    }
                });
            });
    }
    ui.separator();
    // One reading pane: whatever the panel's size, every part of the
    // lesson can be scrolled to.
    egui::ScrollArea::vertical()
        .id_salt("lesson-text")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let step = &lesson.steps[n];
            if !step.actions.is_empty() {
                let words: Vec<String> = step.actions.iter().map(action_words).collect();
                ui.label(
                    RichText::new(format!("This step {}.", words.join(", ")))
                        .weak()
                        .italics(),
                );
            }
            working_bar(pane, ui, lesson);
            let text = format!("## {}\n\n{}", step.title, step.text);
            CommonMarkViewer::new().show(ui, pane.markdown, &text);
            ui.separator();
            exercises(pane, ui, lesson);
        });
}

/// The exercise being worked on: its copy (edited here when it is a
/// policy; a configuration's copy is the Run configuration), Check, Start
/// over and the verdict. Drawn above the lesson's text.
fn working_bar(pane: &mut Pane, ui: &mut egui::Ui, lesson: &Lesson) {
    let Some(ex) = pane
        .lessons
        .working
        .as_ref()
        .filter(|w| w.lesson == lesson.id)
        .and_then(|w| lesson.exercise(&w.id))
    else {
        return;
    };
    let config_from = pane.config_from;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(format!("Exercise: {}", ex.title)).strong());
        match &mut pane.lessons.working {
            Some(w) if w.role == Role::Policy => {
                let label = ui.label(
                    RichText::new(format!("Your copy: {}", w.path.display()))
                        .small()
                        .weak(),
                );
                ui.add(
                    egui::TextEdit::multiline(&mut w.text)
                        .code_editor()
                        .desired_rows(5)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            }
            Some(w) if w.role == Role::Config => {
                let bound = *config_from == ConfigFrom::Exercise(w.path.clone());
                let text = if bound {
                    format!(
                        "Your copy {} is the Run configuration: edit it there. What F5 runs is what Check reads.",
                        w.path.display()
                    )
                } else {
                    format!(
                        "Your copy {} is not the Run configuration any more (another file was opened): open the exercise again to edit it.",
                        w.path.display()
                    )
                };
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(text).small().weak());
                    if bound && ui.button("Show the Run configuration").clicked() {
                        pane.actions.push(Action::Focus(Panel::Configuration));
                    }
                });
            }
            Some(w) => {
                ui.label(
                    RichText::new(format!(
                        "Your copy is in the Source panel: {}",
                        w.path.display()
                    ))
                    .small()
                    .weak(),
                );
            }
            None => {}
        }
        ui.horizontal(|ui| {
            let busy = pane.lessons.checking();
            if ui
                .add_enabled(!busy, egui::Button::new("Check"))
                .on_hover_text("Save your copy and run the exercise's check on it")
                .clicked()
            {
                pane.actions.push(Action::CheckExercise);
            }
            if ui
                .button("Start over")
                .on_hover_text("Replace your copy with the starter")
                .clicked()
            {
                pane.actions.push(Action::StartOver(ex.id.clone()));
            }
            if busy {
                ui.spinner();
                ui.label("checking…");
            }
        });
        if let Some(v) = pane.lessons.verdicts.get(&ex.id) {
            verdict(ui, v);
        }
    });
}

fn exercises(pane: &mut Pane, ui: &mut egui::Ui, lesson: &Lesson) {
    ui.heading("Exercises");
    for ex in &lesson.exercises {
        let passed = pane.lessons.progress.passed.contains(&ex.id);
        let working = pane.lessons.working.as_ref().is_some_and(|w| w.id == ex.id);
        ui.horizontal_wrapped(|ui| {
            let mark = if passed { "✔ " } else { "" };
            ui.label(RichText::new(format!("{mark}{}", ex.title)).strong());
            ui.label(RichText::new(format!("({})", ex.id)).weak());
        });
        ui.add(egui::Label::new(&ex.task).wrap());
        if working {
            ui.label(RichText::new("Open: check it above.").italics());
        } else if ui.button(format!("Open: {}", ex.title)).clicked() {
            pane.actions.push(Action::OpenExercise(ex.id.clone()));
        }
        ui.add_space(6.0);
    }
}
fn verdict(ui: &mut egui::Ui, v: &Verdict) {
    if v.passed() {
        ui.label(
            RichText::new("Passed: your guest does what the exercise asks.")
                .color(Color32::from_rgb(0x50, 0xc0, 0x60))
                .strong(),
        );
    } else {
        ui.label(
            RichText::new("Not yet:")
                .color(Color32::from_rgb(0xe0, 0x60, 0x60))
                .strong(),
        );
        for p in &v.problems {
            ui.label(format!("• {p}"));
        }
    }
    if let Some(ran) = &v.ran {
        ui.collapsing("What the check ran", |ui| {
            ui.label(format!("Your guest {}.", ran.ended));
            ui.label(format!("Standard output: {:?}", ran.stdout));
            if !ran.stderr.is_empty() {
                ui.label(format!("Standard error: {:?}", ran.stderr));
            }
            for line in &ran.trace {
                ui.label(RichText::new(line).monospace().small());
            }
        });
    }
}
