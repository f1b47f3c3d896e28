//! The module the engine compiles for a program, and how the host reaches
//! the guest's memory 0 through it.
//!
//! Host calls read and write memory 0 whatever the guest calls it: the
//! oldest Dagger and Olin programs never export their memory (their hosts
//! were interpreters that read it directly), and some guests import it.
//! When memory 0 is defined and exported, the user's bytes are compiled as
//! they are and the host uses that export. Otherwise the module is copied
//! with memory 0 exported under a reserved name, and an imported memory
//! becomes one the module defines itself, with the same limits (no ABI
//! provides a memory to import). Every other section is copied byte for
//! byte, so the code keeps its layout and only moves as a whole;
//! [`OffsetMap`] maps offsets between the copy and the user's bytes, and
//! everything shown to a person (pcs, breakpoints, trap offsets) is in the
//! user's offsets.

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{ExportKind, ExportSection, ImportSection, MemorySection, MemoryType, Section};
use wasmparser::{BinaryReader, ExternalKind, TypeRef};

/// Why a module could not be prepared for the host (only a module that is
/// not valid WebAssembly gets here).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RewriteError {
    /// Byte offset of the problem in the user's module.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl From<wasmparser::BinaryReaderError> for RewriteError {
    fn from(e: wasmparser::BinaryReaderError) -> RewriteError {
        RewriteError {
            offset: e.offset(),
            message: e.message().to_string(),
        }
    }
}

/// The export name memory 0 gets when the guest does not export it.
pub const MEMORY_EXPORT: &str = "wasmhole:memory";

/// The module as the host compiles it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostModule {
    /// The bytes to compile; `None` when they are the user's own.
    rewritten: Option<Vec<u8>>,
    /// The export that reaches memory 0, if the module has a memory.
    memory_export: Option<String>,
    /// Offsets in the compiled bytes ⇄ the user's.
    offsets: OffsetMap,
}

impl HostModule {
    /// Prepares `user` (a valid module) for the host.
    pub fn of(user: &[u8]) -> Result<HostModule, RewriteError> {
        let facts = MemoryFacts::of(user)?;
        if facts.imported.is_empty() {
            match (facts.defined, &facts.exported_as) {
                (0, _) => {
                    return Ok(HostModule {
                        rewritten: None,
                        memory_export: None,
                        offsets: OffsetMap::identity(),
                    });
                }
                (_, Some(name)) => {
                    return Ok(HostModule {
                        rewritten: None,
                        memory_export: Some(name.clone()),
                        offsets: OffsetMap::identity(),
                    });
                }
                _ => {}
            }
        }
        let name = facts.free_name();
        let (bytes, offsets) = rewrite(user, &facts, &name)?;
        Ok(HostModule {
            rewritten: Some(bytes),
            memory_export: Some(name),
            offsets,
        })
    }

    /// The bytes to compile: `user` itself unless the module had to be
    /// rewritten.
    pub fn bytes<'a>(&'a self, user: &'a [u8]) -> &'a [u8] {
        self.rewritten.as_deref().unwrap_or(user)
    }

    /// Whether the compiled bytes differ from the user's.
    pub fn is_rewritten(&self) -> bool {
        self.rewritten.is_some()
    }

    /// The export name that reaches memory 0, or `None` if the guest has no
    /// memory at all.
    pub fn memory_export(&self) -> Option<&str> {
        self.memory_export.as_deref()
    }

    /// The map between compiled and user offsets.
    pub fn offsets(&self) -> &OffsetMap {
        &self.offsets
    }
}

/// What a module says about its memories.
struct MemoryFacts {
    /// The types of imported memories, in order (they come first in the
    /// memory index space).
    imported: Vec<wasmparser::MemoryType>,
    /// How many memories it defines.
    defined: u32,
    /// The name memory 0 is exported under, if it is.
    exported_as: Option<String>,
    /// Every export name, to pick one that is free.
    export_names: Vec<String>,
}

impl MemoryFacts {
    fn of(bytes: &[u8]) -> Result<MemoryFacts, RewriteError> {
        let mut facts = MemoryFacts {
            imported: Vec::new(),
            defined: 0,
            exported_as: None,
            export_names: Vec::new(),
        };
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            match payload? {
                wasmparser::Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        if let TypeRef::Memory(ty) = import?.ty {
                            facts.imported.push(ty);
                        }
                    }
                }
                wasmparser::Payload::MemorySection(reader) => facts.defined = reader.count(),
                wasmparser::Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export?;
                        if export.kind == ExternalKind::Memory
                            && export.index == 0
                            && facts.exported_as.is_none()
                        {
                            facts.exported_as = Some(export.name.to_string());
                        }
                        facts.export_names.push(export.name.to_string());
                    }
                }
                _ => {}
            }
        }
        Ok(facts)
    }

    /// [`MEMORY_EXPORT`], or a variant of it the guest does not export.
    fn free_name(&self) -> String {
        let mut name = MEMORY_EXPORT.to_string();
        while self.export_names.contains(&name) {
            name.push('_');
        }
        name
    }
}

/// Section ids in the order the binary format requires them (custom
/// sections, id 0, may stand anywhere).
const SECTION_ORDER: [u8; 13] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

fn rank(id: u8) -> usize {
    SECTION_ORDER
        .iter()
        .position(|&i| i == id)
        .unwrap_or(usize::MAX)
}

const IMPORT: u8 = 2;
const MEMORY: u8 = 5;
const EXPORT: u8 = 7;

fn encode_error(e: wasm_encoder::reencode::Error) -> RewriteError {
    match e {
        wasm_encoder::reencode::Error::ParseError(e) => e.into(),
        other => RewriteError {
            offset: 0,
            message: other.to_string(),
        },
    }
}

/// Copies `user` with memory 0 exported as `name` and imported memories
/// defined; every other section is copied byte for byte.
fn rewrite(
    user: &[u8],
    facts: &MemoryFacts,
    name: &str,
) -> Result<(Vec<u8>, OffsetMap), RewriteError> {
    let mut re = RoundtripReencoder;
    let mut out = user[..8].to_vec();
    let mut spans = Vec::new();
    let mut memory_done = false;
    let mut export_done = false;
    // The memories the module must now define: the imported ones first.
    let memories = |defined: Option<wasmparser::MemorySectionReader<'_>>| {
        let mut section = MemorySection::new();
        for ty in &facts.imported {
            section.memory(RoundtripReencoder.memory_type(*ty).map_err(encode_error)?);
        }
        if let Some(reader) = defined {
            re_memories(&mut section, reader)?;
        }
        Ok::<_, RewriteError>(section)
    };
    let exports = |existing: Option<wasmparser::ExportSectionReader<'_>>| {
        let mut section = ExportSection::new();
        if let Some(reader) = existing {
            RoundtripReencoder
                .parse_export_section(&mut section, reader)
                .map_err(encode_error)?;
        }
        section.export(name, ExportKind::Memory, 0);
        Ok::<_, RewriteError>(section)
    };
    let mut reader = BinaryReader::new(&user[8..], 8);
    while !reader.eof() {
        let start = reader.original_position();
        let id = reader.read_u8()?;
        let len = reader.read_var_u32()? as usize;
        let content_start = reader.original_position();
        let content = reader.read_bytes(len)?;
        let end = content_start + len;
        // Sections this module lacks go where the order puts them.
        if id != 0 {
            if !memory_done && rank(id) > rank(MEMORY) {
                memories(None)?.append_to(&mut out);
                memory_done = true;
            }
            if !export_done && rank(id) > rank(EXPORT) {
                exports(None)?.append_to(&mut out);
                export_done = true;
            }
        }
        let body = BinaryReader::new(content, content_start);
        match id {
            IMPORT if !facts.imported.is_empty() => {
                let mut section = ImportSection::new();
                let imports = wasmparser::ImportSectionReader::new(body)?;
                for import in imports.into_imports() {
                    let import = import?;
                    if matches!(import.ty, TypeRef::Memory(_)) {
                        continue;
                    }
                    re.parse_import(&mut section, import)
                        .map_err(encode_error)?;
                }
                if !section.is_empty() {
                    section.append_to(&mut out);
                }
            }
            MEMORY => {
                let defined = wasmparser::MemorySectionReader::new(body)?;
                memories(Some(defined))?.append_to(&mut out);
                memory_done = true;
            }
            EXPORT => {
                let existing = wasmparser::ExportSectionReader::new(body)?;
                exports(Some(existing))?.append_to(&mut out);
                export_done = true;
            }
            _ => {
                spans.push(Span {
                    user: start as u32,
                    compiled: out.len() as u32,
                    len: (end - start) as u32,
                });
                out.extend_from_slice(&user[start..end]);
            }
        }
    }
    if !memory_done {
        memories(None)?.append_to(&mut out);
    }
    if !export_done {
        exports(None)?.append_to(&mut out);
    }
    Ok((out, OffsetMap { spans }))
}

fn re_memories(
    section: &mut MemorySection,
    reader: wasmparser::MemorySectionReader<'_>,
) -> Result<(), RewriteError> {
    for ty in reader {
        let ty: MemoryType = RoundtripReencoder.memory_type(ty?).map_err(encode_error)?;
        section.memory(ty);
    }
    Ok(())
}

/// A run of bytes copied unchanged from the user's module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    user: u32,
    compiled: u32,
    len: u32,
}

/// Offsets in the compiled module ⇄ offsets in the user's module, for the
/// sections copied unchanged (the code among them). Identity when the
/// module was not rewritten.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetMap {
    /// Copied runs, in order; empty means identity.
    spans: Vec<Span>,
}

impl OffsetMap {
    /// The map of a module compiled as it is.
    pub fn identity() -> OffsetMap {
        OffsetMap::default()
    }

    /// The user's offset of compiled offset `compiled`, if that byte came
    /// from the user's module.
    pub fn to_user(&self, compiled: u32) -> Option<u32> {
        if self.spans.is_empty() {
            return Some(compiled);
        }
        self.spans
            .iter()
            .find(|s| compiled >= s.compiled && compiled - s.compiled < s.len)
            .map(|s| s.user + (compiled - s.compiled))
    }

    /// The compiled offset of the user's offset `user`, if that byte was
    /// copied unchanged.
    pub fn to_compiled(&self, user: u32) -> Option<u32> {
        if self.spans.is_empty() {
            return Some(user);
        }
        self.spans
            .iter()
            .find(|s| user >= s.user && user - s.user < s.len)
            .map(|s| s.compiled + (user - s.user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(bytes: &[u8]) {
        wasmparser::Validator::new()
            .validate_all(bytes)
            .expect("the rewritten module is valid");
    }

    fn exports_of(bytes: &[u8]) -> Vec<(String, ExternalKind, u32)> {
        let mut out = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            if let wasmparser::Payload::ExportSection(r) = payload.unwrap() {
                for e in r {
                    let e = e.unwrap();
                    out.push((e.name.to_string(), e.kind, e.index));
                }
            }
        }
        out
    }

    /// Offsets of every instruction of every body, from a parse of `bytes`.
    fn code_offsets(bytes: &[u8]) -> Vec<usize> {
        let mut out = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut ops = body.get_operators_reader().unwrap();
                while !ops.eof() {
                    out.push(ops.original_position());
                    ops.read().unwrap();
                }
            }
        }
        out
    }

    #[test]
    fn exported_memory_is_used_as_it_is() {
        let user = wat::parse_str(r#"(module (memory (export "mem") 1))"#).unwrap();
        let m = HostModule::of(&user).unwrap();
        assert!(!m.is_rewritten());
        assert_eq!(m.memory_export(), Some("mem"));
        assert_eq!(m.bytes(&user), &user[..]);
        assert_eq!(m.offsets().to_user(5), Some(5));
    }

    #[test]
    fn no_memory_means_nothing_to_reach() {
        let user = wat::parse_str("(module (func))").unwrap();
        let m = HostModule::of(&user).unwrap();
        assert!(!m.is_rewritten());
        assert_eq!(m.memory_export(), None);
    }

    #[test]
    fn unexported_memory_is_exported_and_code_offsets_map_back() {
        let user = wat::parse_str(
            r#"(module
                 (import "dagger" "open" (func $open (param i32 i32) (result i32)))
                 (memory $mem 1)
                 (data (i32.const 200) "fd://1\00")
                 (func $main (export "main") (result i32)
                   (call $open (i32.const 200) (i32.const 0))))"#,
        )
        .unwrap();
        let m = HostModule::of(&user).unwrap();
        assert!(m.is_rewritten());
        let compiled = m.bytes(&user);
        validate(compiled);
        assert_eq!(m.memory_export(), Some(MEMORY_EXPORT));
        assert!(exports_of(compiled).contains(&(MEMORY_EXPORT.into(), ExternalKind::Memory, 0)));
        assert!(exports_of(compiled).contains(&("main".into(), ExternalKind::Func, 1)));
        let (ours, theirs) = (code_offsets(&user), code_offsets(compiled));
        assert_eq!(ours.len(), theirs.len());
        assert_ne!(ours, theirs, "the code moved");
        for (u, c) in ours.iter().zip(&theirs) {
            assert_eq!(m.offsets().to_user(*c as u32), Some(*u as u32));
            assert_eq!(m.offsets().to_compiled(*u as u32), Some(*c as u32));
            assert_eq!(user[*u], compiled[*c], "same instruction");
        }
    }

    #[test]
    fn module_without_exports_gets_an_export_section_in_order() {
        let user = wat::parse_str(
            r#"(module (memory 1) (global i32 (i32.const 1)) (start $s) (func $s))"#,
        )
        .unwrap();
        let m = HostModule::of(&user).unwrap();
        validate(m.bytes(&user));
        assert_eq!(
            exports_of(m.bytes(&user)),
            [(MEMORY_EXPORT.to_string(), ExternalKind::Memory, 0)]
        );
    }

    #[test]
    fn imported_memory_becomes_defined_with_its_limits() {
        let user = wat::parse_str(
            r#"(module
                 (import "env" "memory" (memory 2 5))
                 (import "env" "log_write" (func (param i32 i32 i32)))
                 (func (export "_start") (drop (i32.load (i32.const 70000)))))"#,
        )
        .unwrap();
        let m = HostModule::of(&user).unwrap();
        let compiled = m.bytes(&user);
        validate(compiled);
        let mut imports = Vec::new();
        let mut memories = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(compiled) {
            match payload.unwrap() {
                wasmparser::Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        imports.push(i.unwrap().name.to_string());
                    }
                }
                wasmparser::Payload::MemorySection(r) => {
                    for ty in r {
                        let ty = ty.unwrap();
                        memories.push((ty.initial, ty.maximum));
                    }
                }
                _ => {}
            }
        }
        assert_eq!(imports, ["log_write"], "the memory is no longer imported");
        assert_eq!(memories, [(2, Some(5))]);
        assert_eq!(m.memory_export(), Some(MEMORY_EXPORT));
    }

    #[test]
    fn reserved_name_taken_by_the_guest_is_avoided() {
        let user = wat::parse_str(format!(
            r#"(module (memory 1) (func (export "{MEMORY_EXPORT}")))"#
        ))
        .unwrap();
        let m = HostModule::of(&user).unwrap();
        validate(m.bytes(&user));
        assert_eq!(m.memory_export(), Some(&*format!("{MEMORY_EXPORT}_")));
    }

    #[test]
    fn offsets_outside_copied_sections_have_no_user_offset() {
        let user = wat::parse_str("(module (memory 1) (func))").unwrap();
        let m = HostModule::of(&user).unwrap();
        assert_eq!(m.offsets().to_user(u32::MAX), None);
        assert_eq!(m.offsets().to_compiled(u32::MAX), None);
    }
}
