//! Maps byte offsets of a module compiled from WAT back to lines of the
//! user's text, through the DWARF line table the WAT encoder emits.

use gimli::{EndianSlice, LittleEndian};
use std::collections::HashMap;

/// Offset ⇄ WAT line and column, for one module.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// (module byte offset, 1-based line, 1-based column or 0 when not
    /// known), sorted by offset.
    rows: Vec<(u32, u32, u32)>,
}

impl SourceMap {
    /// Reads the DWARF line table of a module, if it has one.
    pub fn from_module(bytes: &[u8]) -> Option<SourceMap> {
        let mut sections: HashMap<&str, &[u8]> = HashMap::new();
        let mut code_start = None;
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            match payload.ok()? {
                wasmparser::Payload::CustomSection(s) if s.name().starts_with(".debug_") => {
                    sections.insert(s.name(), s.data());
                }
                wasmparser::Payload::CodeSectionStart { range, count, .. } => {
                    // Line addresses count from just past the function count.
                    let count_len = (32 - count.max(1).leading_zeros()).div_ceil(7) as usize;
                    code_start = Some(range.start + count_len);
                }
                _ => {}
            }
        }
        let code_start = code_start? as u64;
        if !sections.contains_key(".debug_line") {
            return None;
        }
        let load = |id: gimli::SectionId| -> Result<EndianSlice<'_, LittleEndian>, gimli::Error> {
            Ok(EndianSlice::new(
                sections.get(id.name()).copied().unwrap_or(&[]),
                LittleEndian,
            ))
        };
        let dwarf = gimli::Dwarf::load(load).ok()?;
        let mut rows = Vec::new();
        let mut units = dwarf.units();
        while let Ok(Some(header)) = units.next() {
            let Ok(unit) = dwarf.unit(header) else {
                continue;
            };
            let Some(program) = unit.line_program.clone() else {
                continue;
            };
            let mut iter = program.rows();
            while let Ok(Some((_, row))) = iter.next_row() {
                if row.end_sequence() {
                    continue;
                }
                if let Some(line) = row.line() {
                    let column = match row.column() {
                        gimli::ColumnType::LeftEdge => 0,
                        gimli::ColumnType::Column(c) => c.get() as u32,
                    };
                    rows.push((
                        (code_start + row.address()) as u32,
                        line.get() as u32,
                        column,
                    ));
                }
            }
        }
        // Where one offset has several rows, the last emitted describes the
        // instruction there (earlier ones describe what encloses it).
        rows.sort_by_key(|(offset, ..)| *offset);
        let mut kept: Vec<(u32, u32, u32)> = Vec::with_capacity(rows.len());
        for row in rows {
            match kept.last_mut() {
                Some(last) if last.0 == row.0 => *last = row,
                _ => kept.push(row),
            }
        }
        let rows = kept;
        (!rows.is_empty()).then_some(SourceMap { rows })
    }

    /// The WAT line of the instruction at (or last before) `offset`.
    pub fn line_of(&self, offset: u32) -> Option<u32> {
        self.position_of(offset).map(|(line, _)| line)
    }

    /// The WAT line and column (1-based; 0 when not known) of the
    /// instruction at (or last before) `offset`.
    pub fn position_of(&self, offset: u32) -> Option<(u32, u32)> {
        let i = match self.rows.binary_search_by_key(&offset, |(o, ..)| *o) {
            Ok(i) => i,
            Err(0) => return None,
            Err(i) => i - 1,
        };
        let (_, line, column) = self.rows[i];
        Some((line, column))
    }

    /// The offsets of instructions on a WAT line, lowest first.
    pub fn offsets_of_line(&self, line: u32) -> Vec<u32> {
        self.rows
            .iter()
            .filter(|(_, l, _)| *l == line)
            .map(|(o, ..)| *o)
            .collect()
    }

    /// The first line at or after `line` that has an instruction, with
    /// that instruction's offset.
    pub fn first_code_at_or_after(&self, line: u32) -> Option<(u32, u32)> {
        self.rows
            .iter()
            .filter(|(_, l, _)| *l >= line)
            .min_by_key(|(o, l, _)| (*l, *o))
            .map(|(o, l, _)| (*l, *o))
    }
}

#[cfg(test)]
mod tests {
    use crate::module::program::Program;

    #[test]
    fn lines_are_right_with_many_functions() {
        // 130 functions make the function count a two-byte LEB.
        let mut text = String::from("(module\n");
        for i in 0..130 {
            text.push_str(&format!("  (func $f{i} (result i32)\n    i32.const {i})\n"));
        }
        text.push(')');
        let p = Program::from_wat("many.wat", &text).unwrap();
        let map = p.source_map().unwrap();
        for (i, body) in p.func_bodies().iter().enumerate() {
            assert_eq!(map.line_of(body.first_instr), Some(3 + 2 * i as u32));
            assert_eq!(p.bytes()[body.first_instr as usize], 0x41);
        }
    }

    #[test]
    fn instructions_sharing_a_line_have_their_own_columns() {
        let text = "(module\n  (func (result i32)\n    i32.const 1 i32.const 2 i32.add))";
        let p = Program::from_wat("cols.wat", text).unwrap();
        let map = p.source_map().unwrap();
        let offsets = map.offsets_of_line(3);
        // The three instructions, then the function's `end` at `))`.
        assert_eq!(offsets.len(), 4, "four instructions on line 3");
        let columns: Vec<u32> = offsets[..3]
            .iter()
            .map(|o| map.position_of(*o).unwrap().1)
            .collect();
        assert_eq!(columns, vec![5, 17, 29]);
        assert_eq!(map.first_code_at_or_after(2), Some((3, offsets[0])));
    }
}
