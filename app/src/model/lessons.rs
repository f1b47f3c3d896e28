//! Lessons in the workbench: the lesson open and its step, each step doing
//! what it says (opening a sample or an exercise, setting the Run
//! configuration, running to a syscall, pointing at a panel), and the
//! exercise being worked on: the learner's copy opened for editing (a
//! configuration exercise's copy is the Run configuration itself) and
//! checked, on a thread of its own, by the same check as `wasmhole lessons
//! check`. Progress is saved in the learner's folder after every change.

use super::panel::Panel;
use super::run_config::RunConfig;
use crate::lessons::{Action, Catalog, Goal, Lesson, Progress, Role, Verdict, Workspace};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

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

/// Lessons' state in the workbench.
pub struct Lessons {
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
    pub pointer: Option<(Panel, String)>,
    /// Actions of the step still to do (they wait while the guest runs to a goal).
    pub(crate) pending: VecDeque<Action>,
    /// Where the guest is being run to.
    pub goal: Option<Goal>,
    /// Why the last step could not be done, if it could not.
    pub trouble: Option<String>,
    /// The exercise being worked on.
    pub working: Option<Working>,
    /// The Run configuration the lesson's steps have set, given to each
    /// program the lesson opens (`None`: each file keeps its own).
    pub config: Option<RunConfig>,
    pub(crate) checking: Option<(String, Receiver<Verdict>)>,
    /// The last verdict of each exercise checked here.
    pub verdicts: HashMap<String, Verdict>,
}

impl Default for Lessons {
    fn default() -> Self {
        Lessons::new(None, Workspace::user())
    }
}

impl Lessons {
    /// A panel over `catalog` (found in the repository when `None`),
    /// keeping the learner's files in `workspace`.
    pub fn new(catalog: Option<Catalog>, workspace: Workspace) -> Lessons {
        Lessons {
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

    pub(crate) fn save(&mut self) {
        if let Err(e) = self.workspace.save_progress(&self.progress) {
            self.trouble = Some(e);
        }
    }

    /// Whether a step's actions are still being done (the guest is being
    /// run to a goal, or actions wait for it).
    pub fn busy(&self) -> bool {
        self.goal.is_some() || !self.pending.is_empty()
    }

    /// The lesson shown, if one is open.
    pub fn open_lesson(&mut self) -> Option<Lesson> {
        let catalog = self.catalog().ok()?;
        let id = self.open.clone()?;
        catalog.lesson(&id).cloned()
    }

    /// Whether a check is running.
    pub fn checking(&self) -> bool {
        self.checking.is_some()
    }
}

/// What an action does, in words, for the step's list.
pub fn action_words(action: &Action) -> String {
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
        Action::Show { panel, .. } => format!("shows {}", panel.title()),
        Action::Predict(on) => format!(
            "turns Predict, then step {}",
            if *on { "on" } else { "off" }
        ),
    }
}

pub fn goal_words(goal: &Goal) -> String {
    match goal {
        Goal::Entry(Some(c)) => format!("the entry of {c}"),
        Goal::Entry(None) => "the next syscall".into(),
        Goal::Exit(Some(c)) => format!("the exit of {c}"),
        Goal::Exit(None) => "the next syscall exit".into(),
        Goal::End => "the end".into(),
    }
}
