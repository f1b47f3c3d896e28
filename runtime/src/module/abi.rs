//! The guest ABIs wasmhole knows, and how a module's imports reveal which one it speaks.

use serde::Serialize;
use std::fmt;

/// A family of host imports a guest can be written against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Abi {
    /// WASI preview 1 (`wasi_snapshot_preview1`).
    Wasi,
    /// Dagger (`dagger`): everything is a stream opened by URL.
    Dagger,
    /// Olin / CommonWA (`cwa`, or `env` for guests built that way).
    Olin,
    /// The `h` toy language: one import, `h.h(i32)`, writing one byte.
    H,
}

impl Abi {
    /// Every ABI, in the order menus list them.
    pub const ALL: [Abi; 4] = [Abi::Wasi, Abi::Dagger, Abi::Olin, Abi::H];

    /// The short lowercase name used on the command line and in traces.
    pub fn name(self) -> &'static str {
        match self {
            Abi::Wasi => "wasi",
            Abi::Dagger => "dagger",
            Abi::Olin => "olin",
            Abi::H => "h",
        }
    }

    /// Parses a command-line spelling (`wasi`, `dagger`, `olin`/`cwa`, `h`).
    pub fn parse(text: &str) -> Option<Abi> {
        match text.to_ascii_lowercase().as_str() {
            "wasi" | "wasip1" | "wasi_snapshot_preview1" => Some(Abi::Wasi),
            "dagger" => Some(Abi::Dagger),
            "olin" | "cwa" | "commonwa" => Some(Abi::Olin),
            "h" => Some(Abi::H),
            _ => None,
        }
    }

    /// The import module names whose functions this ABI provides.
    pub fn import_modules(self) -> &'static [&'static str] {
        match self {
            Abi::Wasi => &["wasi_snapshot_preview1", "wasi_unstable"],
            Abi::Dagger => &["dagger"],
            Abi::Olin => &["cwa", "env"],
            Abi::H => &["h"],
        }
    }

    /// Which ABI an import module name belongs to, if any. `env` is Olin's only
    /// when the function name is one of Olin's; see [`detect`].
    fn of_module(module: &str) -> Option<Abi> {
        match module {
            "wasi_snapshot_preview1" | "wasi_unstable" => Some(Abi::Wasi),
            "dagger" => Some(Abi::Dagger),
            "cwa" | "env" => Some(Abi::Olin),
            "h" => Some(Abi::H),
            _ => None,
        }
    }
}

impl fmt::Display for Abi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Abi::Wasi => "WASI preview 1",
            Abi::Dagger => "Dagger",
            Abi::Olin => "Olin (CommonWA)",
            Abi::H => "h",
        })
    }
}

/// Detects the ABI from `(module, name)` import pairs: the ABI that provides
/// the most imported functions wins. A module with no ABI imports at all
/// (pure computation) is taken as WASI, whose entry point convention
/// (`_start`) it most likely follows.
pub fn detect<'a>(imports: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Abi> {
    let mut counts = [0usize; 4];
    let mut any = false;
    for (module, _name) in imports {
        any = true;
        if let Some(abi) = Abi::of_module(module) {
            counts[Abi::ALL.iter().position(|a| *a == abi).unwrap_or(0)] += 1;
        }
    }
    let (best, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, usize::MAX - i))
        .map(|(i, n)| (Abi::ALL[i], *n))?;
    if n > 0 {
        Some(best)
    } else if !any {
        Some(Abi::Wasi)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_module_name() {
        assert_eq!(
            detect([("wasi_snapshot_preview1", "fd_write")]),
            Some(Abi::Wasi)
        );
        assert_eq!(
            detect([("dagger", "open"), ("dagger", "write")]),
            Some(Abi::Dagger)
        );
        assert_eq!(detect([("cwa", "log_write")]), Some(Abi::Olin));
        assert_eq!(detect([("env", "resource_open")]), Some(Abi::Olin));
        assert_eq!(detect([("h", "h")]), Some(Abi::H));
        assert_eq!(detect([]), Some(Abi::Wasi));
        assert_eq!(detect([("mystery", "f")]), None);
    }

    #[test]
    fn parses_cli_spellings() {
        assert_eq!(Abi::parse("CWA"), Some(Abi::Olin));
        assert_eq!(Abi::parse("wasi"), Some(Abi::Wasi));
        assert_eq!(Abi::parse("nope"), None);
    }
}
