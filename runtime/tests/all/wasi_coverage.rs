//! The WASI preview 1 surface as a whole: the runtime provides exactly the
//! 46 `wasi_snapshot_preview1` functions with the signatures the
//! specification gives, and every one of them is called by a guest in these
//! tests.

use crate::common;

use std::collections::BTreeMap;
use wasmhole_runtime::Abi;
use wasmhole_runtime::abis::{Ret, WasmTy, calls_of};

/// `name -> "(param …) (result …)"` from the specification's import list.
fn specified() -> BTreeMap<String, String> {
    common::IMPORTS
        .lines()
        .filter_map(|line| {
            let rest = line
                .trim()
                .strip_prefix("(import \"wasi_snapshot_preview1\" \"")?;
            let (name, rest) = rest.split_once('"')?;
            let sig = rest.split_once(&format!("${name}"))?.1;
            let sig = sig.trim().strip_suffix("))")?;
            Some((name.to_string(), sig.to_string()))
        })
        .collect()
}

/// The same for the runtime's call table.
fn provided() -> BTreeMap<String, String> {
    calls_of(Abi::Wasi)
        .iter()
        .map(|call| {
            let ty = |t: WasmTy| match t {
                WasmTy::I32 => "i32",
                WasmTy::I64 => "i64",
            };
            let params: Vec<_> = call.params.iter().map(|p| ty(p.ty)).collect();
            let mut sig = String::new();
            if !params.is_empty() {
                sig = format!("(param {})", params.join(" "));
            }
            if let Some(r) = call.ret.wasm_ty() {
                sig = format!("{sig} (result {})", ty(r)).trim().to_string();
            }
            assert!(
                matches!(call.ret, Ret::Errno(_) | Ret::Never),
                "{} returns something other than an errno",
                call.name
            );
            (call.name.to_string(), sig)
        })
        .collect()
}

#[test]
fn the_runtime_provides_every_specified_function_with_its_signature() {
    let specified = specified();
    assert_eq!(specified.len(), 46);
    assert_eq!(provided(), specified);
}

#[test]
fn every_function_is_called_by_some_test_guest() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/all");
    let mut sources = String::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs" || e == "wat") {
            sources.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let uncalled: Vec<_> = specified()
        .into_keys()
        .filter(|name| {
            !sources.contains(&format!("(call ${name} "))
                && !sources.contains(&format!("(call ${name})"))
        })
        .collect();
    assert!(uncalled.is_empty(), "no test guest calls {uncalled:?}");
}
