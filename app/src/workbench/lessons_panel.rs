//! The Lessons panel: every lesson with the learner's progress; a lesson's
//! steps, rendered from Markdown, each doing what it says in the workbench
//! (opening a sample or an exercise, setting the Run configuration,
//! running to a syscall, pointing at a panel); and its exercises, the
//! learner's copy opened for editing and checked, on a thread of its own,
//! by the same check as `wasmhole lessons check`. Progress is saved in the
//! learner's folder after every change.

use super::dock::Tab;
use super::run_config::RunConfig;
use super::state::{RunState, Workbench};
use crate::lessons::{Action, Catalog, Exercise, Goal, Lesson, Progress, Role, Verdict, Workspace};
use egui::{Color32, RichText};
use egui_commonmark::{CommonMarkCache, CommonMarkViewer};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};
use wasmhole_runtime::debug::{Command, StopReason};

/// The exercise the learner is working on.
#[derive(Clone, Debug)]
pub struct Working {
    /// Its lesson's id.
    pub lesson: String,
    /// Its id.
    pub id: String,
    /// The learner's copy.
    pub path: PathBuf,
    /// How the copy is used.
    pub role: Role,
    /// The copy's text, edited here when it is a configuration or a policy.
    pub text: String,
}

/// The panel's state.
pub struct LessonsPanel {
    catalog: Option<Result<Arc<Catalog>, String>>,
    /// The learner's folder.
    pub workspace: Workspace,
    /// What the learner has done.
    pub progress: Progress,
    progress_loaded: bool,
    /// The lesson shown, by id (`None`: the list).
    pub open: Option<String>,
    /// The step shown.
    pub step: usize,
    /// The panel a step points at, and what to look at there.
    pub pointer: Option<(Tab, String)>,
    /// Actions of the step still to do (they wait while the guest runs to a goal).
    pending: VecDeque<Action>,
    /// Where the guest is being run to.
    pub goal: Option<Goal>,
    /// Why the last step could not be done, if it could not.
    pub trouble: Option<String>,
    /// The exercise being worked on.
    pub working: Option<Working>,
    /// The Run configuration the lesson's steps have set, given to each
    /// program the lesson opens (`None`: each file keeps its own).
    pub config: Option<RunConfig>,
    checking: Option<(String, Receiver<Verdict>)>,
    /// The last verdict of each exercise checked here.
    pub verdicts: HashMap<String, Verdict>,
    markdown: CommonMarkCache,
}

impl Default for LessonsPanel {
    fn default() -> Self {
        LessonsPanel::new(None, Workspace::user())
    }
}

impl LessonsPanel {
    /// A panel over `catalog` (found in the repository when `None`),
    /// keeping the learner's files in `workspace`.
    pub fn new(catalog: Option<Catalog>, workspace: Workspace) -> LessonsPanel {
        LessonsPanel {
            catalog: catalog.map(|c| Ok(Arc::new(c))),
            workspace,
            progress: Progress::default(),
            progress_loaded: false,
            open: None,
            step: 0,
            pointer: None,
            pending: VecDeque::new(),
            goal: None,
            trouble: None,
            working: None,
            config: None,
            checking: None,
            verdicts: HashMap::new(),
            markdown: CommonMarkCache::default(),
        }
    }

    /// The lessons (read on first use).
    pub fn catalog(&mut self) -> Result<Arc<Catalog>, String> {
        if !self.progress_loaded {
            self.progress = self.workspace.load_progress();
            self.progress_loaded = true;
        }
        self.catalog
            .get_or_insert_with(|| Catalog::find().map(Arc::new))
            .clone()
    }

    fn save(&mut self) {
        if let Err(e) = self.workspace.save_progress(&self.progress) {
            self.trouble = Some(e);
        }
    }

    /// Whether a step's actions are still being done (the guest is being
    /// run to a goal, or actions wait for it).
    pub fn busy(&self) -> bool {
        self.goal.is_some() || !self.pending.is_empty()
    }

    /// Whether a check is running.
    pub fn checking(&self) -> bool {
        self.checking.is_some()
    }
}

/// What an action does, in words, for the step's list.
fn action_words(action: &Action) -> String {
    match action {
        Action::Open(p) => format!("opens {}", p.display()),
        Action::OpenExercise(id) => format!("opens your copy of the exercise {id}"),
        Action::Set { field, value } => format!("sets {field} to {}", value.replace('\n', "\\n")),
        Action::ResetConfig => "resets the Run configuration".into(),
        Action::Grant { folder, guest } => {
            format!("grants your copy of {} as {guest}", folder.display())
        }
        Action::RunTo(Goal::Entry(Some(c))) => format!("runs to the entry of {c}"),
        Action::RunTo(Goal::Entry(None)) => "runs to the next syscall".into(),
        Action::RunTo(Goal::Exit(Some(c))) => format!("runs to the exit of {c}"),
        Action::RunTo(Goal::Exit(None)) => "runs to the next syscall exit".into(),
        Action::RunTo(Goal::End) => "runs to the end".into(),
        Action::SelectLast(c) => format!("selects the last {c} in Syscalls"),
        Action::Show { tab, .. } => format!("shows {}", tab.title()),
        Action::Predict(on) => format!(
            "turns Predict, then step {}",
            if *on { "on" } else { "off" }
        ),
    }
}

fn goal_words(goal: &Goal) -> String {
    match goal {
        Goal::Entry(Some(c)) => format!("the entry of {c}"),
        Goal::Entry(None) => "the next syscall".into(),
        Goal::Exit(Some(c)) => format!("the exit of {c}"),
        Goal::Exit(None) => "the next syscall exit".into(),
        Goal::End => "the end".into(),
    }
}

impl Workbench {
    /// Shows a lesson at the step the learner left it at (its actions
    /// are not done again: "Do this step" does them).
    pub fn open_lesson(&mut self, id: &str) {
        let Ok(catalog) = self.lessons.catalog() else {
            return;
        };
        if catalog.lesson(id).is_none() {
            return;
        }
        let p = &mut self.lessons;
        if p.open.as_deref() != Some(id) {
            p.config = None;
        }
        p.open = Some(id.to_string());
        p.step = p.progress.steps.get(id).copied().unwrap_or(0);
        p.pointer = None;
        p.trouble = None;
        p.progress.current = Some(id.to_string());
        p.save();
    }

    /// Goes to step `n` of the open lesson and does what it says.
    pub fn go_to_step(&mut self, n: usize) {
        let Ok(catalog) = self.lessons.catalog() else {
            return;
        };
        let Some(lesson) = self
            .lessons
            .open
            .as_deref()
            .and_then(|id| catalog.lesson(id))
        else {
            return;
        };
        let n = n.min(lesson.steps.len().saturating_sub(1));
        let p = &mut self.lessons;
        p.step = n;
        p.progress.steps.insert(lesson.id.clone(), n);
        p.save();
        self.do_step();
    }

    /// Does the current step's actions again.
    pub fn do_step(&mut self) {
        let Ok(catalog) = self.lessons.catalog() else {
            return;
        };
        let Some(lesson) = self
            .lessons
            .open
            .as_deref()
            .and_then(|id| catalog.lesson(id))
        else {
            return;
        };
        let Some(step) = lesson.steps.get(self.lessons.step) else {
            return;
        };
        let p = &mut self.lessons;
        p.pointer = None;
        p.trouble = None;
        p.goal = None;
        p.pending = step.actions.iter().cloned().collect();
        self.drive_lesson();
    }

    /// Does pending step actions until one has to wait for the guest, and
    /// moves the guest towards the goal it is being run to. Called after
    /// every poll; never waits.
    pub fn drive_lesson(&mut self) {
        if let Some(goal) = self.lessons.goal.clone() {
            if !self.towards(&goal) {
                return;
            }
            self.lessons.goal = None;
        }
        while let Some(action) = self.lessons.pending.pop_front() {
            self.perform(action);
            if self.lessons.goal.is_some() {
                // Start moving now; the rest waits for the goal.
                if let Some(goal) = self.lessons.goal.clone()
                    && self.towards(&goal)
                {
                    self.lessons.goal = None;
                    continue;
                }
                return;
            }
        }
        self.poll_check();
    }

    /// One move towards `goal`; true once it is reached (or cannot be).
    fn towards(&mut self, goal: &Goal) -> bool {
        match &self.state {
            RunState::Running => return false,
            RunState::Idle | RunState::Exited(_) => {
                if *goal != Goal::End {
                    self.lessons.trouble =
                        Some(format!("the guest ended before {}", goal_words(goal)));
                }
                return true;
            }
            RunState::Stopped => {}
        }
        let reason = self.snapshot.as_ref().map(|s| &s.reason);
        let reached = match (goal, reason) {
            (Goal::Entry(want), Some(StopReason::SyscallEntry { name, .. })) => {
                want.as_deref().is_none_or(|w| w == *name)
            }
            (Goal::Exit(want), Some(StopReason::SyscallExit { record, .. })) => {
                want.as_deref().is_none_or(|w| w == record.name)
            }
            _ => false,
        };
        if reached {
            return true;
        }
        let command = match goal {
            Goal::End => Command::Continue,
            _ => Command::NextSyscall,
        };
        self.resume(command);
        false
    }

    /// Does one step action.
    fn perform(&mut self, action: Action) {
        let Ok(catalog) = self.lessons.catalog() else {
            return;
        };
        let lesson = self
            .lessons
            .open
            .as_deref()
            .and_then(|id| catalog.lesson(id))
            .cloned();
        match action {
            Action::Open(path) => {
                let config = self.lessons.config.clone();
                self.open_with(&catalog.root.join(path), config);
            }
            Action::OpenExercise(id) => {
                if let Some(lesson) = &lesson {
                    self.open_exercise(&catalog, lesson, &id);
                }
            }
            Action::Set { field, value } => set_field(self.lesson_config(), &field, &value),
            Action::ResetConfig => self.lessons.config = Some(RunConfig::default()),
            Action::Grant { folder, guest } => {
                if let Some(lesson) = &lesson {
                    match self.lessons.workspace.copy_folder(lesson, &folder) {
                        Ok(copy) => set_field(
                            self.lesson_config(),
                            "dirs",
                            &format!("{}::{guest}", copy.display()),
                        ),
                        Err(e) => self.lessons.trouble = Some(e),
                    }
                }
            }
            Action::RunTo(goal) => self.lessons.goal = Some(goal),
            Action::SelectLast(name) => {
                let seq = {
                    let ring = self.records.lock().unwrap_or_else(|e| e.into_inner());
                    ring.records()
                        .iter()
                        .rev()
                        .find(|r| r.name == name)
                        .map(|r| r.seq)
                };
                match seq {
                    Some(seq) => {
                        self.select_syscall(seq);
                        self.focus = Some(Tab::Syscalls);
                    }
                    None => self.lessons.trouble = Some(format!("no {name} call to select yet")),
                }
            }
            Action::Show { tab, note } => {
                self.focus = Some(tab);
                self.lessons.pointer = Some((tab, note));
            }
            Action::Predict(on) => self.predict.enabled = on,
        }
    }

    /// The Run configuration the lesson is setting, from the current one
    /// when its first step to set anything does not reset it.
    fn lesson_config(&mut self) -> &mut RunConfig {
        let current = &self.config;
        self.lessons.config.get_or_insert_with(|| current.clone())
    }

    /// Opens `path` with `config` as its Run configuration (what it had
    /// last time when `None`).
    fn open_with(&mut self, path: &Path, config: Option<RunConfig>) {
        if let Some(config) = config {
            self.files.entry(path.to_path_buf()).or_default().config = config;
        }
        self.open(path);
    }

    /// Opens the learner's copy of exercise `id` (made from its starter the
    /// first time): a program in the Source panel, or a configuration or
    /// policy here, with its program in Source.
    pub fn open_exercise(&mut self, catalog: &Catalog, lesson: &Lesson, id: &str) {
        let Some(ex) = lesson.exercise(id) else {
            return;
        };
        let path = match self.lessons.workspace.ensure_copy(lesson, ex) {
            Ok(p) => p,
            Err(e) => {
                self.lessons.trouble = Some(e);
                return;
            }
        };
        let folder = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let role = ex.role();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        match role {
            Role::Program => {
                self.open_with(&path, Some(run_config_in(&ex.run, &folder)));
            }
            Role::Config => {
                let config = toml::from_str::<RunConfig>(&text)
                    .map(|c| run_config_in(&c, &folder))
                    .unwrap_or_default();
                if let Some(program) = &ex.program {
                    self.open_with(&catalog.root.join(program), Some(config));
                }
            }
            Role::Policy => {
                let mut config = run_config_in(&ex.run, &folder);
                config.policy = path.display().to_string();
                if let Some(program) = &ex.program {
                    self.open_with(&catalog.root.join(program), Some(config));
                }
            }
        }
        self.lessons.working = Some(Working {
            lesson: lesson.id.clone(),
            id: ex.id.clone(),
            path,
            role,
            text,
        });
    }

    /// Saves the learner's work on the exercise being worked on and starts
    /// its check on a thread of its own (see [`LessonsPanel::checking`]).
    pub fn check_exercise(&mut self) {
        let Ok(catalog) = self.lessons.catalog() else {
            return;
        };
        let Some(w) = self.lessons.working.clone() else {
            return;
        };
        let saved = match w.role {
            Role::Program if self.doc.path.as_ref() == Some(&w.path) && self.doc.is_unsaved() => {
                self.doc.save(None).map(|_| ())
            }
            Role::Program => Ok(()),
            Role::Config | Role::Policy => std::fs::write(&w.path, &w.text)
                .map_err(|e| format!("cannot save {}: {e}", w.path.display())),
        };
        if let Err(e) = saved {
            self.lessons.trouble = Some(e);
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let id = w.id.clone();
        let path = w.path.clone();
        std::thread::spawn(move || {
            let verdict = match catalog.exercise(&id) {
                Some((lesson, ex)) => catalog.check(lesson, ex, &path),
                None => Verdict {
                    problems: vec![format!("no exercise {id}")],
                    ran: None,
                },
            };
            let _ = tx.send(verdict);
        });
        self.lessons.checking = Some((w.id, rx));
    }

    /// Takes a finished check's verdict, if there is one.
    fn poll_check(&mut self) {
        let Some((id, rx)) = &self.lessons.checking else {
            return;
        };
        let verdict = match rx.try_recv() {
            Ok(v) => v,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Verdict {
                problems: vec!["the check stopped without a verdict".into()],
                ran: None,
            },
        };
        let id = id.clone();
        self.lessons.checking = None;
        if verdict.passed() {
            self.lessons.progress.passed.insert(id.clone());
        } else {
            self.lessons.progress.passed.remove(&id);
        }
        self.lessons.verdicts.insert(id, verdict);
        self.lessons.save();
    }

    /// Waits (for tests) until a check finishes.
    pub fn settle_check(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.lessons.checking.is_some() {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
            self.poll_check();
        }
        true
    }

    /// Puts the learner's copy back to the starter.
    fn start_over(&mut self, catalog: &Catalog, lesson: &Lesson, ex: &Exercise) {
        match self.lessons.workspace.reset_copy(lesson, ex) {
            Ok(_) => {
                self.lessons.verdicts.remove(&ex.id);
                self.open_exercise(catalog, lesson, &ex.id);
            }
            Err(e) => self.lessons.trouble = Some(e),
        }
    }
}

/// A Run configuration with its relative HOST paths made absolute from `base`.
fn run_config_in(config: &RunConfig, base: &Path) -> RunConfig {
    let mut c = config.clone();
    c.dirs = config
        .dirs
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let g = wasmhole_runtime::DirGrant::parse(line);
            let host = if g.host.is_absolute() {
                g.host
            } else {
                base.join(g.host)
            };
            format!("{}::{}\n", host.display(), g.guest)
        })
        .collect();
    c
}

/// Sets a Run configuration field; `env` and `dirs` gain a line.
fn set_field(config: &mut RunConfig, field: &str, value: &str) {
    let add_line = |to: &mut String| {
        if to.lines().any(|l| l.trim() == value.trim()) {
            return;
        }
        if !to.is_empty() && !to.ends_with('\n') {
            to.push('\n');
        }
        to.push_str(value);
        to.push('\n');
    };
    match field {
        "abi" => config.abi = value.into(),
        "args" => config.args = value.into(),
        "env" => add_line(&mut config.env),
        "dirs" => add_line(&mut config.dirs),
        "policy" => config.policy = value.into(),
        "allow_net" => config.allow_net = value.into(),
        "fuel" => config.fuel = value.into(),
        "max_memory" => config.max_memory = value.into(),
        "timeout" => config.timeout = value.into(),
        "max_output" => config.max_output = value.into(),
        "stdin" => config.stdin = value.into(),
        _ => {}
    }
}

/// Draws the panel.
pub fn ui(wb: &mut Workbench, ui: &mut egui::Ui) {
    let catalog = match wb.lessons.catalog() {
        Ok(c) => c,
        Err(e) => {
            ui.label(format!("No lessons: {e}"));
            return;
        }
    };
    if let Some(trouble) = &wb.lessons.trouble {
        ui.label(RichText::new(trouble).color(Color32::from_rgb(0xe0, 0x80, 0x40)));
    }
    let open = wb
        .lessons
        .open
        .clone()
        .and_then(|id| catalog.lesson(&id).cloned());
    match open {
        None => list(wb, ui, &catalog),
        Some(lesson) => lesson_view(wb, ui, &catalog, &lesson),
    }
}

fn list(wb: &mut Workbench, ui: &mut egui::Ui, catalog: &Catalog) {
    ui.heading("Lessons");
    ui.label("How WebAssembly guests talk to their host, in steps, each ending with an exercise wasmhole checks.");
    egui::ScrollArea::vertical()
        .id_salt("lesson-list")
        .show(ui, |ui| {
            for lesson in &catalog.lessons {
                let passed = lesson
                    .exercises
                    .iter()
                    .filter(|e| wb.lessons.progress.passed.contains(&e.id))
                    .count();
                ui.horizontal(|ui| {
                    let title = format!("{}. {}", lesson.number, lesson.title);
                    if ui.button(title).clicked() {
                        wb.open_lesson(&lesson.id);
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

fn lesson_view(wb: &mut Workbench, ui: &mut egui::Ui, catalog: &Catalog, lesson: &Lesson) {
    let step_count = lesson.steps.len();
    let n = wb.lessons.step.min(step_count.saturating_sub(1));
    ui.horizontal(|ui| {
        if ui.button("All lessons").clicked() {
            wb.lessons.open = None;
        }
        ui.label(RichText::new(format!("{}. {}", lesson.number, lesson.title)).strong());
    });
    ui.horizontal(|ui| {
        if ui.add_enabled(n > 0, egui::Button::new("Back")).clicked() {
            wb.go_to_step(n - 1);
        }
        ui.label(format!("Step {} of {step_count}", n + 1));
        if ui
            .add_enabled(n + 1 < step_count, egui::Button::new("Next"))
            .clicked()
        {
            wb.go_to_step(n + 1);
        }
        if !lesson.steps[n].actions.is_empty() && ui.button("Do this step").clicked() {
            wb.do_step();
        }
    });
    let step = &lesson.steps[n];
    if !step.actions.is_empty() {
        let words: Vec<String> = step.actions.iter().map(action_words).collect();
        ui.label(
            RichText::new(format!("This step {}.", words.join(", ")))
                .weak()
                .italics(),
        );
    }
    if let Some(goal) = &wb.lessons.goal {
        ui.label(RichText::new(format!("Running to {}…", goal_words(goal))).italics());
    }
    if let Some((tab, note)) = wb.lessons.pointer.clone() {
        egui::Frame::new()
            .fill(ui.visuals().selection.bg_fill.gamma_multiply(0.35))
            .inner_margin(6.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    let text = if note.is_empty() {
                        format!("Look at the {} panel.", tab.title())
                    } else {
                        format!("Look at the {} panel: {note}", tab.title())
                    };
                    ui.label(RichText::new(text).strong());
                    if ui.button(format!("Show {}", tab.title())).clicked() {
                        wb.focus = Some(tab);
                    }
                });
            });
    }
    working_bar(wb, ui, catalog, lesson);
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("lesson-text")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let text = format!("## {}\n\n{}", step.title, step.text);
            CommonMarkViewer::new().show(ui, &mut wb.lessons.markdown, &text);
            ui.separator();
            exercises(wb, ui, catalog, lesson);
        });
}

/// The exercise being worked on: its copy (edited here when it is a
/// configuration or a policy), Check, Start over and the verdict. Drawn
/// above the lesson's text so it stays in view.
fn working_bar(wb: &mut Workbench, ui: &mut egui::Ui, catalog: &Catalog, lesson: &Lesson) {
    let Some(ex) = wb
        .lessons
        .working
        .as_ref()
        .filter(|w| w.lesson == lesson.id)
        .and_then(|w| lesson.exercise(&w.id))
    else {
        return;
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(RichText::new(format!("Exercise: {}", ex.title)).strong());
        if let Some(w) = &mut wb.lessons.working
            && w.role != Role::Program
        {
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
        } else if let Some(w) = &wb.lessons.working {
            ui.label(
                RichText::new(format!(
                    "Your copy is in the Source panel: {}",
                    w.path.display()
                ))
                .small()
                .weak(),
            );
        }
        ui.horizontal(|ui| {
            let busy = wb.lessons.checking();
            if ui
                .add_enabled(!busy, egui::Button::new("Check"))
                .on_hover_text("Save your copy and run the exercise's check on it")
                .clicked()
            {
                wb.check_exercise();
            }
            if ui
                .button("Start over")
                .on_hover_text("Replace your copy with the starter")
                .clicked()
            {
                wb.start_over(catalog, lesson, ex);
            }
            if busy {
                ui.spinner();
                ui.label("checking…");
            }
        });
        if let Some(v) = wb.lessons.verdicts.get(&ex.id) {
            verdict(ui, v);
        }
    });
}

fn exercises(wb: &mut Workbench, ui: &mut egui::Ui, catalog: &Catalog, lesson: &Lesson) {
    ui.heading("Exercises");
    for ex in &lesson.exercises {
        let passed = wb.lessons.progress.passed.contains(&ex.id);
        let working = wb.lessons.working.as_ref().is_some_and(|w| w.id == ex.id);
        ui.horizontal(|ui| {
            let mark = if passed { "✔ " } else { "" };
            ui.label(RichText::new(format!("{mark}{}", ex.title)).strong());
            ui.label(RichText::new(format!("({})", ex.id)).weak());
        });
        ui.label(&ex.task);
        if working {
            ui.label(RichText::new("Open: check it above.").italics());
        } else if ui.button(format!("Open: {}", ex.title)).clicked() {
            wb.open_exercise(catalog, lesson, &ex.id);
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
