//! Text disassembly of a module (from `wasmprinter`) with each line's byte
//! offset, so a program counter maps to a line and a line to an offset.

/// One line of disassembly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisasmLine {
    /// Byte offset in the module of the item or instruction on this line.
    pub offset: Option<usize>,
    /// The text, without a trailing newline.
    pub text: String,
}

/// The whole module as text, line by line.
#[derive(Clone, Debug, Default)]
pub struct Disassembly {
    lines: Vec<DisasmLine>,
    /// (offset, line index) for every line with an offset, sorted by offset.
    by_offset: Vec<(usize, usize)>,
}

impl Disassembly {
    /// A disassembly that was not made, with one line saying why.
    pub fn not_made(why: String) -> Disassembly {
        Disassembly {
            lines: vec![DisasmLine {
                offset: None,
                text: why,
            }],
            by_offset: Vec::new(),
        }
    }

    /// Disassembles a binary module. An unprintable module gives one line
    /// saying why rather than failing.
    pub fn of(bytes: &[u8]) -> Disassembly {
        let mut storage = String::new();
        let mut config = wasmprinter::Config::new();
        config.fold_instructions(false);
        let lines: Vec<DisasmLine> = match config.offsets_and_lines(bytes, &mut storage) {
            Ok(iter) => {
                let mut debug_sections = Vec::new();
                let mut lines: Vec<DisasmLine> = iter
                    .map(|(offset, text)| DisasmLine {
                        offset,
                        text: text.trim_end_matches('\n').to_string(),
                    })
                    .filter(|l| match debug_section(&l.text) {
                        Some(name) => {
                            debug_sections.push(name.to_string());
                            false
                        }
                        None => true,
                    })
                    .collect();
                if !debug_sections.is_empty() {
                    // Said where the sections were: before the module's closing parenthesis.
                    let at = lines
                        .iter()
                        .rposition(|l| l.text.trim() == ")")
                        .unwrap_or(lines.len());
                    lines.insert(
                        at,
                        DisasmLine {
                            offset: None,
                            text: format!(
                                "  ;; debug information not shown: {}",
                                debug_sections.join(", ")
                            ),
                        },
                    );
                }
                lines
            }
            Err(e) => vec![DisasmLine {
                offset: None,
                text: format!(";; cannot disassemble: {e}"),
            }],
        };
        let mut by_offset: Vec<(usize, usize)> = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.offset.map(|o| (o, i)))
            .collect();
        by_offset.sort();
        by_offset.dedup_by_key(|(o, _)| *o);
        Disassembly { lines, by_offset }
    }

    /// All lines (DWARF sections are left out: they are bytes, not code).
    pub fn lines(&self) -> &[DisasmLine] {
        &self.lines
    }

    /// The line whose instruction starts at or most recently before `offset`.
    pub fn line_of_offset(&self, offset: usize) -> Option<usize> {
        match self.by_offset.binary_search_by_key(&offset, |(o, _)| *o) {
            Ok(i) => Some(self.by_offset[i].1),
            Err(0) => None,
            Err(i) => Some(self.by_offset[i - 1].1),
        }
    }

    /// The offset of the first line after `offset` that has one: for an
    /// instruction, the next instruction.
    pub fn next_offset(&self, offset: usize) -> Option<usize> {
        let i = self.by_offset.partition_point(|(o, _)| *o <= offset);
        self.by_offset.get(i).map(|(o, _)| *o)
    }

    /// The byte offset of a line (0-based), if it has one.
    pub fn offset_of_line(&self, line: usize) -> Option<usize> {
        self.lines.get(line).and_then(|l| l.offset)
    }
}

/// The name of a DWARF custom section printed on this line, if it is one.
fn debug_section(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix("(@custom \"")?;
    let name = &rest[..rest.find('"')?];
    name.starts_with(".debug_").then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dwarf_sections_are_named_not_dumped() {
        let p =
            crate::Program::from_wat("d.wat", "(module (func (result i32) i32.const 7))").unwrap();
        let d = p.disassembly();
        let text: Vec<&str> = d.lines().iter().map(|l| l.text.as_str()).collect();
        assert!(
            text.iter().all(|l| !l.contains("@custom \".debug")),
            "{text:#?}"
        );
        let note = text
            .iter()
            .find(|l| l.contains("debug information not shown"))
            .expect("a note says what was left out");
        assert!(note.contains(".debug_line"), "{note}");
        assert_eq!(text.last().map(|l| l.trim()), Some(")"));
        assert!(text.iter().any(|l| l.trim() == "i32.const 7"));
    }

    #[test]
    fn maps_offsets_to_lines_and_back() {
        let bytes =
            wat::parse_str("(module (func (result i32) i32.const 7 i32.const 8 i32.add))").unwrap();
        let d = Disassembly::of(&bytes);
        let add = d
            .lines()
            .iter()
            .position(|l| l.text.trim() == "i32.add")
            .expect("an i32.add line");
        let off = d.offset_of_line(add).unwrap();
        assert_eq!(bytes[off], 0x6a, "offset points at the i32.add opcode");
        assert_eq!(d.line_of_offset(off), Some(add));
        let konst = d.offset_of_line(add - 1).unwrap();
        assert_eq!(
            d.line_of_offset(konst + 1),
            Some(add - 1),
            "mid-instruction maps to its line"
        );
    }
}
