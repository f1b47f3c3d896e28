//! Explain-cards: everything a learner needs about one host call, drawn from
//! its declarative description in the call tables (no second table): what it
//! does, each parameter and what the host does with it (which bytes it reads
//! and writes), its result, every error it can return and when, when it ends
//! the guest instead, and the calls of other ABIs that do the same. Also the
//! search behind the workbench's call reference.

use crate::abis::call::{CallSpec, Filled, Kind, Names, Param, Ret, WasmTy};
use crate::module::abi::Abi;
use std::fmt::Write as _;

/// One parameter on a card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamLine {
    /// Its name.
    pub name: &'static str,
    /// Its wasm type (`i32`, `i64`).
    pub ty: &'static str,
    /// What it is and what the host does with it.
    pub meaning: String,
}

/// One error on a card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorLine {
    /// Its name (`EBADF`).
    pub name: &'static str,
    /// The number the guest sees.
    pub value: Option<i64>,
    /// When the host returns it.
    pub when: &'static str,
}

/// Everything about one call, ready to show.
#[derive(Clone, Debug)]
pub struct Card {
    /// The call described.
    pub spec: &'static CallSpec,
    /// `fd_write(fd: i32, iovs: i32, …) -> i32`.
    pub signature: String,
    /// Each parameter.
    pub params: Vec<ParamLine>,
    /// What it returns.
    pub result: String,
    /// Every error it can return.
    pub errors: Vec<ErrorLine>,
    /// The calls of other ABIs with the same purpose.
    pub equivalents: Vec<&'static CallSpec>,
}

fn ty_name(ty: WasmTy) -> &'static str {
    match ty {
        WasmTy::I32 => "i32",
        WasmTy::I64 => "i64",
    }
}

fn param_name(spec: &CallSpec, index: u8) -> &'static str {
    spec.params.get(index as usize).map_or("?", |p| p.name)
}

/// Where the count of filled bytes is found, in words.
fn filled_text(spec: &CallSpec, filled: Filled) -> String {
    match filled {
        Filled::Result => "the result says how many".into(),
        Filled::OutParam(i) => format!("{} says how many", param_name(spec, i)),
        Filled::Whole => "all of it".into(),
    }
}

fn names_text(names: &Names) -> String {
    names
        .values
        .iter()
        .map(|(v, n, m)| format!("{v} {n} ({m})"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn flags_text(names: &Names) -> String {
    names
        .values
        .iter()
        .map(|(v, n, m)| format!("{n} = {v:#x} ({m})"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The parameter (if any) whose kind says `index` is its length or count.
fn length_of(spec: &CallSpec, index: usize) -> Option<&'static str> {
    spec.params.iter().find_map(|p| {
        let refers = match p.kind {
            Kind::Str { len } | Kind::BytesIn { len } | Kind::BytesOut { len, .. } => len,
            Kind::IovsIn { count } | Kind::IovsOut { count, .. } => count,
            Kind::StructsIn { count, .. } => count,
            _ => return None,
        };
        (refers as usize == index).then_some(p.name)
    })
}

/// The parameter (if any) that receives the count of what `index` filled.
fn count_for(spec: &CallSpec, index: usize) -> Option<&'static str> {
    spec.params.iter().find_map(|p| {
        let filled = match p.kind {
            Kind::BytesOut { filled, .. }
            | Kind::IovsOut { filled, .. }
            | Kind::StructsOut { filled, .. } => filled,
            _ => return None,
        };
        (filled == Filled::OutParam(index as u8)).then_some(p.name)
    })
}

/// What the parameter's kind says the host does with it.
fn kind_text(spec: &CallSpec, index: usize, p: &Param) -> String {
    let name = |i: u8| param_name(spec, i);
    match p.kind {
        Kind::Fd if spec.abi == Abi::Olin => {
            "a resource id: the host looks it up in the process's descriptor table".into()
        }
        Kind::Fd => "a descriptor: the host looks it up in the process's descriptor table".into(),
        Kind::Int | Kind::Ptr | Kind::Nanos => String::new(),
        Kind::Len => match (length_of(spec, index), count_for(spec, index)) {
            (Some(of), _) => format!("the length of {of}"),
            (None, Some(of)) => format!("the size of {of}'s buffer"),
            (None, None) => String::new(),
        },
        Kind::Str { len } => format!(
            "address of UTF-8 text: the host reads {} bytes here",
            name(len)
        ),
        Kind::CStr => {
            "address of text ending in a NUL byte: the host reads up to the NUL".into()
        }
        Kind::BytesIn { len } => format!("address of bytes: the host reads {} bytes here", name(len)),
        Kind::BytesOut { len, filled } => format!(
            "address of a buffer: the host writes up to {} bytes here ({})",
            name(len),
            filled_text(spec, filled)
        ),
        Kind::IovsIn { count } => format!(
            "address of {} iovecs, (pointer, length) pairs of two little-endian u32s (8 bytes each): the host reads the pairs, then the bytes each one points at, in order",
            name(count)
        ),
        Kind::IovsOut { count, filled } => format!(
            "address of {} iovecs, (pointer, length) pairs of two little-endian u32s (8 bytes each): the host reads the pairs, then fills the buffers they point at, in order ({})",
            name(count),
            filled_text(spec, filled)
        ),
        Kind::Flags(names) => format!("bits: {}", flags_text(names)),
        Kind::Enum(names) => format!("one of: {}", names_text(names)),
        Kind::OutCStrings => {
            "address of a buffer: the host writes the strings here, one after another, each ended by a NUL byte".into()
        }
        Kind::OutU32 => {
            "an out-pointer: the host writes a u32 here (4 bytes, little-endian)".into()
        }
        Kind::OutU64 => {
            "an out-pointer: the host writes a u64 here (8 bytes, little-endian)".into()
        }
        Kind::OutFd => {
            "an out-pointer: the host writes the new descriptor's number here (4 bytes, little-endian)".into()
        }
        Kind::OutStruct(s) => format!(
            "an out-pointer: the host writes a {} here ({} bytes: {})",
            s.name,
            s.size,
            fields_text(s)
        ),
        Kind::StructsIn { spec: s, count } => format!(
            "address of {} {} structs ({} bytes each: {}): the host reads them",
            name(count),
            s.name,
            s.size,
            fields_text(s)
        ),
        Kind::StructsOut { spec: s, filled } => format!(
            "address of a buffer: the host writes one {} ({} bytes: {}) per result ({})",
            s.name,
            s.size,
            fields_text(s),
            filled_text(spec, filled)
        ),
    }
}

fn fields_text(s: &crate::abis::call::StructSpec) -> String {
    s.fields
        .iter()
        .map(|(name, offset, width, _)| format!("{name} at +{offset}, {width} bytes"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a parameter needs its own words because its kind says nothing
/// about it (plain numbers, bare addresses, lengths of nothing else).
pub fn needs_doc(spec: &CallSpec, index: usize) -> bool {
    match spec.params[index].kind {
        Kind::Int | Kind::Ptr | Kind::Nanos => true,
        Kind::Len => length_of(spec, index).is_none() && count_for(spec, index).is_none(),
        _ => false,
    }
}

fn result_text(spec: &CallSpec) -> String {
    match spec.ret {
        Ret::Void => "nothing".into(),
        Ret::Never => "never returns: the guest ends here".into(),
        Ret::I32 => "an i32 value (never an error)".into(),
        Ret::I64 => "an i64 value (never an error)".into(),
        Ret::Errno(_) => {
            "an errno (i32): 0, SUCCESS, when it worked, else one of the errors below; results the guest asked for arrive through its out-pointers"
                .into()
        }
        Ret::FdOrError(_) => {
            "an i32: the new descriptor (the lowest free number) when it is 0 or more; a negative error below when it fails"
                .into()
        }
        Ret::I32OrError(_) => {
            let count = spec.params.iter().any(|p| {
                matches!(
                    p.kind,
                    Kind::BytesOut {
                        filled: Filled::Result,
                        ..
                    } | Kind::BytesIn { .. }
                )
            });
            if count {
                "an i32: how many bytes it moved when it is 0 or more; a negative error below when it fails".into()
            } else {
                "an i32: 0 or more when it worked; a negative error below when it fails".into()
            }
        }
    }
}

/// The card for one call.
pub fn card(spec: &'static CallSpec) -> Card {
    let params = spec
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let kind = kind_text(spec, i, p);
            let meaning = match (p.doc.is_empty(), kind.is_empty()) {
                (false, false) => format!("{}; {kind}", p.doc),
                (false, true) => p.doc.to_string(),
                (true, _) => kind,
            };
            ParamLine {
                name: p.name,
                ty: ty_name(p.ty),
                meaning,
            }
        })
        .collect();
    let names = spec.error_names();
    let errors = spec
        .errors
        .iter()
        .map(|e| ErrorLine {
            name: e.name,
            value: names.and_then(|n| n.values.iter().find(|v| v.1 == e.name).map(|v| v.0)),
            when: e.when,
        })
        .collect();
    let args: Vec<String> = spec
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, ty_name(p.ty)))
        .collect();
    let ret = match spec.ret.wasm_ty() {
        Some(t) => format!(" -> {}", ty_name(t)),
        None => String::new(),
    };
    Card {
        spec,
        signature: format!("{}({}){ret}", spec.name, args.join(", ")),
        params,
        result: result_text(spec),
        errors,
        equivalents: crate::abis::equivalents(spec),
    }
}

impl Card {
    /// The card as Markdown (for the reference, the terminal and docs).
    pub fn markdown(&self) -> String {
        let spec = self.spec;
        let mut out = String::new();
        let _ = writeln!(out, "### {} · {}\n", spec.name, spec.abi);
        let _ = writeln!(out, "`{}`\n", self.signature);
        if !spec.aliases.is_empty() {
            let _ = writeln!(out, "Also imported as {}.\n", spec.aliases.join(", "));
        }
        let _ = writeln!(out, "{}\n", spec.explain);
        if !self.params.is_empty() {
            let _ = writeln!(out, "**Parameters**\n");
            for p in &self.params {
                let _ = writeln!(out, "- `{}` ({}): {}", p.name, p.ty, p.meaning);
            }
            out.push('\n');
        }
        let _ = writeln!(out, "**Result**: {}\n", self.result);
        if spec.error_names().is_some() {
            let _ = writeln!(out, "**Errors**\n");
            if self.errors.is_empty() {
                let _ = writeln!(out, "- none: it always succeeds");
            }
            for e in &self.errors {
                let value = e.value.map(|v| format!("{v} ")).unwrap_or_default();
                let _ = writeln!(out, "- {value}`{}`: {}", e.name, e.when);
            }
            out.push('\n');
        }
        if !spec.kills.is_empty() {
            let _ = writeln!(
                out,
                "**Ends the guest when** {}.\n",
                spec.kills.join("; or ")
            );
        }
        let _ = writeln!(out, "**In other ABIs**: {}", self.elsewhere());
        out
    }

    /// The equivalent calls in other ABIs and how each ABI does this, in
    /// a sentence or two.
    pub fn elsewhere(&self) -> String {
        let Some(purpose) = self.spec.purpose else {
            return format!("only {} has a call for this.", self.spec.abi);
        };
        let calls: Vec<String> = self
            .equivalents
            .iter()
            .map(|c| format!("{}: {}", c.abi, c.name))
            .collect();
        if calls.is_empty() {
            purpose.across_abis().to_string()
        } else {
            format!("{}. {}", calls.join("; "), purpose.across_abis())
        }
    }
}

/// Calls whose name, alias, ABI or explanation contains every word of
/// `query` (case-insensitive), names matching first.
pub fn search(query: &str) -> Vec<&'static CallSpec> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let mut hits: Vec<(u8, &'static CallSpec)> = crate::abis::all_calls()
        .filter_map(|c| {
            let name = c.name.to_ascii_lowercase();
            let text = format!(
                "{} {} {} {} {}",
                name,
                c.aliases.join(" "),
                c.abi.name(),
                c.abi,
                c.explain
            )
            .to_ascii_lowercase();
            if !words.iter().all(|w| text.contains(w.as_str())) {
                return None;
            }
            let rank = if words.contains(&name) {
                0
            } else if words.iter().any(|w| name.contains(w.as_str())) {
                1
            } else {
                2
            };
            Some((rank, c))
        })
        .collect();
    hits.sort_by_key(|(rank, _)| *rank);
    hits.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abis::{all_calls, find};

    /// Every call of every ABI has a complete card: an explanation, words
    /// for every parameter, a result, errors that exist in its ABI's table,
    /// and equivalents that point back.
    #[test]
    fn every_call_has_a_complete_card() {
        let mut count = 0;
        for spec in all_calls() {
            count += 1;
            let card = card(spec);
            let who = format!("{} {}", spec.abi.name(), spec.name);
            assert!(spec.explain.len() > 20, "{who}: no explanation");
            assert_eq!(card.params.len(), spec.params.len());
            for (i, p) in card.params.iter().enumerate() {
                assert!(
                    !p.meaning.is_empty(),
                    "{who}: parameter {} is unexplained",
                    p.name
                );
                if needs_doc(spec, i) {
                    assert!(
                        !spec.params[i].doc.is_empty(),
                        "{who}: {} needs words",
                        p.name
                    );
                }
            }
            assert!(!card.result.is_empty());
            match spec.error_names() {
                Some(names) => {
                    for e in &card.errors {
                        assert!(
                            e.value.is_some(),
                            "{who}: error {} is not in the {} table",
                            e.name,
                            names.name
                        );
                        assert!(!e.when.is_empty(), "{who}: when does {} happen?", e.name);
                    }
                }
                None => assert!(spec.errors.is_empty(), "{who} returns no errors"),
            }
            for other in &card.equivalents {
                assert!(
                    crate::abis::equivalents(other)
                        .iter()
                        .any(|c| std::ptr::eq(*c, spec)),
                    "{who} and {} {} are each other's equivalents",
                    other.abi.name(),
                    other.name
                );
            }
            let text = card.markdown();
            assert!(text.contains(spec.name) && text.contains(spec.explain));
        }
        let tables: usize = Abi::ALL
            .iter()
            .map(|a| crate::abis::calls_of(*a).len())
            .sum();
        assert_eq!(count, tables);
    }

    #[test]
    fn a_card_says_which_bytes_the_host_reads_and_writes() {
        let card = card(find(Abi::Wasi, "fd_write").unwrap());
        assert_eq!(
            card.signature,
            "fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32) -> i32"
        );
        let iovs = &card.params[1];
        assert!(iovs.meaning.contains("iovs_len iovecs"), "{}", iovs.meaning);
        assert!(iovs.meaning.contains("8 bytes each"));
        assert_eq!(card.params[2].meaning, "the length of iovs");
        assert!(
            card.params[3]
                .meaning
                .contains("writes a u32 here (4 bytes")
        );
        let badf = card.errors.iter().find(|e| e.name == "EBADF").unwrap();
        assert_eq!(badf.value, Some(8));
        let names: Vec<_> = card.equivalents.iter().map(|c| c.name).collect();
        assert_eq!(names, ["write", "resource_write", "h"]);
        assert!(card.markdown().contains("output limit"));
    }

    #[test]
    fn calls_without_equivalents_say_how_other_abis_manage() {
        let log = card(find(Abi::Olin, "log_write").unwrap());
        assert!(log.equivalents.is_empty());
        assert!(log.elsewhere().contains("log://"), "{}", log.elsewhere());
        let advise = card(find(Abi::Wasi, "fd_advise").unwrap());
        assert_eq!(
            advise.elsewhere(),
            "only WASI preview 1 has a call for this."
        );
    }

    #[test]
    fn search_finds_calls_by_name_first_then_by_words() {
        let hits = search("write");
        assert_eq!(hits[0].name, "write");
        assert!(hits.iter().any(|c| c.name == "fd_write"));
        assert!(search("olin random").iter().all(|c| c.abi == Abi::Olin));
        assert!(search("no such call anywhere").is_empty());
    }
}
