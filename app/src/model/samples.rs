//! The Samples menu: every `.wat` under `samples/`, every C sample's
//! `.wasm` under `sdk/samples/` and every Zig sample's under
//! `sdk/samples/zig/` (found next to the current folder or the executable),
//! each with the one-line description from the opening comment of its
//! source.

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

/// The C samples' folder, `sdk/samples` beside the samples folder.
pub fn sdk_folder() -> Option<PathBuf> {
    folder()
        .and_then(|f| f.parent().map(|p| p.join("sdk/samples")))
        .filter(|p| p.is_dir())
}

/// Every sample: the WAT ones, then the C ones (labelled
/// `c/ABI/NAME.wasm`), then the Zig ones (`zig/ABI/NAME.wasm`).
pub fn all() -> Vec<Sample> {
    let mut out = folder().map(|f| list(&f)).unwrap_or_default();
    if let Some(sdk) = sdk_folder() {
        for (language, root) in [("c", sdk.clone()), ("zig", sdk.join("zig"))] {
            out.extend(list(&root).into_iter().map(|s| Sample {
                label: format!("{language}/{}", s.label),
                ..s
            }));
        }
    }
    out
}

/// The demo gopherhole's configuration, if the samples folder has it.
pub fn demo_gopherhole() -> Option<PathBuf> {
    folder()
        .map(|f| f.join("gopherhole/gopherd.toml"))
        .filter(|p| p.is_file())
}

/// The first comment line's description: `;; hello.wat: what it does.`,
/// or for a binary built from C or Zig, its source's `/* hello.c: what it
/// does.` or `//! hello.zig: what it does.`
fn describe(path: &Path) -> String {
    let source = ["c", "zig"]
        .into_iter()
        .map(|ext| path.with_extension(ext))
        .find(|source| source.is_file());
    let text = match source {
        Some(source) if path.extension().is_some_and(|e| e == "wasm") => {
            std::fs::read_to_string(&source).unwrap_or_default()
        }
        _ => std::fs::read_to_string(path).unwrap_or_default(),
    };
    let first = text
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(";;") || l.starts_with("/*") || l.starts_with("//"))
        .unwrap_or("")
        .trim_start_matches([';', '/', '*', '!', ' ']);
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

    #[test]
    fn lists_the_c_samples_with_their_sources_descriptions() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/samples");
        let samples = list(&root);
        for abi in ["dagger", "olin", "wasi"] {
            for name in ["hello", "echo", "file", "gopher"] {
                let label = format!("{abi}/{name}.wasm");
                let sample = samples
                    .iter()
                    .find(|s| s.label == label)
                    .unwrap_or_else(|| panic!("{label} is listed"));
                assert!(!sample.description.is_empty(), "{label} has a description");
            }
        }
        let hello = samples
            .iter()
            .find(|s| s.label == "dagger/hello.wasm")
            .unwrap();
        assert_eq!(
            hello.description,
            "the smallest Dagger program in C: open fd://1 and write to it."
        );
        assert!(
            !samples.iter().any(|s| s.label.ends_with(".c")),
            "sources are not programs"
        );
    }

    #[test]
    fn the_menu_lists_the_zig_samples_after_the_c_ones() {
        let labels: Vec<String> = all().into_iter().map(|s| s.label).collect();
        let position = |label: &str| {
            labels
                .iter()
                .position(|l| l == label)
                .unwrap_or_else(|| panic!("{label} is listed: {labels:?}"))
        };
        for label in [
            "zig/dagger/hello.wasm",
            "zig/dagger/echo.wasm",
            "zig/olin/hello.wasm",
            "zig/olin/echo.wasm",
            "zig/wasi/hello.wasm",
        ] {
            assert!(position(label) > position("c/wasi/hello.wasm"));
        }
        let hello = all()
            .into_iter()
            .find(|s| s.label == "zig/dagger/hello.wasm")
            .unwrap();
        assert!(
            hello
                .description
                .starts_with("the \"Hello, world\" of the Dagger talk"),
            "{}",
            hello.description
        );
    }
}
