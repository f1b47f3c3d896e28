//! Colours WAT text for the Source panel: comments, strings, keywords,
//! instructions, `$names` and numbers; the line the guest is on gets a
//! background (muted when it is only where the guest last stopped), the
//! instruction it is at within that line a stronger one, and a compile
//! error is underlined where it is.

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId, Stroke};

const COMMENT: Color32 = Color32::from_rgb(0x7f, 0x84, 0x8e);
const STRING: Color32 = Color32::from_rgb(0x98, 0xc3, 0x79);
const KEYWORD: Color32 = Color32::from_rgb(0xc6, 0x78, 0xdd);
const INSTR: Color32 = Color32::from_rgb(0x61, 0xaf, 0xef);
const NAME: Color32 = Color32::from_rgb(0xe5, 0xc0, 0x7b);
const NUMBER: Color32 = Color32::from_rgb(0x56, 0xb6, 0xc2);
const PAREN: Color32 = Color32::from_rgb(0x9d, 0xa5, 0xb4);
const CURRENT_LINE: Color32 = Color32::from_rgba_premultiplied(0x40, 0x50, 0x20, 0x60);
const CURRENT_INSTR: Color32 = Color32::from_rgb(0x4a, 0x7a, 0x2a);
const STALE_LINE: Color32 = Color32::from_rgba_premultiplied(0x38, 0x38, 0x38, 0x60);
const ERROR: Color32 = Color32::from_rgb(0xff, 0x55, 0x55);

const KEYWORDS: &[&str] = &[
    "module",
    "func",
    "param",
    "result",
    "local",
    "global",
    "memory",
    "data",
    "import",
    "export",
    "type",
    "table",
    "elem",
    "start",
    "mut",
    "loop",
    "block",
    "if",
    "then",
    "else",
    "end",
    "br",
    "br_if",
    "br_table",
    "call",
    "call_indirect",
    "return",
    "unreachable",
    "nop",
    "drop",
    "select",
    "offset",
    "funcref",
    "externref",
];

/// Where the guest is in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Current {
    /// 1-based line.
    pub line: u32,
    /// 1-based column of the instruction, when known.
    pub column: Option<u32>,
    /// Whether this is only where the guest last stopped (it is running).
    pub stale: bool,
}

/// The columns (1-based, end exclusive) of the instruction starting at
/// `column` on `line_text`: its keyword and immediates, up to the next
/// parenthesis or comment.
fn instruction_span(line_text: &str, column: u32) -> (usize, usize) {
    let start = column.max(1) as usize;
    let rest: String = line_text.chars().skip(start - 1).collect();
    let len = rest
        .find(['(', ')', ';'])
        .map_or(rest.len(), |i| i)
        .min(rest.len());
    let len = rest[..len].trim_end().chars().count().max(1);
    (start, start + len)
}

/// The text of the instruction starting at `column` on `line_text` (what
/// the stronger highlight covers), to name it in words.
pub fn instruction_at(line_text: &str, column: u32) -> String {
    let (from, to) = instruction_span(line_text, column);
    line_text
        .chars()
        .skip(from - 1)
        .take(to - from)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Where a compile error is, to underline it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorAt {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

fn colour_of(word: &str) -> Color32 {
    if word.starts_with('$') {
        NAME
    } else if KEYWORDS.contains(&word) {
        KEYWORD
    } else if word.contains('.') && word.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        INSTR
    } else if word
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+')
    {
        NUMBER
    } else {
        Color32::LIGHT_GRAY
    }
}

/// Lays out WAT text with colours.
pub fn layout(
    text: &str,
    font: FontId,
    current: Option<Current>,
    error: Option<ErrorAt>,
) -> LayoutJob {
    let mut job = LayoutJob::default();
    let span = current.and_then(|c| {
        let column = c.column?;
        let text = text.lines().nth((c.line as usize).checked_sub(1)?)?;
        Some(instruction_span(text, column))
    });
    let mut line = 1usize;
    let mut column = 1usize;
    let mut rest = text;
    let mut in_block_comment = 0usize;
    while !rest.is_empty() {
        let (len, colour) = if in_block_comment > 0 {
            let len = if rest.starts_with(";)") {
                in_block_comment -= 1;
                2
            } else if rest.starts_with("(;") {
                in_block_comment += 1;
                2
            } else {
                rest.chars().next().map_or(1, char::len_utf8)
            };
            (len, COMMENT)
        } else if rest.starts_with("(;") {
            in_block_comment = 1;
            (2, COMMENT)
        } else if rest.starts_with(";;") {
            (rest.find('\n').unwrap_or(rest.len()), COMMENT)
        } else if rest.starts_with('"') {
            let mut end = 1;
            let bytes = rest.as_bytes();
            while end < bytes.len() && bytes[end] != b'"' && bytes[end] != b'\n' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            ((end + 1).min(rest.len()), STRING)
        } else if rest.starts_with('(') || rest.starts_with(')') {
            (1, PAREN)
        } else if rest.starts_with(char::is_whitespace) {
            let c = rest.chars().next().unwrap();
            (c.len_utf8(), Color32::LIGHT_GRAY)
        } else {
            let len = rest
                .find(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"')
                .unwrap_or(rest.len());
            (len.max(1), colour_of(&rest[..len.max(1)]))
        };
        let len = (1..=len)
            .rev()
            .find(|l| rest.is_char_boundary(*l))
            .unwrap_or(len);
        let piece = &rest[..len];
        let mut format = TextFormat {
            font_id: font.clone(),
            color: colour,
            ..TextFormat::default()
        };
        if let Some(c) = current
            && c.line == line as u32
        {
            format.background = if c.stale { STALE_LINE } else { CURRENT_LINE };
            if let Some((from, to)) = span
                && !c.stale
                && column >= from
                && column < to
            {
                format.background = CURRENT_INSTR;
            }
        }
        if let Some(e) = error
            && e.line == line
            && column + piece.chars().count() > e.column
            && column <= e.column + 1
            && !piece.trim().is_empty()
        {
            format.underline = Stroke::new(2.0, ERROR);
            format.color = ERROR;
        }
        job.append(piece, 0.0, format);
        for c in piece.chars() {
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        rest = &rest[len..];
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colours(text: &str) -> Vec<(String, Color32)> {
        let job = layout(text, FontId::monospace(12.0), None, None);
        job.sections
            .iter()
            .map(|s| {
                (
                    text[s.byte_range.start.0..s.byte_range.end.0].to_string(),
                    s.format.color,
                )
            })
            .filter(|(t, _)| !t.trim().is_empty())
            .collect()
    }

    #[test]
    fn tokens_get_their_colours() {
        let c = colours("(func $f ;; hi\n  i32.const 7 \"s\")");
        assert!(c.contains(&("func".into(), KEYWORD)));
        assert!(c.contains(&("$f".into(), NAME)));
        assert!(c.contains(&(";; hi".into(), COMMENT)));
        assert!(c.contains(&("i32.const".into(), INSTR)));
        assert!(c.contains(&("7".into(), NUMBER)));
        assert!(c.contains(&("\"s\"".into(), STRING)));
    }

    #[test]
    fn the_current_instruction_is_marked_within_its_line() {
        let text = "(module\n  (func\n    i32.const 1 (call $f (i32.const 2))))";
        let current = Current {
            line: 3,
            column: Some(18),
            stale: false,
        };
        let job = layout(text, FontId::monospace(12.0), Some(current), None);
        let marked: String = job
            .sections
            .iter()
            .filter(|s| s.format.background == CURRENT_INSTR)
            .map(|s| &text[s.byte_range.start.0..s.byte_range.end.0])
            .collect();
        assert_eq!(marked, "call $f");
        let stale = layout(
            text,
            FontId::monospace(12.0),
            Some(Current {
                stale: true,
                ..current
            }),
            None,
        );
        assert!(
            stale.sections.iter().all(
                |s| s.format.background != CURRENT_INSTR && s.format.background != CURRENT_LINE
            ),
            "a stale place is only muted"
        );
    }

    #[test]
    fn the_error_is_underlined() {
        let text = "(module\n  i32.bogus)";
        let job = layout(
            text,
            FontId::monospace(12.0),
            None,
            Some(ErrorAt { line: 2, column: 3 }),
        );
        let underlined: Vec<&str> = job
            .sections
            .iter()
            .filter(|s| s.format.underline.width > 0.0)
            .map(|s| &text[s.byte_range.start.0..s.byte_range.end.0])
            .collect();
        assert_eq!(underlined, vec!["i32.bogus"]);
    }
}
