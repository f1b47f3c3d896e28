//! The Samples menu: every `.wat` under `samples/` (found next to the
//! current folder or the executable), each with the one-line description
//! from its opening comment.

use std::path::{Path, PathBuf};

/// One sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Folder and file, e.g. `wasi/hello.wat`.
    pub label: String,
    /// What it teaches, in a line.
    pub description: String,
    /// Its path.
    pub path: PathBuf,
}

/// The samples folder: in the current folder, in the repository the
/// binary was built from, or beside the executable.
pub fn folder() -> Option<PathBuf> {
    let mut candidates = vec![
        PathBuf::from("samples"),
        // The repository this binary was built from.
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples"),
    ];
    if let Ok(exe) = std::env::current_exe() {
        candidates.extend(exe.ancestors().skip(1).map(|a| a.join("samples")));
    }
    candidates.into_iter().find(|p| p.join("wasi").is_dir())
}

/// The demo gopherhole's configuration, if the samples folder has it.
pub fn demo_gopherhole() -> Option<PathBuf> {
    folder()
        .map(|f| f.join("gopherhole/gopherd.toml"))
        .filter(|p| p.is_file())
}

/// The first comment line's description: `;; hello.wat: what it does.`
fn describe(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let first = text
        .lines()
        .find(|l| l.trim_start().starts_with(";;"))
        .unwrap_or("")
        .trim_start_matches([';', ' ']);
    match first.split_once(": ") {
        Some((_, rest)) => rest.to_string(),
        None => first.to_string(),
    }
}

/// Every sample under `root`, by folder then name.
pub fn list(root: &Path) -> Vec<Sample> {
    let mut out = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "wat" || e == "wasm"))
            .collect();
        files.sort();
        for path in files {
            let label = format!(
                "{}/{}",
                folder.file_name().unwrap_or_default().to_string_lossy(),
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            out.push(Sample {
                label,
                description: describe(&path),
                path,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_repository_samples_with_descriptions() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
        let samples = list(&root);
        let hello = samples
            .iter()
            .find(|s| s.label == "wasi/hello.wat")
            .expect("wasi/hello.wat is listed");
        assert_eq!(hello.description, "the smallest WASI program that prints.");
        assert!(samples.iter().any(|s| s.label.starts_with("dagger/")));
    }
}
