//! The workbench's lesson actions: opening a lesson and going to a step,
//! doing a step's actions (waiting for the guest where they run it to a
//! goal), opening an exercise's copy (a configuration exercise's copy
//! becomes the Run configuration), checking it on a thread of its own, and
//! starting it over.

use super::{ConfigFrom, Workbench};
use crate::lessons::{Action, Catalog, Exercise, Goal, Lesson, Role, Verdict};
use crate::model::lessons::{Working, goal_words};
use crate::model::panel::Panel;
use crate::model::run::RunState;
use crate::model::run_config::RunConfig;
use std::path::Path;
use std::sync::mpsc::TryRecvError;
use std::time::{Duration, Instant};
use wasmhole_runtime::debug::{Command, StopReason};

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
        let Some(lesson) = self.lessons.open_lesson() else {
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
        let Some(lesson) = self.lessons.open_lesson() else {
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
        match self.state() {
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
        let reason = self.run().snapshot.as_ref().map(|s| &s.reason);
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
        let lesson = self.lessons.open_lesson();
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
            Action::Set { field, value } => {
                set_field(self.lesson_config(), &field, &value);
                self.follow_lesson_config();
            }
            Action::ResetConfig => {
                self.lessons.config = Some(RunConfig::default());
                self.follow_lesson_config();
            }
            Action::Grant { folder, guest } => {
                if let Some(lesson) = &lesson {
                    match self.lessons.workspace.copy_folder(lesson, &folder) {
                        Ok(copy) => {
                            set_field(
                                self.lesson_config(),
                                "dirs",
                                &format!("{}::{guest}", copy.display()),
                            );
                            self.follow_lesson_config();
                        }
                        Err(e) => self.lessons.trouble = Some(e),
                    }
                }
            }
            Action::RunTo(goal) => self.lessons.goal = Some(goal),
            Action::SelectLast(name) => {
                let made = self.run().calls_made();
                let seq = self
                    .run()
                    .ring()
                    .records()
                    .iter()
                    .rev()
                    .filter(|r| r.seq <= made)
                    .find(|r| r.name == name)
                    .map(|r| r.seq);
                match seq {
                    Some(seq) => {
                        self.select_syscall(seq);
                        self.focus = Some(Panel::Syscalls);
                    }
                    None => self.lessons.trouble = Some(format!("no {name} call to select yet")),
                }
            }
            Action::Show { panel, note } => {
                self.focus = Some(panel);
                self.lessons.pointer = Some((panel, note));
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

    /// Shows what the lesson has set in the Run configuration at once:
    /// there is one configuration, the one the workbench runs.
    fn follow_lesson_config(&mut self) {
        if let Some(config) = &self.lessons.config {
            self.config = config.clone();
        }
    }

    /// Opens `path` with `config` as its Run configuration (what it had
    /// last time when `None`), remembered for the file.
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
                self.open_with(&path, Some(ex.run.resolved_in(&folder)));
            }
            Role::Config => {
                // The learner's copy is the Run configuration: what the
                // panel shows is what runs and what the check reads.
                let config = match toml::from_str::<RunConfig>(&text) {
                    Ok(c) => c,
                    Err(e) => {
                        self.lessons.trouble = Some(format!(
                            "your configuration {} cannot be read: {e}",
                            path.display()
                        ));
                        RunConfig::default()
                    }
                };
                if let Some(program) = &ex.program {
                    self.open_given(
                        &catalog.root.join(program),
                        config,
                        ConfigFrom::Exercise(path.clone()),
                    );
                    self.focus = Some(Panel::Configuration);
                }
            }
            Role::Policy => {
                let mut config = ex.run.resolved_in(&folder);
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

    /// Opens the learner's copy of exercise `id` of the open lesson.
    pub fn open_exercise_of_open_lesson(&mut self, id: &str) {
        let (Ok(catalog), Some(lesson)) = (self.lessons.catalog(), self.lessons.open_lesson())
        else {
            return;
        };
        self.open_exercise(&catalog, &lesson, id);
    }

    /// Puts the copy of exercise `id` back to its starter and opens it.
    pub fn start_over_exercise(&mut self, id: &str) {
        let Ok(catalog) = self.lessons.catalog() else {
            return;
        };
        if let Some((lesson, ex)) = catalog.exercise(id) {
            let (lesson, ex) = (lesson.clone(), ex.clone());
            self.start_over(&catalog, &lesson, &ex);
        }
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
            Role::Config if self.config_from == ConfigFrom::Exercise(w.path.clone()) => {
                std::fs::write(&w.path, self.config.to_toml())
                    .map_err(|e| format!("cannot save {}: {e}", w.path.display()))
            }
            Role::Config => Err(format!(
                "the Run configuration is not your copy {} any more: open the exercise again",
                w.path.display()
            )),
            Role::Policy => std::fs::write(&w.path, &w.text)
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
    pub fn start_over(&mut self, catalog: &Catalog, lesson: &Lesson, ex: &Exercise) {
        match self.lessons.workspace.reset_copy(lesson, ex) {
            Ok(_) => {
                self.lessons.verdicts.remove(&ex.id);
                self.open_exercise(catalog, lesson, &ex.id);
            }
            Err(e) => self.lessons.trouble = Some(e),
        }
    }
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
