//! Choosing a file: the desktop's file dialog where there is one, and a
//! typed path (the window draws it) where there is none (no desktop portal and no
//! dialog program, as on a bare X server or over SSH), or when the person
//! prefers typing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a path is being asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A program or trace to open.
    Open,
    /// Where to save the source text.
    SaveAs,
    /// Where to write the trace, in this format.
    Export(super::export::Format),
    /// A gopherd configuration to serve in-process.
    Gopherhole,
    /// A folder of static files to serve in-process.
    GopherFolder,
    /// Where to save a binary item the Gopher panel fetched.
    SaveDownload,
    /// Where to write the run's recording.
    SaveRecording,
}

impl Purpose {
    /// The typed-path window's title.
    pub fn title(self) -> &'static str {
        match self {
            Purpose::Open => "Open a file",
            Purpose::SaveAs => "Save the source as",
            Purpose::Export(_) => "Export the trace to",
            Purpose::Gopherhole | Purpose::GopherFolder => "Open a gopherhole",
            Purpose::SaveDownload => "Save the item as",
            Purpose::SaveRecording => "Save the recording as",
        }
    }

    /// What a path for it looks like.
    pub fn hint(self) -> &'static str {
        match self {
            Purpose::Open => "path/to/program.wat, .wasm, trace.jsonl or a recording",
            Purpose::SaveAs => "path/to/program.wat",
            Purpose::Export(_) => "path/to/trace file",
            Purpose::Gopherhole => "path/to/gopherd.toml",
            Purpose::GopherFolder => "path/to/folder",
            Purpose::SaveDownload => "path/to/file",
            Purpose::SaveRecording => "path/to/run.recording.jsonl",
        }
    }

    /// The button that takes the path.
    pub fn action(self) -> &'static str {
        match self {
            Purpose::Open | Purpose::Gopherhole | Purpose::GopherFolder => "Open",
            Purpose::SaveAs | Purpose::SaveDownload | Purpose::SaveRecording => "Save",
            Purpose::Export(_) => "Export",
        }
    }
}

/// The typed-path window.
#[derive(Clone, Debug)]
pub struct PathPrompt {
    /// What the path is for.
    pub purpose: Purpose,
    /// The path being typed.
    pub text: String,
    /// Why the window is shown (no dialog available, …).
    pub note: Option<String>,
    /// What went wrong with the last path tried.
    pub error: Option<String>,
}

/// What the person did in the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Nothing yet.
    Pending,
    /// Closed it.
    Cancel,
    /// Chose this path.
    Chosen(PathBuf),
}

/// Whether a desktop file dialog can be shown: a session bus for the
/// desktop portal, or a dialog program rfd can fall back to.
pub fn dialogs_available() -> bool {
    let on_path = |program: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
    };
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() || on_path("zenity")
}

/// Shows the desktop's dialog for `purpose`, suggesting `name` when
/// saving.
pub fn dialog(purpose: Purpose, name: &str) -> Option<PathBuf> {
    let d = rfd::FileDialog::new();
    match purpose {
        Purpose::Open => d
            .add_filter("WebAssembly", &["wat", "wasm"])
            .add_filter("Syscall trace or recording (JSON lines)", &["jsonl"])
            .pick_file(),
        Purpose::Gopherhole => d.add_filter("gopherd configuration", &["toml"]).pick_file(),
        Purpose::GopherFolder => d.pick_folder(),
        Purpose::SaveAs => d
            .add_filter("WebAssembly text", &["wat"])
            .set_file_name(name)
            .save_file(),
        Purpose::Export(_) | Purpose::SaveDownload | Purpose::SaveRecording => {
            d.set_file_name(name).save_file()
        }
    }
}

/// A dialog answering "no file" faster than a person can is taken as no
/// dialog at all.
const TOO_FAST: Duration = Duration::from_millis(150);

/// What a desktop dialog gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogAnswer {
    /// The person chose this path.
    Chosen(PathBuf),
    /// The person closed the dialog.
    Cancelled,
    /// No dialog could be shown.
    Unavailable,
}

/// Runs a dialog.
pub fn run_dialog(dialog: impl FnOnce() -> Option<PathBuf>) -> DialogAnswer {
    let started = Instant::now();
    match dialog() {
        Some(p) => DialogAnswer::Chosen(p),
        None if started.elapsed() < TOO_FAST => DialogAnswer::Unavailable,
        None => DialogAnswer::Cancelled,
    }
}

/// A typed path: `~/` is the home folder, a relative path is from the
/// current folder.
pub fn resolve(text: &str) -> Option<PathBuf> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return Some(Path::new(&home).join(rest));
    }
    Some(PathBuf::from(text))
}

impl PathPrompt {
    /// A window asking for a path for `purpose`, starting from `text`.
    pub fn new(purpose: Purpose, text: impl Into<String>, note: Option<String>) -> PathPrompt {
        PathPrompt {
            purpose,
            text: text.into(),
            note,
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_paths_are_resolved() {
        assert_eq!(resolve("  "), None);
        assert_eq!(resolve("a/b.wat"), Some(PathBuf::from("a/b.wat")));
        if let Some(home) = std::env::var_os("HOME") {
            assert_eq!(resolve("~/x.wat"), Some(Path::new(&home).join("x.wat")));
        }
    }

    #[test]
    fn a_dialog_that_answers_at_once_is_no_dialog() {
        assert_eq!(run_dialog(|| None), DialogAnswer::Unavailable);
        assert_eq!(
            run_dialog(|| Some(PathBuf::from("x"))),
            DialogAnswer::Chosen(PathBuf::from("x"))
        );
        let slow = run_dialog(|| {
            std::thread::sleep(TOO_FAST * 2);
            None
        });
        assert_eq!(slow, DialogAnswer::Cancelled, "a person cancelled");
    }
}
