//! Lessons: short Markdown texts in steps, each ending with exercises that
//! wasmhole checks itself. `format` reads a lesson folder, `check` runs a
//! learner's file and says what is wrong, `workspace` keeps the learner's
//! copies and progress. The workbench's Lessons panel and `wasmhole
//! lessons` both sit on this.

pub mod check;
pub mod format;
pub mod workspace;

pub use check::{Verdict, check};
pub use format::{Action, Exercise, Goal, Lesson, Role, Step};
pub use workspace::{Progress, Workspace};

use std::path::{Path, PathBuf};

/// Every lesson, in order, and where they were found.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// The repository's root, where paths in lessons start.
    pub root: PathBuf,
    /// The lessons, in order.
    pub lessons: Vec<Lesson>,
}

/// The repository's `lessons` folder: in the current folder, in the
/// repository the binary was built from, or beside the executable.
pub fn folder() -> Option<PathBuf> {
    let mut candidates = vec![
        PathBuf::from("lessons"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons"),
    ];
    if let Ok(exe) = std::env::current_exe() {
        candidates.extend(exe.ancestors().skip(1).map(|a| a.join("lessons")));
    }
    candidates
        .into_iter()
        .find(|p| p.join("README.md").is_file())
}

impl Catalog {
    /// Reads every lesson folder (`NN-id`) in `dir`, in order.
    pub fn load(dir: &Path) -> Result<Catalog, String> {
        let dir = &dir
            .canonicalize()
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("lesson.md").is_file())
            .collect();
        folders.sort();
        let lessons = folders
            .iter()
            .map(|f| Lesson::load(f))
            .collect::<Result<Vec<_>, _>>()?;
        let root = dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let catalog = Catalog { root, lessons };
        catalog.validate()?;
        Ok(catalog)
    }

    /// The repository's lessons, if its folder is found.
    pub fn find() -> Result<Catalog, String> {
        let dir = folder().ok_or("no lessons folder found (run from the repository)")?;
        Catalog::load(&dir)
    }

    /// Checks what the lessons refer to: unique ids, starters and programs
    /// that exist, exercises that `open exercise` names.
    fn validate(&self) -> Result<(), String> {
        let mut ids = std::collections::HashSet::new();
        for lesson in &self.lessons {
            if !ids.insert(lesson.id.clone()) {
                return Err(format!("two lessons are called {}", lesson.id));
            }
            for ex in &lesson.exercises {
                if !ids.insert(ex.id.clone()) {
                    return Err(format!("the id {} is used twice", ex.id));
                }
                if !lesson.dir.join(&ex.starter).is_file() {
                    return Err(format!(
                        "{}: no starter {}",
                        lesson.id,
                        ex.starter.display()
                    ));
                }
                if let Some(p) = &ex.program
                    && !self.root.join(p).is_file()
                {
                    return Err(format!("{}: no program {}", ex.id, p.display()));
                }
                if ex.role() != Role::Program && ex.program.is_none() {
                    return Err(format!("{}: which program does it configure?", ex.id));
                }
            }
            for step in &lesson.steps {
                for action in &step.actions {
                    match action {
                        Action::Open(p) if !self.root.join(p).is_file() => {
                            return Err(format!(
                                "{}: `open {}`: no such file",
                                lesson.id,
                                p.display()
                            ));
                        }
                        Action::Grant { folder, .. } if !lesson.dir.join(folder).is_dir() => {
                            return Err(format!(
                                "{}: `grant {}`: no such folder",
                                lesson.id,
                                folder.display()
                            ));
                        }
                        Action::OpenExercise(id) if lesson.exercise(id).is_none() => {
                            return Err(format!(
                                "{}: `open exercise {id}`: no such exercise",
                                lesson.id
                            ));
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// A lesson by id.
    pub fn lesson(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }

    /// An exercise by `ID`, `LESSON/ID`, or the id of a lesson with one
    /// exercise.
    pub fn exercise(&self, id: &str) -> Option<(&Lesson, &Exercise)> {
        if let Some((lesson, ex)) = id.split_once('/') {
            let l = self.lesson(lesson)?;
            return l.exercise(ex).map(|e| (l, e));
        }
        for l in &self.lessons {
            if let Some(e) = l.exercise(id) {
                return Some((l, e));
            }
        }
        match self.lesson(id) {
            Some(l) if l.exercises.len() == 1 => Some((l, &l.exercises[0])),
            _ => None,
        }
    }

    /// Checks `file` against exercise `ex` of `lesson`.
    pub fn check(&self, lesson: &Lesson, ex: &Exercise, file: &Path) -> Verdict {
        check::check(ex, &lesson.dir, &self.root, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons")).unwrap()
    }

    #[test]
    fn the_repository_lessons_load_in_order_with_an_exercise_each() {
        let c = catalog();
        assert!(c.lessons.len() >= 12, "{} lessons", c.lessons.len());
        for pair in c.lessons.windows(2) {
            assert!(pair[0].number < pair[1].number);
        }
        for l in &c.lessons {
            assert!(!l.exercises.is_empty(), "{} has no exercise", l.id);
            assert!(l.steps.len() >= 2, "{} has too few steps", l.id);
        }
    }

    #[test]
    fn exercises_are_found_by_id_lesson_slash_id_or_lesson() {
        let c = catalog();
        let (lesson, ex) = c.exercise(&c.lessons[0].exercises[0].id).unwrap();
        assert_eq!(lesson.id, c.lessons[0].id);
        let both = format!("{}/{}", lesson.id, ex.id);
        assert_eq!(c.exercise(&both).unwrap().1.id, ex.id);
        assert!(c.exercise("no-such-exercise").is_none());
    }
}
