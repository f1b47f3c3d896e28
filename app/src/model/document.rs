//! The program being worked on: where it came from, its WAT text (if any),
//! the last successful compile, and the compile error to underline.

use std::path::{Path, PathBuf};
use wasmhole_runtime::{Program, ProgramError};

/// A WAT compile error, placed in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// The loaded program and its source.
#[derive(Default)]
pub struct Document {
    /// Display name (the file name).
    pub name: String,
    /// Where it was loaded from.
    pub path: Option<PathBuf>,
    /// The WAT text, for text programs (edited in the Source panel).
    pub text: Option<String>,
    /// The text as last compiled, to tell whether it changed.
    pub compiled_text: Option<String>,
    /// The text as last read from or written to its file.
    pub saved_text: Option<String>,
    /// The last program that compiled.
    pub program: Option<Program>,
    /// The last compile error, if the last compile failed.
    pub error: Option<CompileError>,
}

impl Document {
    /// Loads a file: a binary module, or WAT text that is compiled at once.
    pub fn open(path: &Path) -> Result<Document, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let mut doc = Document::from_bytes(&name, bytes)?;
        doc.path = Some(path.to_path_buf());
        doc.saved_text = doc.text.clone();
        Ok(doc)
    }

    /// A document from bytes (binary or WAT).
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Document, String> {
        if bytes.starts_with(b"\0asm") {
            let program = Program::from_bytes(name, bytes).map_err(|e| e.to_string())?;
            return Ok(Document {
                name: name.to_string(),
                program: Some(program),
                ..Document::default()
            });
        }
        let text = String::from_utf8(bytes).map_err(|_| {
            format!("{name} is neither a WebAssembly module nor WAT text: it is not a wasm binary (which starts with \\0asm) and not UTF-8 text")
        })?;
        let named_wat = Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("wat") || e.eq_ignore_ascii_case("wast"));
        if !named_wat && let Some(start) = not_wat(&text) {
            return Err(format!(
                "{name} is neither a WebAssembly module nor WAT text: it starts with `{start}`, where a module starts with `\\0asm` (binary) or `(module` (text)"
            ));
        }
        let mut doc = Document {
            name: name.to_string(),
            text: Some(text),
            ..Document::default()
        };
        doc.compile();
        Ok(doc)
    }

    /// Compiles the WAT text; on success the new program replaces the old.
    /// Returns whether it compiled.
    pub fn compile(&mut self) -> bool {
        let Some(text) = &self.text else {
            return self.program.is_some();
        };
        self.compiled_text = Some(text.clone());
        match Program::from_wat(&self.name, text) {
            Ok(program) => {
                self.program = Some(program);
                self.error = None;
                true
            }
            Err(ProgramError::Wat {
                line,
                column,
                message,
                ..
            }) => {
                self.error = Some(CompileError {
                    line,
                    column,
                    message,
                });
                false
            }
            Err(other) => {
                self.error = Some(CompileError {
                    line: 1,
                    column: 1,
                    message: other.to_string(),
                });
                false
            }
        }
    }

    /// Whether the text changed since it was last compiled.
    pub fn is_dirty(&self) -> bool {
        self.text.is_some() && self.text != self.compiled_text
    }

    /// Whether the text has edits its file does not have.
    pub fn is_unsaved(&self) -> bool {
        self.text.is_some() && self.text != self.saved_text
    }

    /// Writes the text to `path` (its own file when `None`).
    pub fn save(&mut self, path: Option<&Path>) -> Result<PathBuf, String> {
        let Some(text) = &self.text else {
            return Err(format!(
                "{} is a binary module: there is no text to save",
                self.name
            ));
        };
        let path = match path.or(self.path.as_deref()) {
            Some(p) => p.to_path_buf(),
            None => return Err("where to? This text has no file yet: use Save as".into()),
        };
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.saved_text = Some(text.clone());
        if self.path.as_deref() != Some(&path) {
            self.name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            self.path = Some(path.clone());
        }
        Ok(path)
    }
}

/// When `text` is not WAT at all (its first thing, past blank lines and
/// comments, is not a parenthesis), what it starts with.
fn not_wat(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix(";;") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("(;") {
            rest = after.split_once(";)").map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    if rest.is_empty() || rest.starts_with('(') {
        return None;
    }
    let first: String = rest.lines().next().unwrap_or("").chars().take(40).collect();
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_writes_the_edits_and_says_why_it_cannot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.wat");
        std::fs::write(&path, "(module)").unwrap();
        let mut doc = Document::open(&path).unwrap();
        assert!(!doc.is_unsaved());
        doc.text = Some("(module (func))".into());
        assert!(doc.is_unsaved());
        assert_eq!(doc.save(None), Ok(path.clone()));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "(module (func))");
        assert!(!doc.is_unsaved());
        let nowhere = dir.path().join("missing/t.wat");
        let err = doc.save(Some(&nowhere)).unwrap_err();
        assert!(
            err.starts_with("cannot write") && err.contains("missing"),
            "{err}"
        );
    }

    #[test]
    fn compile_errors_are_placed() {
        let mut doc =
            Document::from_bytes("t.wat", b"(module\n  (func\n    i32.nope))".to_vec()).unwrap();
        let e = doc.error.clone().expect("an error");
        assert_eq!((e.line, e.column), (3, 5));
        assert!(doc.program.is_none());
        doc.text = Some("(module (func))".into());
        assert!(doc.is_dirty());
        assert!(doc.compile());
        assert!(doc.error.is_none() && doc.program.is_some() && !doc.is_dirty());
    }

    #[test]
    fn a_plain_text_file_is_neither_a_module_nor_wat() {
        let err = Document::from_bytes("notes.txt", b"Shopping list\n- eggs\n".to_vec())
            .err()
            .expect("refused");
        assert_eq!(
            err,
            "notes.txt is neither a WebAssembly module nor WAT text: it starts with `Shopping list`, where a module starts with `\\0asm` (binary) or `(module` (text)"
        );
        // WAT after comments is WAT, whatever the file is called.
        let doc =
            Document::from_bytes("m.txt", b";; a module\n(; and ;) (module)".to_vec()).unwrap();
        assert!(doc.program.is_some());
        // A .wat file that is not WAT yet opens to be edited, its error placed.
        let doc = Document::from_bytes("draft.wat", b"write a module here".to_vec()).unwrap();
        assert!(doc.error.is_some() && doc.program.is_none());
    }
}
