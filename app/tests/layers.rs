//! The app's layers, kept by reading its sources: the model (`src/model`)
//! and what the headless commands share with it (`src/lessons`,
//! `src/gopher`, `src/cli`) know nothing of drawing (no egui, eframe or
//! their companions) and nothing of the window (`crate::workbench`); the
//! window's panels and features reach the model only through its public
//! items. A failure names the file and line of each import that runs up.

use std::path::{Path, PathBuf};

/// Crates that draw: only the window may use them.
const DRAWING: [&str; 6] = [
    "egui",
    "eframe",
    "egui_extras",
    "egui_tiles",
    "egui_commonmark",
    "egui_kittest",
];

/// Where a file's code reaches something its layer must not: `file:line:
/// what`.
fn upward_uses(file: &str, source: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let code = code.split("//").next().unwrap_or(code);
        for name in forbidden {
            let hit = code
                .match_indices(name)
                .any(|(at, _)| is_path_start(code, at, name));
            if hit {
                found.push(format!("{file}:{}: uses `{name}`: {}", i + 1, line.trim()));
            }
        }
    }
    found
}

/// Whether `name` at `at` in `code` begins a path (`egui::`, `use egui`,
/// `crate::workbench`), not a part of another word.
fn is_path_start(code: &str, at: usize, name: &str) -> bool {
    let before = code[..at].chars().next_back();
    let after = &code[at + name.len()..];
    let starts = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    let ends = after.starts_with("::") || after.starts_with(';') || after.starts_with(" as ");
    starts && ends
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn check_layer(folder: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root.join(folder), &mut files);
    let mut forbidden: Vec<&str> = DRAWING.to_vec();
    forbidden.push("crate::workbench");
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let name = f.strip_prefix(&root).unwrap().display().to_string();
            upward_uses(&format!("src/{name}"), &text, &forbidden)
        })
        .collect()
}

#[test]
fn the_model_and_the_headless_code_know_nothing_of_the_window() {
    let mut found = Vec::new();
    for folder in ["model", "lessons", "gopher", "cli"] {
        found.extend(check_layer(folder));
    }
    assert!(
        found.is_empty(),
        "imports that run up a layer:\n{}",
        found.join("\n")
    );
}

#[test]
fn an_import_of_the_window_in_the_model_is_found_with_its_line() {
    let source = "//! The model.\nuse std::path::Path;\nuse egui::RichText;\n\nfn f() { crate::workbench::dock::default_layout(); }\n// egui:: in a comment is fine\nfn pegui() {}\n";
    let found = upward_uses("src/model/x.rs", source, &["egui", "crate::workbench"]);
    assert_eq!(
        found,
        vec![
            "src/model/x.rs:3: uses `egui`: use egui::RichText;",
            "src/model/x.rs:5: uses `crate::workbench`: fn f() { crate::workbench::dock::default_layout(); }",
        ]
    );
}
