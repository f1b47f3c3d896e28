//! The learner's own folder (under the user's data folder, e.g.
//! `~/.local/share/wasmhole/lessons`): a copy of each exercise's starter,
//! made the first time it is opened and never made again (the repository's
//! starter is never touched), the exercise's data folders beside it, and
//! `progress.json`, what the learner has done: the step each lesson is at,
//! exercises passed, predictions scored.

use super::format::{Exercise, Lesson};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What the learner has done, remembered between runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    /// The lesson open last.
    pub current: Option<String>,
    /// The step each lesson was left at.
    pub steps: BTreeMap<String, usize>,
    /// Exercises whose check passed, by id.
    pub passed: BTreeSet<String>,
    /// Predictions made and how many were right.
    pub predictions: (u32, u32),
}

/// The learner's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    /// Where it is.
    pub dir: PathBuf,
}

impl Workspace {
    /// The learner's folder under the user's data folder (`$XDG_DATA_HOME`,
    /// else `~/.local/share`), or under the system's temporary folder when
    /// there is no home.
    pub fn user() -> Workspace {
        let base = dirs::data_dir().unwrap_or_else(std::env::temp_dir);
        Workspace::at(base.join("wasmhole").join("lessons"))
    }

    /// A folder chosen by the caller (tests use a temporary one).
    pub fn at(dir: impl Into<PathBuf>) -> Workspace {
        Workspace { dir: dir.into() }
    }

    /// Where the learner's copy of an exercise lives (whether or not it
    /// exists yet).
    pub fn copy_path(&self, lesson: &Lesson, ex: &Exercise) -> PathBuf {
        self.dir.join(&lesson.id).join(ex.file_name())
    }

    /// The learner's copy of an exercise, made from its starter (with the
    /// exercise's data folders beside it) if it does not exist yet.
    pub fn ensure_copy(&self, lesson: &Lesson, ex: &Exercise) -> Result<PathBuf, String> {
        let path = self.copy_path(lesson, ex);
        if path.exists() {
            return Ok(path);
        }
        let folder = self.dir.join(&lesson.id);
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("cannot make {}: {e}", folder.display()))?;
        std::fs::copy(lesson.dir.join(&ex.starter), &path)
            .map_err(|e| format!("cannot copy the starter to {}: {e}", path.display()))?;
        for data in &ex.data {
            let target = folder.join(data);
            if !target.exists() {
                copy_tree(&lesson.dir.join(data), &target)
                    .map_err(|e| format!("cannot copy {}: {e}", data.display()))?;
            }
        }
        Ok(path)
    }

    /// The learner's copy of one of a lesson's folders (made the first
    /// time), as an absolute path.
    pub fn copy_folder(&self, lesson: &Lesson, folder: &Path) -> Result<PathBuf, String> {
        let target = self.dir.join(&lesson.id).join(folder);
        if !target.exists() {
            copy_tree(&lesson.dir.join(folder), &target)
                .map_err(|e| format!("cannot copy {}: {e}", folder.display()))?;
        }
        Ok(std::path::absolute(&target).unwrap_or(target))
    }

    /// Where the learner's own copy of a file from the repository's samples
    /// or lessons goes (`copies/samples/wasi/hello.wat`), so that their
    /// edits never overwrite the original; `None` for any other file.
    pub fn copy_of_repository_file(&self, path: &Path) -> Option<PathBuf> {
        let path = path.canonicalize().ok()?;
        let roots = [crate::model::samples::folder(), super::folder()];
        for root in roots.into_iter().flatten() {
            let Ok(root) = root.canonicalize() else {
                continue;
            };
            if let (Ok(rest), Some(name)) = (path.strip_prefix(&root), root.file_name()) {
                return Some(self.dir.join("copies").join(name).join(rest));
            }
        }
        let sdk = crate::model::samples::sdk_folder()?.canonicalize().ok()?;
        let rest = path.strip_prefix(&sdk).ok()?;
        Some(self.dir.join("copies").join("sdk").join(rest))
    }

    /// Replaces the learner's copy with the starter again.
    pub fn reset_copy(&self, lesson: &Lesson, ex: &Exercise) -> Result<PathBuf, String> {
        let path = self.copy_path(lesson, ex);
        if path.exists() {
            std::fs::remove_file(&path)
                .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
        self.ensure_copy(lesson, ex)
    }

    fn progress_path(&self) -> PathBuf {
        self.dir.join("progress.json")
    }

    /// What the learner has done (nothing, if nothing was saved or the
    /// file cannot be read).
    pub fn load_progress(&self) -> Progress {
        std::fs::read_to_string(self.progress_path())
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Saves what the learner has done (written to a new file, then renamed
    /// over the old one, so a crash never leaves half a file).
    pub fn save_progress(&self, progress: &Progress) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot make {}: {e}", self.dir.display()))?;
        let text = serde_json::to_string_pretty(progress).map_err(|e| e.to_string())?;
        let tmp = self.dir.join("progress.json.new");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, self.progress_path()))
            .map_err(|e| format!("cannot save progress in {}: {e}", self.dir.display()))
    }

    /// Records the result of a check of the learner's copy.
    pub fn record_check(&self, exercise: &str, passed: bool) -> Result<(), String> {
        let mut progress = self.load_progress();
        if passed {
            progress.passed.insert(exercise.to_string());
        } else {
            progress.passed.remove(exercise);
        }
        self.save_progress(&progress)
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_survives_a_save_and_a_bad_file_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::at(dir.path().join("lessons"));
        assert_eq!(ws.load_progress(), Progress::default());
        let mut p = Progress {
            current: Some("first-syscall".into()),
            ..Progress::default()
        };
        p.steps.insert("first-syscall".into(), 2);
        p.passed.insert("stdout-not-stderr".into());
        ws.save_progress(&p).unwrap();
        assert_eq!(ws.load_progress(), p);
        ws.record_check("stdout-not-stderr", false).unwrap();
        assert!(ws.load_progress().passed.is_empty());
        std::fs::write(dir.path().join("lessons/progress.json"), "{oops").unwrap();
        assert_eq!(ws.load_progress(), Progress::default());
    }
}
