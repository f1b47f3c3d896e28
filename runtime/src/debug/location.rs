//! Where a breakpoint or "run to" points: `0xOFFSET`, a function name or
//! index, or `line N` (a WAT source line when the program has one, else a
//! disassembly line), resolved to a byte offset of an instruction.

use crate::module::program::Program;
use std::fmt;

/// A code location as a person writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A byte offset in the module.
    Offset(u32),
    /// A function, by name or index: its first instruction.
    Func(String),
    /// A line: of the WAT source if there is one, else of the disassembly (1-based).
    Line(u32),
}

/// Why a location could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    /// The text is not a location.
    #[error("`{0}` is not a location (use 0xOFFSET, a function name or index, or `line N`)")]
    Syntax(String),
    /// No such function.
    #[error("no function named `{0}`")]
    NoFunc(String),
    /// No instruction on that line.
    #[error("no instruction on line {0}")]
    NoCode(u32),
    /// The offset is not inside any function's code.
    #[error("offset {0:#x} is not inside a function's code")]
    NotCode(u32),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Offset(o) => write!(f, "{o:#x}"),
            Location::Func(name) => f.write_str(name),
            Location::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// Parses a memory address as people type it: `0x40`, `40h` or `64`.
pub fn parse_address(text: &str) -> Option<u32> {
    let t = text.trim();
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if let Some(h) = t.strip_suffix('h') {
        u32::from_str_radix(h, 16).ok()
    } else {
        t.parse().ok()
    }
}

impl Location {
    /// Parses `0x1f`, `line 12`, `main`, `$main` or `3`.
    pub fn parse(text: &str) -> Result<Location, LocationError> {
        let t = text.trim();
        if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            return u32::from_str_radix(hex, 16)
                .map(Location::Offset)
                .map_err(|_| LocationError::Syntax(t.into()));
        }
        if let Some(n) = t.strip_prefix("line") {
            return n
                .trim()
                .parse()
                .map(Location::Line)
                .map_err(|_| LocationError::Syntax(t.into()));
        }
        if t.is_empty() || t.contains(char::is_whitespace) {
            return Err(LocationError::Syntax(t.into()));
        }
        Ok(Location::Func(t.to_string()))
    }

    /// The byte offset of the instruction this location names.
    pub fn resolve(&self, program: &Program) -> Result<u32, LocationError> {
        match self {
            Location::Offset(o) => {
                program.func_at(*o).ok_or(LocationError::NotCode(*o))?;
                Ok(*o)
            }
            Location::Func(name) => program
                .find_func(name)
                .map(|b| b.first_instr)
                .ok_or_else(|| LocationError::NoFunc(name.clone())),
            Location::Line(n) => {
                let offset = match program.source_map() {
                    Some(map) => map.offsets_of_line(*n).first().copied(),
                    None => program
                        .disassembly()
                        .offset_of_line(n.saturating_sub(1) as usize)
                        .map(|o| o as u32),
                };
                offset
                    .filter(|o| program.func_at(*o).is_some())
                    .ok_or(LocationError::NoCode(*n))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(Location::parse("0x2a"), Ok(Location::Offset(42)));
        assert_eq!(Location::parse("line 7"), Ok(Location::Line(7)));
        assert_eq!(Location::parse("main"), Ok(Location::Func("main".into())));
        assert!(Location::parse("0xzz").is_err());
        assert!(Location::parse("line x").is_err());
    }

    #[test]
    fn addresses_in_hex_or_decimal() {
        assert_eq!(parse_address("0x10"), Some(16));
        assert_eq!(parse_address("10h"), Some(16));
        assert_eq!(parse_address("16"), Some(16));
        assert_eq!(parse_address("64"), Some(64));
        assert_eq!(parse_address("0x40"), Some(64));
        assert_eq!(parse_address("x"), None);
    }

    #[test]
    fn resolves_against_a_program() {
        let p = Program::from_wat(
            "t.wat",
            "(module\n (func $helper\n  nop)\n (func $main (export \"_start\")\n  call $helper))",
        )
        .unwrap();
        let helper = Location::Func("helper".into()).resolve(&p).unwrap();
        assert_eq!(p.bytes()[helper as usize], 0x01, "nop");
        assert_eq!(Location::Line(3).resolve(&p), Ok(helper));
        let call = Location::Line(5).resolve(&p).unwrap();
        assert_eq!(p.bytes()[call as usize], 0x10, "call");
        assert_eq!(Location::Offset(call).resolve(&p), Ok(call));
        assert_eq!(
            Location::Func("nope".into()).resolve(&p),
            Err(LocationError::NoFunc("nope".into()))
        );
        assert!(Location::Offset(0).resolve(&p).is_err());
    }
}
