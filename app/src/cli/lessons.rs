//! `wasmhole lessons`: the lessons and their exercises with the learner's
//! status (or as JSON for scripts), `lessons start ID` to get a copy of an
//! exercise's starter, and `lessons check ID [FILE]` to run an exercise's
//! check on a file, exiting 0 only when it passes.

use crate::lessons::{Catalog, Exercise, Lesson, Workspace};
use clap::{Args, Subcommand};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `wasmhole lessons`.
#[derive(Args, Debug)]
pub struct LessonsArgs {
    /// Print the list as JSON: each lesson's id, title and exercises, each
    /// exercise's id, title, starter and status.
    #[arg(long)]
    pub json: bool,
    /// What to do; with none, list the lessons.
    #[command(subcommand)]
    pub action: Option<LessonsAction>,
}

/// What `wasmhole lessons` can do besides listing.
#[derive(Subcommand, Debug)]
pub enum LessonsAction {
    /// Run an exercise's check on a file (default: your copy); exit 0 only if it passes.
    Check {
        /// The exercise: its id, LESSON/ID, or a lesson with one exercise.
        id: String,
        /// The file to check.
        file: Option<PathBuf>,
    },
    /// Make your copy of an exercise's starter (if you have none) and print its path.
    Start {
        /// The exercise: its id, LESSON/ID, or a lesson with one exercise.
        id: String,
    },
}

/// An exercise's state for the learner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// No copy yet.
    NotStarted,
    /// The copy does not pass its check.
    InProgress,
    /// The copy passes.
    Passed,
}

impl Status {
    fn text(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::InProgress => "in progress",
            Status::Passed => "passed",
        }
    }
}

#[derive(Serialize)]
struct ExerciseItem {
    id: String,
    title: String,
    starter: PathBuf,
    copy: PathBuf,
    status: Status,
}

#[derive(Serialize)]
struct LessonItem {
    id: String,
    number: u32,
    title: String,
    steps: usize,
    exercises: Vec<ExerciseItem>,
}

/// Runs the command.
pub fn main(args: LessonsArgs) -> ExitCode {
    let catalog = match Catalog::find() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let workspace = Workspace::user();
    match args.action {
        None => list(&catalog, &workspace, args.json),
        Some(LessonsAction::Check { id, file }) => check(&catalog, &workspace, &id, file),
        Some(LessonsAction::Start { id }) => start(&catalog, &workspace, &id),
    }
}

/// The learner's status on an exercise: its copy is checked now.
pub fn status(catalog: &Catalog, ws: &Workspace, lesson: &Lesson, ex: &Exercise) -> Status {
    let copy = ws.copy_path(lesson, ex);
    if !copy.exists() {
        return Status::NotStarted;
    }
    if catalog.check(lesson, ex, &copy).passed() {
        Status::Passed
    } else {
        Status::InProgress
    }
}

fn list(catalog: &Catalog, ws: &Workspace, json: bool) -> ExitCode {
    let items: Vec<LessonItem> = catalog
        .lessons
        .iter()
        .map(|l| LessonItem {
            id: l.id.clone(),
            number: l.number,
            title: l.title.clone(),
            steps: l.steps.len(),
            exercises: l
                .exercises
                .iter()
                .map(|e| ExerciseItem {
                    id: e.id.clone(),
                    title: e.title.clone(),
                    starter: l.dir.join(&e.starter),
                    copy: ws.copy_path(l, e),
                    status: status(catalog, ws, l, e),
                })
                .collect(),
        })
        .collect();
    if json {
        match serde_json::to_string_pretty(&items) {
            Ok(text) => show(&format!("{text}\n")),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
        return ExitCode::SUCCESS;
    }
    let mut text = String::new();
    for l in &items {
        text += &format!("{:>2}. {} ({})\n", l.number, l.title, l.id);
        for e in &l.exercises {
            text += &format!("      {:<12} {}: {}\n", e.status.text(), e.id, e.title);
        }
    }
    text += "\nwasmhole lessons start ID   copies an exercise's starter for you to edit\n";
    text += "wasmhole lessons check ID   checks your copy (or a FILE you name)\n";
    show(&text);
    ExitCode::SUCCESS
}

/// Prints `text` to standard output. A reader that stops early (`| head`)
/// ends the listing quietly, as it ends `ls`; other failures are said.
fn show(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: writing the list: {e}");
    }
}

fn find<'c>(catalog: &'c Catalog, id: &str) -> Result<(&'c Lesson, &'c Exercise), ExitCode> {
    catalog.exercise(id).ok_or_else(|| {
        eprintln!("error: no exercise `{id}` (wasmhole lessons lists them)");
        ExitCode::from(2)
    })
}

fn start(catalog: &Catalog, ws: &Workspace, id: &str) -> ExitCode {
    let (lesson, ex) = match find(catalog, id) {
        Ok(found) => found,
        Err(code) => return code,
    };
    match ws.ensure_copy(lesson, ex) {
        Ok(path) => {
            println!("{}", path.display());
            eprintln!("{}: {}", ex.title, ex.task);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn check(catalog: &Catalog, ws: &Workspace, id: &str, file: Option<PathBuf>) -> ExitCode {
    let (lesson, ex) = match find(catalog, id) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let own_copy = file.is_none();
    let path = file.unwrap_or_else(|| ws.copy_path(lesson, ex));
    if own_copy && !path.exists() {
        eprintln!(
            "error: you have not started {} yet: `wasmhole lessons start {}` makes your copy",
            ex.id, ex.id
        );
        return ExitCode::from(2);
    }
    let verdict = catalog.check(lesson, ex, &path);
    if own_copy && let Err(e) = ws.record_check(&ex.id, verdict.passed()) {
        eprintln!("warning: {e}");
    }
    if verdict.passed() {
        println!("passed: {} ({})", ex.id, path.display());
        return ExitCode::SUCCESS;
    }
    println!("not yet: {} ({})", ex.id, path.display());
    for p in &verdict.problems {
        println!("  - {p}");
    }
    ExitCode::from(1)
}
