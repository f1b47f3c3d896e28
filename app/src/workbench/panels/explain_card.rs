//! An explain-card drawn in egui (the card itself comes from the runtime's
//! `explain`, from the call tables), with links to the samples that make
//! the call: every program under `samples/` whose imports include it.

use crate::model::samples;
use egui::RichText;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use wasmhole_runtime::abis::CallSpec;
use wasmhole_runtime::calls::explain;
use wasmhole_runtime::{Abi, Program};

/// Samples by the calls they import: `(ABI, call name)` to sample paths.
pub type SampleIndex = HashMap<(Abi, &'static str), Vec<PathBuf>>;

fn programs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            programs_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "wat" || e == "wasm") {
            out.push(path);
        }
    }
}

/// Which samples under `root` import each call.
pub fn index_samples(root: &Path) -> SampleIndex {
    let mut files = Vec::new();
    programs_under(root, &mut files);
    let mut index = SampleIndex::new();
    for path in files {
        let Ok(program) = Program::from_file(&path) else {
            continue;
        };
        for import in program.imports() {
            let found = Abi::ALL.into_iter().find_map(|abi| {
                abi.import_modules()
                    .contains(&import.module.as_str())
                    .then(|| wasmhole_runtime::abis::find(abi, &import.name))
                    .flatten()
            });
            if let Some(spec) = found {
                let list = index.entry((spec.abi, spec.name)).or_default();
                if !list.contains(&path) {
                    list.push(path.clone());
                }
            }
        }
    }
    index
}

/// The repository's samples, indexed once.
pub fn sample_index() -> &'static SampleIndex {
    static INDEX: OnceLock<SampleIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        samples::folder()
            .map(|f| index_samples(&f))
            .unwrap_or_default()
    })
}

/// A sample's path as people name it: from `samples/` on.
fn sample_label(path: &Path) -> String {
    let text = path.display().to_string();
    match text.rfind("samples/") {
        Some(i) => text[i..].to_string(),
        None => text,
    }
}

/// Draws the card of `spec`; returns a sample the learner asked to open.
pub fn ui(ui: &mut egui::Ui, spec: &'static CallSpec) -> Option<PathBuf> {
    let card = explain::card(spec);
    let mut open = None;
    ui.label(
        RichText::new(format!("{} · {}", card.signature, spec.abi))
            .monospace()
            .strong(),
    );
    if !spec.aliases.is_empty() {
        ui.label(format!("Also imported as {}.", spec.aliases.join(", ")));
    }
    ui.label(spec.explain);
    if !card.params.is_empty() {
        ui.label(RichText::new("Parameters").strong());
        for p in &card.params {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("{} ({})", p.name, p.ty)).monospace());
                ui.label(&p.meaning);
            });
        }
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Result").strong());
        ui.label(&card.result);
    });
    if spec.error_names().is_some() {
        ui.label(RichText::new("Errors").strong());
        if card.errors.is_empty() {
            ui.label("none: it always succeeds");
        }
        for e in &card.errors {
            ui.horizontal_wrapped(|ui| {
                let value = e.value.map(|v| format!("{v} ")).unwrap_or_default();
                ui.label(RichText::new(format!("{value}{}", e.name)).monospace());
                ui.label(e.when);
            });
        }
    }
    if !spec.kills.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Ends the guest when").strong());
            ui.label(spec.kills.join("; or "));
        });
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("In other ABIs").strong());
        ui.label(card.elsewhere());
    });
    let made_by = sample_index().get(&(spec.abi, spec.name));
    // Samples of the call's own ABI folder first, then the deeper ones.
    let made_by = made_by.map(|paths| {
        let mut paths = paths.clone();
        let own = format!("samples/{}/", spec.abi.name());
        paths.sort_by_key(|p| {
            let label = sample_label(p);
            (!label.starts_with(&own), label.matches('/').count(), label)
        });
        paths
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Samples that make it").strong());
        match made_by {
            Some(paths) => {
                for path in paths.iter().take(8) {
                    if ui.link(sample_label(path)).clicked() {
                        open = Some(path.clone());
                    }
                }
            }
            None => {
                ui.label("none");
            }
        }
    });
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_of_every_abi_has_a_sample_that_makes_it() {
        let index = index_samples(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples"));
        let missing: Vec<String> = wasmhole_runtime::abis::all_calls()
            .filter(|c| !index.contains_key(&(c.abi, c.name)))
            .map(|c| format!("{} {}", c.abi.name(), c.name))
            .collect();
        assert!(missing.is_empty(), "no sample makes {}", missing.join(", "));
        let hello = &index[&(Abi::Wasi, "fd_write")];
        assert!(hello.iter().any(|p| p.ends_with("samples/wasi/hello.wat")));
        assert!(sample_label(&hello[0]).starts_with("samples/"));
    }
}
