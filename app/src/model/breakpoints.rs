//! Breakpoints as a person sets them: on an instruction (Disassembly
//! gutter) or on a WAT line (Source gutter), each kept with both its offset
//! and its line, so it shows in both panels and in the Breakpoints list, and
//! so it follows its line when the text is edited and compiled again.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wasmhole_runtime::Program;

/// One breakpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Breakpoint {
    /// The instruction's byte offset in the module.
    pub offset: u32,
    /// The WAT line it belongs to, for programs compiled from WAT.
    pub line: Option<u32>,
}

/// What a toggle did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Toggled {
    /// A breakpoint was added at this offset.
    Added(u32),
    /// Breakpoints at these offsets were removed.
    Removed,
}

/// The breakpoints of the program on show, by offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Breakpoints {
    by_offset: BTreeMap<u32, Option<u32>>,
}

impl Breakpoints {
    /// Whether there is a breakpoint at `offset`.
    pub fn contains(&self, offset: u32) -> bool {
        self.by_offset.contains_key(&offset)
    }

    /// Whether a breakpoint is on WAT line `line`.
    pub fn on_line(&self, line: u32) -> bool {
        self.by_offset.values().any(|l| *l == Some(line))
    }

    /// Every breakpoint, by offset.
    pub fn iter(&self) -> impl Iterator<Item = Breakpoint> + '_ {
        self.by_offset.iter().map(|(offset, line)| Breakpoint {
            offset: *offset,
            line: *line,
        })
    }

    /// Number of breakpoints.
    pub fn len(&self) -> usize {
        self.by_offset.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_offset.is_empty()
    }

    /// Forgets them all.
    pub fn clear(&mut self) {
        self.by_offset.clear();
    }

    /// Adds one.
    pub fn insert(&mut self, b: Breakpoint) {
        self.by_offset.insert(b.offset, b.line);
    }

    /// Removes the one at `offset`; returns whether there was one.
    pub fn remove(&mut self, offset: u32) -> bool {
        self.by_offset.remove(&offset).is_some()
    }

    /// Sets or clears a breakpoint on the instruction at `offset`.
    pub fn toggle_offset(&mut self, program: &Program, offset: u32) -> Toggled {
        if self.remove(offset) {
            return Toggled::Removed;
        }
        let line = program.source_map().and_then(|m| m.line_of(offset));
        self.by_offset.insert(offset, line);
        Toggled::Added(offset)
    }

    /// Sets or clears a breakpoint on WAT line `line`: it goes on the
    /// line's first instruction, or on the first line after it that has
    /// one. Returns the breakpoints removed, or the one added.
    pub fn toggle_line(&mut self, program: &Program, line: u32) -> Result<Toggled, String> {
        let on_line: Vec<u32> = self
            .by_offset
            .iter()
            .filter(|(_, l)| **l == Some(line))
            .map(|(o, _)| *o)
            .collect();
        if !on_line.is_empty() {
            for o in on_line {
                self.by_offset.remove(&o);
            }
            return Ok(Toggled::Removed);
        }
        let (line, offset) = code_at_or_after(program, line)?;
        self.by_offset.insert(offset, Some(line));
        Ok(Toggled::Added(offset))
    }

    /// Carries the breakpoints over to a new compile of edited text: each
    /// follows its line through the edit (lines inserted or removed above
    /// it move it) and lands on that line's first instruction. Returns a
    /// note for each breakpoint that could not be kept.
    pub fn follow_edit(&mut self, old_text: &str, new_text: &str, new: &Program) -> Vec<String> {
        let moved = line_mapping(old_text, new_text);
        let mut lost = Vec::new();
        let old = std::mem::take(&mut self.by_offset);
        for (offset, line) in old {
            let Some(line) = line else {
                // Set on an instruction with no line: its offset is all we have.
                if new.func_at(offset).is_some() {
                    self.by_offset.insert(offset, None);
                }
                continue;
            };
            let target = moved(line);
            match target.map(|l| code_at_or_after(new, l)) {
                Some(Ok((l, o))) => {
                    self.by_offset.insert(o, Some(l));
                }
                _ => lost.push(format!(
                    "the breakpoint on line {line} was removed: no code follows it now"
                )),
            }
        }
        lost
    }

    /// The breakpoints to remember with a file: lines for WAT programs,
    /// offsets for binaries.
    pub fn saved(&self) -> Vec<SavedBreakpoint> {
        self.iter()
            .map(|b| match b.line {
                Some(line) => SavedBreakpoint::Line(line),
                None => SavedBreakpoint::Offset(b.offset),
            })
            .collect()
    }

    /// Breakpoints remembered with a file, placed in `program` (ones that
    /// no longer fit are left out).
    pub fn restore(program: &Program, saved: &[SavedBreakpoint]) -> Breakpoints {
        let mut b = Breakpoints::default();
        for s in saved {
            match *s {
                SavedBreakpoint::Line(line) => {
                    if let Ok((l, o)) = code_at_or_after(program, line) {
                        b.by_offset.insert(o, Some(l));
                    }
                }
                SavedBreakpoint::Offset(o) => {
                    if program.func_at(o).is_some() {
                        b.toggle_offset(program, o);
                    }
                }
            }
        }
        b
    }
}

/// A breakpoint as remembered between runs of the workbench.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SavedBreakpoint {
    /// On a WAT line.
    Line(u32),
    /// On an instruction offset (binary modules).
    Offset(u32),
}

/// The first instruction on `line`, or on the first line after it with one.
fn code_at_or_after(program: &Program, line: u32) -> Result<(u32, u32), String> {
    let map = program
        .source_map()
        .ok_or("this program has no WAT lines: set breakpoints in the Disassembly")?;
    map.first_code_at_or_after(line)
        .ok_or_else(|| format!("no instruction on or after line {line}"))
}

/// Where each line of `old` is in `new` (1-based): unchanged lines move
/// with the edit; a changed line maps to the start of what replaced it; a
/// deleted line to the line that now follows the deletion.
fn line_mapping(old: &str, new: &str) -> impl Fn(u32) -> Option<u32> {
    let diff = similar::TextDiff::from_lines(old, new);
    let ops: Vec<_> = diff.ops().iter().map(|op| op.as_tag_tuple()).collect();
    move |line: u32| {
        let i = (line as usize).checked_sub(1)?;
        ops.iter()
            .find(|(_, o, _)| o.contains(&i))
            .map(|(tag, o, n)| match tag {
                similar::DiffTag::Equal => n.start + (i - o.start),
                _ => n.start,
            })
            .map(|n| n as u32 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "(module\n  (func $f (result i32)\n    i32.const 1\n    i32.const 2\n    i32.add))";

    #[test]
    fn a_line_breakpoint_lands_on_the_first_code_at_or_after_it() {
        let p = Program::from_wat("t.wat", TEXT).unwrap();
        let mut b = Breakpoints::default();
        let Ok(Toggled::Added(offset)) = b.toggle_line(&p, 2) else {
            panic!("added")
        };
        assert!(b.on_line(3), "moved to the first line with code");
        assert_eq!(p.source_map().unwrap().line_of(offset), Some(3));
        assert!(b.contains(offset));
        assert_eq!(b.toggle_line(&p, 3), Ok(Toggled::Removed));
        assert!(b.is_empty());
        assert!(b.toggle_line(&p, 40).is_err(), "nothing after the end");
    }

    #[test]
    fn breakpoints_follow_their_lines_through_an_edit() {
        let p = Program::from_wat("t.wat", TEXT).unwrap();
        let mut b = Breakpoints::default();
        b.toggle_line(&p, 5).unwrap();
        b.toggle_line(&p, 4).unwrap();
        let edited = TEXT.replace("(func $f", ";; added\n  ;; lines\n  (func $f");
        let q = Program::from_wat("t.wat", &edited).unwrap();
        let lost = b.follow_edit(TEXT, &edited, &q);
        assert!(lost.is_empty(), "{lost:?}");
        let lines: Vec<_> = b.iter().map(|x| x.line).collect();
        assert_eq!(lines, vec![Some(6), Some(7)]);
        for bp in b.iter() {
            assert_eq!(
                q.source_map().unwrap().line_of(bp.offset),
                bp.line,
                "each offset is on its line"
            );
        }
        // Removing the code under a breakpoint reports it.
        let shorter = "(module\n  (func $f))";
        let r = Program::from_wat("t.wat", shorter).unwrap();
        let lost = b.follow_edit(&edited, shorter, &r);
        assert_eq!(lost.len(), 2, "{lost:?}");
    }

    #[test]
    fn saved_breakpoints_are_restored_by_line() {
        let p = Program::from_wat("t.wat", TEXT).unwrap();
        let mut b = Breakpoints::default();
        b.toggle_line(&p, 4).unwrap();
        let saved = b.saved();
        assert_eq!(saved, vec![SavedBreakpoint::Line(4)]);
        assert_eq!(Breakpoints::restore(&p, &saved), b);
    }
}
