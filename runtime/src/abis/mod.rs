//! The ABIs: each one's call table (`wasi`, `dagger`, `olin`, `h`), built
//! from the call description types (`call`), and the registry of every
//! table, here, above them. The calls Dagger and Olin share on streams
//! opened by URL are in `stream_calls`. Below: the module and the sandbox;
//! nothing here knows how calls are recorded, replayed or run.

pub mod call;
pub mod dagger;
pub mod h;
pub mod olin;
pub mod stream_calls;
pub mod wasi;

pub use call::{
    CallContext, CallImpl, CallSpec, ErrorCase, Fatal, FieldShow, Filled, Kind, Names, Param,
    Purpose, Ret, StructSpec, WasmTy,
};

use crate::module::abi::Abi;
use crate::sandbox::process::{Process, ProcessConfig, SetupError};

/// A process for `guest` under `abi`, its descriptor table laid out as the
/// ABI expects (WASI's standard streams and preopened folders, Olin's
/// standard resources; Dagger and h start with none).
pub fn process(guest: &str, abi: Abi, config: ProcessConfig) -> Result<Process, SetupError> {
    let mut process = Process::new(guest, abi, config)?;
    match abi {
        Abi::Wasi => wasi::setup_descriptors(&mut process),
        Abi::Olin => olin::setup_descriptors(&mut process),
        Abi::Dagger | Abi::H => {}
    }
    process.fds.setup_done();
    Ok(process)
}

/// All calls of all ABIs.
pub fn all_calls() -> impl Iterator<Item = &'static CallSpec> {
    Abi::ALL.into_iter().flat_map(|abi| calls_of(abi).iter())
}

/// The calls of one ABI.
pub fn calls_of(abi: Abi) -> &'static [CallSpec] {
    match abi {
        Abi::Wasi => wasi::CALLS,
        Abi::Dagger => dagger::CALLS,
        Abi::Olin => olin::CALLS,
        Abi::H => h::CALLS,
    }
}

/// The calls of other ABIs with the same purpose as `call`.
pub fn equivalents(call: &CallSpec) -> Vec<&'static CallSpec> {
    let Some(purpose) = call.purpose else {
        return Vec::new();
    };
    all_calls()
        .filter(|c| c.abi != call.abi && c.purpose == Some(purpose))
        .collect()
}

/// Looks up a call by ABI and import name (or alias).
pub fn find(abi: Abi, name: &str) -> Option<&'static CallSpec> {
    calls_of(abi)
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abis::call::{Filled, Kind};

    #[test]
    fn each_stream_abi_has_one_closing_call() {
        for abi in [Abi::Wasi, Abi::Dagger, Abi::Olin] {
            let closing: Vec<_> = calls_of(abi)
                .iter()
                .filter(|c| c.closes_descriptor())
                .map(|c| c.name)
                .collect();
            assert_eq!(closing.len(), 1, "{abi}: {closing:?}");
        }
    }

    #[test]
    fn every_call_is_well_formed() {
        for call in all_calls() {
            assert!(
                !call.explain.is_empty(),
                "{} lacks an explanation",
                call.name
            );
            let n = call.params.len() as u8;
            for p in call.params {
                let filled_ref = |f: Filled| match f {
                    Filled::OutParam(i) => vec![i],
                    _ => vec![],
                };
                let refs: Vec<u8> = match p.kind {
                    Kind::Str { len } | Kind::BytesIn { len } => vec![len],
                    Kind::BytesOut { len, filled } => [vec![len], filled_ref(filled)].concat(),
                    Kind::IovsIn { count } | Kind::StructsIn { count, .. } => vec![count],
                    Kind::IovsOut { count, filled } => [vec![count], filled_ref(filled)].concat(),
                    Kind::StructsOut { filled, .. } => filled_ref(filled),
                    _ => vec![],
                };
                for r in refs {
                    assert!(r < n, "{}: {} refers to parameter {r}", call.name, p.name);
                }
            }
        }
    }

    #[test]
    fn opens_say_they_return_descriptors() {
        assert!(find(Abi::Dagger, "open").unwrap().ret_is_descriptor());
        assert!(
            find(Abi::Olin, "resource_open")
                .unwrap()
                .ret_is_descriptor()
        );
        assert!(!find(Abi::Dagger, "read").unwrap().ret_is_descriptor());
        assert!(!find(Abi::Wasi, "path_open").unwrap().ret_is_descriptor());
    }
}
