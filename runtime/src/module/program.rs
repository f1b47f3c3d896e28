//! A guest program: bytes loaded from `.wasm` or compiled from WAT, validated,
//! with its imports, exports, function names and detected ABI.

use crate::module::abi::{self, Abi};
use crate::module::disasm::Disassembly;
use crate::module::host_module::HostModule;
use crate::module::source_map::SourceMap;
use crate::module::wat_legacy;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use wasmparser::{Payload, TypeRef, Validator, WasmFeatures};

/// Why a program could not be loaded. Every variant says where.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    /// The WAT text does not parse or encode.
    #[error("{name}:{line}:{column}: {message}\n  {line:>4} | {snippet}\n       | {caret:>width$}", caret = "^", width = .column)]
    Wat {
        /// The program's name (usually its file name).
        name: String,
        /// 1-based line of the error in the user's text.
        line: usize,
        /// 1-based column of the error in the user's text.
        column: usize,
        /// What is wrong.
        message: String,
        /// The offending line of text.
        snippet: String,
    },
    /// The binary is not a valid WebAssembly module.
    #[error("{name}: invalid WebAssembly at byte offset {offset:#x}: {message}")]
    Invalid {
        /// The program's name.
        name: String,
        /// Byte offset of the problem in the binary.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The path that was asked for.
        path: String,
        /// Why, already in the message (so not a `source` that error
        /// chains would print a second time).
        reason: std::io::Error,
    },
}

/// One import of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// Import module name, e.g. `wasi_snapshot_preview1`.
    pub module: String,
    /// Field name, e.g. `fd_write`.
    pub name: String,
    /// `func`, `memory`, `table`, `global` or `tag`.
    pub kind: &'static str,
}

/// One export of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// Export name.
    pub name: String,
    /// `func`, `memory`, `table`, `global` or `tag`.
    pub kind: &'static str,
    /// Index in its index space.
    pub index: u32,
}

/// A function's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncSig {
    /// Parameter types.
    pub params: Vec<wasmparser::ValType>,
    /// Result types.
    pub results: Vec<wasmparser::ValType>,
}

impl std::fmt::Display for FuncSig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |types: &[wasmparser::ValType]| {
            types
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "({}) -> ({})", list(&self.params), list(&self.results))
    }
}

/// Where a defined function's code lies in the module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuncBody {
    /// The function's index (imports counted first).
    pub index: u32,
    /// Byte offset of its first instruction.
    pub first_instr: u32,
    /// Byte offset just past its body.
    pub end: u32,
}

/// The most code [`Program::disassembly`] turns into text, in bytes (about
/// 40 bytes of the host's memory for each byte of code).
pub const MAX_DISASSEMBLED_CODE: usize = 16_000_000;

/// A validated guest module and what is known about it before it runs.
#[derive(Clone)]
pub struct Program {
    inner: Arc<ProgramInner>,
}

struct ProgramInner {
    name: String,
    bytes: Vec<u8>,
    wat_source: Option<String>,
    legacy_renames: Vec<wat_legacy::Rename>,
    imports: Vec<Import>,
    exports: Vec<Export>,
    imported_funcs: u32,
    func_names: BTreeMap<u32, String>,
    /// Each function's signature, imports first.
    func_sigs: Vec<Option<FuncSig>>,
    local_names: BTreeMap<(u32, u32), String>,
    global_names: BTreeMap<u32, String>,
    bodies: Vec<FuncBody>,
    /// The most elements any table it defines starts with.
    largest_table: u64,
    abi: Option<Abi>,
    disassembly: OnceLock<Disassembly>,
    source_map: Option<SourceMap>,
    host_module: HostModule,
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("name", &self.inner.name)
            .field("bytes", &self.inner.bytes.len())
            .field("abi", &self.inner.abi)
            .finish()
    }
}

/// wasmhole runs 32-bit memories and tables only: no ABI it provides passes
/// 64-bit pointers, and a 64-bit memory could ask the host for any size.
fn refused_64_bit(name: &str, offset: usize, what: &str) -> ProgramError {
    ProgramError::Invalid {
        name: name.to_string(),
        offset,
        message: format!(
            "it declares a 64-bit {what} (memory64), which wasmhole does not run: no ABI here uses 64-bit pointers"
        ),
    }
}

/// wasmhole's host calls read and write an unshared memory; a shared one
/// (a threads program's) is refused rather than shown as no memory.
fn refused_shared(name: &str, offset: usize) -> ProgramError {
    ProgramError::Invalid {
        name: name.to_string(),
        offset,
        message: "its memory is shared (a threads program), which wasmhole does not run: \
                  host calls need an unshared memory"
            .to_string(),
    }
}

/// Refuses the memories wasmhole does not run: 64-bit and shared ones.
fn check_memory(
    name: &str,
    offset: usize,
    ty: &wasmparser::MemoryType,
) -> Result<(), ProgramError> {
    if ty.memory64 {
        return Err(refused_64_bit(name, offset, "memory"));
    }
    if ty.shared {
        return Err(refused_shared(name, offset));
    }
    Ok(())
}

impl Program {
    /// Loads a file: binary if it starts with the wasm magic, WAT text otherwise.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Program, ProgramError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|reason| ProgramError::Io {
            path: path.display().to_string(),
            reason,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        Program::from_bytes(&name, bytes)
    }

    /// Loads bytes that are either a binary module or WAT text.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Program, ProgramError> {
        if bytes.starts_with(b"\0asm") {
            Program::from_binary(name, bytes, None, Vec::new())
        } else {
            let text = String::from_utf8(bytes).map_err(|e| {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let text = String::from_utf8_lossy(valid);
                let line = text.matches('\n').count() + 1;
                let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                ProgramError::Wat {
                    name: name.to_string(),
                    line,
                    column,
                    message: "the file is neither a wasm binary nor UTF-8 text".into(),
                    snippet: text.rsplit('\n').next().unwrap_or("").to_string(),
                }
            })?;
            Program::from_wat(name, &text)
        }
    }

    /// Compiles WAT text. Old instruction names (`get_local`, …) are accepted
    /// and listed by [`Program::legacy_renames`]; error positions always point
    /// into `text` as the user wrote it.
    pub fn from_wat(name: &str, text: &str) -> Result<Program, ProgramError> {
        let (modern, renames) = wat_legacy::modernize(text);
        let bytes = compile_wat(name, &modern, text, &renames)?;
        let program = Program::from_binary(name, bytes, Some(text.to_string()), renames)?;
        // Text a person just wrote is checked whole at once.
        program.validate_code()?;
        Ok(program)
    }

    /// Validates every function body (loading checks only the module's
    /// structure: the bodies are validated when the engine compiles them,
    /// and a module loaded from the compilation cache was validated when
    /// it was compiled, as `wasmtime run` trusts its cache).
    pub fn validate_code(&self) -> Result<(), ProgramError> {
        Validator::new_with_features(WasmFeatures::default())
            .validate_all(&self.inner.bytes)
            .map(drop)
            .map_err(|e| match &self.inner.wat_source {
                // Placed on the user's line, as a syntax error is.
                Some(text) => placed_in_text(
                    &self.inner.name,
                    text,
                    &self.inner.bytes,
                    e.offset(),
                    e.message(),
                ),
                None => ProgramError::Invalid {
                    name: self.inner.name.clone(),
                    offset: e.offset(),
                    message: e.message().to_string(),
                },
            })
    }

    fn from_binary(
        name: &str,
        bytes: Vec<u8>,
        wat_source: Option<String>,
        legacy_renames: Vec<wat_legacy::Rename>,
    ) -> Result<Program, ProgramError> {
        let invalid = |e: wasmparser::BinaryReaderError| ProgramError::Invalid {
            name: name.to_string(),
            offset: e.offset(),
            message: e.message().to_string(),
        };
        // The module's structure is validated here, its function bodies when
        // they are compiled (see `validate_code`).
        let mut validator = Validator::new_with_features(WasmFeatures::default());
        let mut imports = Vec::new();
        let mut exports = Vec::new();
        let mut imported_funcs = 0;
        let mut func_names = BTreeMap::new();
        let mut local_names = BTreeMap::new();
        let mut global_names = BTreeMap::new();
        let mut bodies = Vec::new();
        let mut largest_table = 0u64;
        let mut types: Vec<Option<FuncSig>> = Vec::new();
        let mut func_sigs = Vec::new();
        let sig_of =
            |types: &[Option<FuncSig>], index: u32| types.get(index as usize).cloned().flatten();
        for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
            let payload = payload.map_err(invalid)?;
            validator.payload(&payload).map_err(invalid)?;
            match payload {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group.map_err(invalid)?.types() {
                            types.push(match &sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(f) => Some(FuncSig {
                                    params: f.params().to_vec(),
                                    results: f.results().to_vec(),
                                }),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        func_sigs.push(sig_of(&types, ty.map_err(invalid)?));
                    }
                }
                Payload::ImportSection(reader) => {
                    let import_offset = reader.range().start;
                    for import in reader.into_imports() {
                        let import = import.map_err(invalid)?;
                        let kind = match import.ty {
                            TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                                imported_funcs += 1;
                                func_sigs.push(sig_of(&types, ty));
                                "func"
                            }
                            TypeRef::Table(_) => "table",
                            TypeRef::Memory(ty) => {
                                check_memory(name, import_offset, &ty)?;
                                "memory"
                            }
                            TypeRef::Global(_) => "global",
                            TypeRef::Tag(_) => "tag",
                        };
                        imports.push(Import {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                            kind,
                        });
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(invalid)?;
                        let kind = match export.kind {
                            wasmparser::ExternalKind::Func
                            | wasmparser::ExternalKind::FuncExact => "func",
                            wasmparser::ExternalKind::Table => "table",
                            wasmparser::ExternalKind::Memory => "memory",
                            wasmparser::ExternalKind::Global => "global",
                            wasmparser::ExternalKind::Tag => "tag",
                        };
                        exports.push(Export {
                            name: export.name.to_string(),
                            kind,
                            index: export.index,
                        });
                    }
                }
                Payload::MemorySection(reader) => {
                    let offset = reader.range().start;
                    for memory in reader {
                        check_memory(name, offset, &memory.map_err(invalid)?)?;
                    }
                }
                Payload::TableSection(reader) => {
                    let offset = reader.range().start;
                    for table in reader {
                        let table = table.map_err(invalid)?;
                        if table.ty.table64 {
                            return Err(refused_64_bit(name, offset, "table"));
                        }
                        largest_table = largest_table.max(table.ty.initial);
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let ops = body.get_operators_reader().map_err(invalid)?;
                    bodies.push(FuncBody {
                        index: imported_funcs + bodies.len() as u32,
                        first_instr: ops.original_position() as u32,
                        end: body.range().end as u32,
                    });
                }
                Payload::CustomSection(section) => {
                    if let wasmparser::KnownCustom::Name(names) = section.as_known() {
                        for name in names.into_iter().flatten() {
                            match name {
                                wasmparser::Name::Function(map) => {
                                    for naming in map.into_iter().flatten() {
                                        func_names.insert(naming.index, naming.name.to_string());
                                    }
                                }
                                wasmparser::Name::Local(map) => {
                                    for func in map.into_iter().flatten() {
                                        for naming in func.names.into_iter().flatten() {
                                            local_names.insert(
                                                (func.index, naming.index),
                                                naming.name.to_string(),
                                            );
                                        }
                                    }
                                }
                                wasmparser::Name::Global(map) => {
                                    for naming in map.into_iter().flatten() {
                                        global_names.insert(naming.index, naming.name.to_string());
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for export in &exports {
            let names = match export.kind {
                "func" => &mut func_names,
                "global" => &mut global_names,
                _ => continue,
            };
            names
                .entry(export.index)
                .or_insert_with(|| export.name.clone());
        }
        let abi = abi::detect(
            imports
                .iter()
                .filter(|i| i.kind == "func")
                .map(|i| (i.module.as_str(), i.name.as_str())),
        );
        let host_module = HostModule::of(&bytes).map_err(|e| ProgramError::Invalid {
            name: name.to_string(),
            offset: e.offset,
            message: e.message,
        })?;
        let source_map = if wat_source.is_some() {
            SourceMap::from_module(&bytes)
        } else {
            None
        };
        Ok(Program {
            inner: Arc::new(ProgramInner {
                name: name.to_string(),
                bytes,
                wat_source,
                legacy_renames,
                imports,
                exports,
                imported_funcs,
                func_names,
                func_sigs,
                local_names,
                global_names,
                bodies,
                largest_table,
                abi,
                disassembly: OnceLock::new(),
                source_map,
                host_module,
            }),
        })
    }

    /// The program's display name (its file name when loaded from a file).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The binary module.
    pub fn bytes(&self) -> &[u8] {
        &self.inner.bytes
    }

    /// The module as the host compiles it (memory 0 made reachable), and
    /// the map from its offsets to [`Program::bytes`]'.
    pub fn host_module(&self) -> &HostModule {
        &self.inner.host_module
    }

    /// The bytes the engine compiles: [`Program::bytes`], unless memory 0
    /// had to be exported for the host.
    pub fn compiled_bytes(&self) -> &[u8] {
        self.inner.host_module.bytes(&self.inner.bytes)
    }

    /// The user's offset of an offset in [`Program::compiled_bytes`] (what
    /// wasmtime reports), falling back to the offset itself.
    pub fn user_offset(&self, compiled: u32) -> u32 {
        self.inner
            .host_module
            .offsets()
            .to_user(compiled)
            .unwrap_or(compiled)
    }

    /// The offset in [`Program::compiled_bytes`] of a user's offset (what
    /// wasmtime is given), falling back to the offset itself.
    pub fn compiled_offset(&self, user: u32) -> u32 {
        self.inner
            .host_module
            .offsets()
            .to_compiled(user)
            .unwrap_or(user)
    }

    /// The WAT text the program was compiled from, if any.
    pub fn wat_source(&self) -> Option<&str> {
        self.inner.wat_source.as_deref()
    }

    /// Old instruction names that were translated while compiling the WAT.
    pub fn legacy_renames(&self) -> &[wat_legacy::Rename] {
        &self.inner.legacy_renames
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> &[Import] {
        &self.inner.imports
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> &[Export] {
        &self.inner.exports
    }

    /// Whether the module exports a function with this name.
    pub fn exports_func(&self, name: &str) -> bool {
        self.inner
            .exports
            .iter()
            .any(|e| e.kind == "func" && e.name == name)
    }

    /// A function's signature.
    pub fn func_sig(&self, index: u32) -> Option<&FuncSig> {
        self.inner.func_sigs.get(index as usize)?.as_ref()
    }

    /// The signature of the exported function `name`.
    pub fn export_sig(&self, name: &str) -> Option<&FuncSig> {
        let export = self
            .inner
            .exports
            .iter()
            .find(|e| e.kind == "func" && e.name == name)?;
        self.func_sig(export.index)
    }

    /// The ABI its imports speak, if they speak a known one.
    pub fn detected_abi(&self) -> Option<Abi> {
        self.inner.abi
    }

    /// Number of imported functions (defined functions are numbered after them).
    pub fn imported_func_count(&self) -> u32 {
        self.inner.imported_funcs
    }

    /// A function's name from the name section or its export, if it has one.
    pub fn func_name(&self, index: u32) -> Option<&str> {
        self.inner.func_names.get(&index).map(String::as_str)
    }

    /// The name of local `index` (parameters first) of function `func`,
    /// from the name section.
    pub fn local_name(&self, func: u32, index: u32) -> Option<&str> {
        self.inner
            .local_names
            .get(&(func, index))
            .map(String::as_str)
    }

    /// The name of global `index`, from the name section or its export.
    pub fn global_name(&self, index: u32) -> Option<&str> {
        self.inner.global_names.get(&index).map(String::as_str)
    }

    /// `name` or `func[N]`, for messages.
    pub fn func_label(&self, index: u32) -> String {
        match self.func_name(index) {
            Some(name) => format!("{name} (func {index})"),
            None => format!("func {index}"),
        }
    }

    /// The code of every defined function, in index order.
    pub fn func_bodies(&self) -> &[FuncBody] {
        &self.inner.bodies
    }

    /// The function whose body contains byte `offset`.
    pub fn func_at(&self, offset: u32) -> Option<FuncBody> {
        let i = self
            .inner
            .bodies
            .partition_point(|b| b.first_instr <= offset);
        let b = *self.inner.bodies.get(i.checked_sub(1)?)?;
        (offset < b.end).then_some(b)
    }

    /// Looks a function up by name (from the name section or exports) or
    /// by index, and returns its body.
    pub fn find_func(&self, name_or_index: &str) -> Option<FuncBody> {
        let index = match name_or_index.trim_start_matches('$').parse::<u32>() {
            Ok(i) => i,
            Err(_) => {
                *self
                    .inner
                    .func_names
                    .iter()
                    .find(|(_, n)| n.as_str() == name_or_index.trim_start_matches('$'))?
                    .0
            }
        };
        self.inner.bodies.iter().find(|b| b.index == index).copied()
    }

    /// Offset ⇄ WAT line mapping, for programs compiled from WAT.
    pub fn source_map(&self) -> Option<&SourceMap> {
        self.inner.source_map.as_ref()
    }

    /// The most elements any table the module defines starts with.
    pub fn largest_table(&self) -> u64 {
        self.inner.largest_table
    }

    /// Bytes of code: the function bodies' instructions and locals.
    pub fn code_size(&self) -> usize {
        self.inner
            .bodies
            .iter()
            .map(|b| (b.end - b.first_instr) as usize)
            .sum()
    }

    /// The text disassembly with each line's byte offset, computed once; a
    /// module with more than [`MAX_DISASSEMBLED_CODE`] bytes of code gets a
    /// line saying why it has none (its text would take gigabytes).
    pub fn disassembly(&self) -> &Disassembly {
        self.inner.disassembly.get_or_init(|| {
            let code = self.code_size();
            if code > MAX_DISASSEMBLED_CODE {
                Disassembly::not_made(format!(
                    ";; no disassembly: this module has {:.1} MB of code, more than the {} MB shown here (its text would take gigabytes)",
                    code as f64 / 1e6,
                    MAX_DISASSEMBLED_CODE / 1_000_000
                ))
            } else {
                Disassembly::of(&self.inner.bytes)
            }
        })
    }
}

/// A validation error in a module compiled from WAT, placed at the user's
/// line and column through the line table (at the function's first line
/// when the offset precedes every instruction).
fn placed_in_text(
    name: &str,
    text: &str,
    bytes: &[u8],
    offset: usize,
    message: &str,
) -> ProgramError {
    let (line, column) = SourceMap::from_module(bytes)
        .and_then(|m| m.position_of(offset as u32))
        .map_or((1, 1), |(l, c)| (l as usize, c.max(1) as usize));
    ProgramError::Wat {
        name: name.to_string(),
        line,
        column,
        message: message.to_string(),
        snippet: text.lines().nth(line - 1).unwrap_or("").to_string(),
    }
}

/// Parses and encodes WAT; on error maps the position back into `original`
/// (the modernized text keeps line numbers and only shifts columns on lines
/// where a name was renamed).
fn compile_wat(
    name: &str,
    text: &str,
    original: &str,
    renames: &[wat_legacy::Rename],
) -> Result<Vec<u8>, ProgramError> {
    let to_error = |err: wast::Error| {
        let (line0, col0) = err.span().linecol_in(text);
        let column = wat_legacy::original_column(renames, line0, col0);
        let snippet = original.lines().nth(line0).unwrap_or("").to_string();
        ProgramError::Wat {
            name: name.to_string(),
            line: line0 + 1,
            column: column + 1,
            message: err.message(),
            snippet,
        }
    };
    let mut buf = wast::parser::ParseBuffer::new(text).map_err(to_error)?;
    buf.track_instr_spans(true);
    let mut wat: wast::Wat = wast::parser::parse(&buf).map_err(to_error)?;
    // The line table is built from the text as written (the modernized text
    // has the same lines), so offsets map back to the user's own lines.
    let path = std::path::Path::new(name);
    wast::core::EncodeOptions::new()
        .dwarf(path, original, wast::core::GenerateDwarf::Lines)
        .encode_wat(&mut wat)
        .map_err(to_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wat_error_reports_line_and_column() {
        let text = "(module\n  (func $f\n    i32.const 1\n    i32.bogus))";
        let err = Program::from_wat("bad.wat", text).unwrap_err();
        match &err {
            ProgramError::Wat {
                line,
                column,
                snippet,
                message,
                ..
            } => {
                assert_eq!((*line, *column), (4, 5), "{err}");
                assert_eq!(snippet.trim(), "i32.bogus))");
                assert!(message.contains("unknown operator"), "{message}");
            }
            other => panic!("expected a WAT error, got {other}"),
        }
        assert!(err.to_string().starts_with("bad.wat:4:5: "));
    }

    #[test]
    fn a_type_error_is_placed_on_the_users_line() {
        let text =
            "(module\n  (func $f (result i32)\n    i32.const 1\n    i64.const 2\n    i32.add))";
        let err = Program::from_wat("types.wat", text).unwrap_err();
        match &err {
            ProgramError::Wat {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((*line, *column), (5, 5), "{err}");
                assert!(message.contains("type mismatch"), "{message}");
            }
            other => panic!("expected a placed error, got {other}"),
        }
    }

    #[test]
    fn locals_and_globals_have_their_names() {
        let p = Program::from_wat(
            "names.wat",
            r#"(module
                 (global $count (mut i32) (i32.const 0))
                 (global (export "limit") i32 (i32.const 9))
                 (func $f (param $fd i32) (local $len i32) (local i64)))"#,
        )
        .unwrap();
        assert_eq!(p.local_name(0, 0), Some("fd"));
        assert_eq!(p.local_name(0, 1), Some("len"));
        assert_eq!(p.local_name(0, 2), None);
        assert_eq!(p.global_name(0), Some("count"));
        assert_eq!(p.global_name(1), Some("limit"));
    }

    #[test]
    fn lists_imports_exports_and_detects_abi() {
        let p = Program::from_wat(
            "t.wat",
            r#"(module
                 (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                 (memory (export "memory") 1)
                 (func $main (export "_start") i32.const 0 call $exit))"#,
        )
        .unwrap();
        assert_eq!(p.detected_abi(), Some(Abi::Wasi));
        assert_eq!(p.imports()[0].name, "proc_exit");
        assert!(p.exports_func("_start"));
        assert_eq!(p.imported_func_count(), 1);
        assert_eq!(p.func_name(1), Some("main"));
        assert_eq!(p.func_sig(0).unwrap().to_string(), "(i32) -> ()");
        assert_eq!(p.export_sig("_start").unwrap().to_string(), "() -> ()");
        assert_eq!(p.local_name(1, 0), None);
        let body = p.find_func("main").unwrap();
        assert_eq!(p.find_func("1"), Some(body));
        assert_eq!(p.func_at(body.first_instr), Some(body));
        assert_eq!(p.bytes()[body.first_instr as usize], 0x41, "i32.const");
    }

    #[test]
    fn wat_lines_map_to_offsets_and_back() {
        let text = "(module\n  (func $f (export \"f\") (result i32)\n    i32.const 2\n    i32.const 3\n    i32.add))";
        let p = Program::from_wat("lines.wat", text).unwrap();
        let map = p.source_map().expect("WAT programs carry a line table");
        // `i32.add` and the function's closing `end` are both on line 5.
        let on_line_5 = map.offsets_of_line(5);
        assert_eq!(on_line_5.len(), 2, "{on_line_5:?}");
        assert_eq!(
            p.bytes()[on_line_5[0] as usize],
            0x6a,
            "i32.add is on line 5"
        );
        assert_eq!(map.line_of(on_line_5[0]), Some(5));
        let konst = map.offsets_of_line(3)[0];
        assert_eq!(p.bytes()[konst as usize], 0x41);
    }

    #[test]
    fn invalid_binary_names_offset() {
        let mut bytes = wat::parse_str("(module (func (result i32) i32.const 1))").unwrap();
        let n = bytes.len();
        bytes[n - 3] = 0x6a; // `i32.const 1` becomes `i32.add; nop`: an empty stack
        // The structure is sound, so the module loads; its code is checked
        // when it is compiled, or on request.
        let program = Program::from_bytes("x.wasm", bytes).unwrap();
        let err = program.validate_code().unwrap_err();
        assert!(matches!(err, ProgramError::Invalid { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("x.wasm: invalid WebAssembly at byte offset")
        );
    }

    #[test]
    fn invalid_structure_is_refused_at_load() {
        // An export of a function that does not exist.
        let mut bytes = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
        let at = bytes.windows(3).position(|w| w == [b'f', 0, 0]).unwrap();
        bytes[at + 2] = 9; // `func 0` becomes `func 9`
        let err = Program::from_bytes("x.wasm", bytes).unwrap_err();
        assert!(matches!(err, ProgramError::Invalid { .. }), "{err}");
    }

    #[test]
    fn shared_and_64_bit_memories_are_refused_imported_or_not() {
        for text in [
            "(module (memory 1 1 shared))",
            r#"(module (import "env" "memory" (memory 1 1 shared)))"#,
            r#"(module (import "env" "memory" (memory i64 1)))"#,
        ] {
            let err = Program::from_wat("m.wat", text).unwrap_err();
            let message = err.to_string();
            assert!(
                message.contains("which wasmhole does not run"),
                "{text}: {message}"
            );
        }
    }

    #[test]
    fn invalid_wat_code_is_refused_at_once() {
        let err = Program::from_wat("t.wat", "(module (func (result i32) i32.add))").unwrap_err();
        // Refused, and placed on the instruction, as a syntax error is.
        assert!(
            matches!(
                err,
                ProgramError::Wat {
                    line: 1,
                    column: 28,
                    ..
                }
            ),
            "{err}"
        );
    }
}
