//! Old WAT instruction names (`get_local`, `grow_memory`, `i32.trunc_s/f32`, …)
//! as written by early toolchains, translated to today's spelling before
//! parsing, outside strings and comments, keeping line numbers intact.

/// One translated name in the user's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    /// 1-based line in the user's text.
    pub line: usize,
    /// 1-based column in the user's text.
    pub column: usize,
    /// The name as written.
    pub old: &'static str,
    /// The name it was translated to.
    pub new: &'static str,
}

const RENAMES: &[(&str, &str)] = &[
    ("get_local", "local.get"),
    ("set_local", "local.set"),
    ("tee_local", "local.tee"),
    ("get_global", "global.get"),
    ("set_global", "global.set"),
    ("current_memory", "memory.size"),
    ("grow_memory", "memory.grow"),
    ("anyfunc", "funcref"),
    ("i32.wrap/i64", "i32.wrap_i64"),
    ("i32.trunc_s/f32", "i32.trunc_f32_s"),
    ("i32.trunc_u/f32", "i32.trunc_f32_u"),
    ("i32.trunc_s/f64", "i32.trunc_f64_s"),
    ("i32.trunc_u/f64", "i32.trunc_f64_u"),
    ("i64.extend_s/i32", "i64.extend_i32_s"),
    ("i64.extend_u/i32", "i64.extend_i32_u"),
    ("i64.trunc_s/f32", "i64.trunc_f32_s"),
    ("i64.trunc_u/f32", "i64.trunc_f32_u"),
    ("i64.trunc_s/f64", "i64.trunc_f64_s"),
    ("i64.trunc_u/f64", "i64.trunc_f64_u"),
    ("f32.convert_s/i32", "f32.convert_i32_s"),
    ("f32.convert_u/i32", "f32.convert_i32_u"),
    ("f32.convert_s/i64", "f32.convert_i64_s"),
    ("f32.convert_u/i64", "f32.convert_i64_u"),
    ("f32.demote/f64", "f32.demote_f64"),
    ("f64.convert_s/i32", "f64.convert_i32_s"),
    ("f64.convert_u/i32", "f64.convert_i32_u"),
    ("f64.convert_s/i64", "f64.convert_i64_s"),
    ("f64.convert_u/i64", "f64.convert_i64_u"),
    ("f64.promote/f32", "f64.promote_f32"),
    ("i32.reinterpret/f32", "i32.reinterpret_f32"),
    ("i64.reinterpret/f64", "i64.reinterpret_f64"),
    ("f32.reinterpret/i32", "f32.reinterpret_i32"),
    ("f64.reinterpret/i64", "f64.reinterpret_i64"),
];

fn is_idchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-./:<=>?@\\^_`|~".contains(c)
}

/// Returns the text with old names replaced, and the list of replacements.
pub fn modernize(text: &str) -> (String, Vec<Rename>) {
    let mut out = String::with_capacity(text.len());
    let mut renames = Vec::new();
    let (mut line, mut column) = (1usize, 1usize);
    let mut chars = text.char_indices().peekable();
    let mut block_depth = 0usize;
    while let Some((i, c)) = chars.next() {
        let rest = &text[i..];
        if block_depth > 0 {
            if rest.starts_with("(;") {
                block_depth += 1;
            } else if rest.starts_with(";)") {
                block_depth -= 1;
                out.push(';');
                chars.next();
                column += 1;
                out.push(')');
                column += 1;
                continue;
            }
        } else if rest.starts_with("(;") {
            block_depth = 1;
        } else if rest.starts_with(";;") {
            let end = rest.find('\n').unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            column += rest[..end].chars().count();
            while chars.peek().is_some_and(|(j, _)| *j < i + end) {
                chars.next();
            }
            continue;
        } else if c == '"' {
            out.push('"');
            column += 1;
            let mut escaped = false;
            for (_, s) in chars.by_ref() {
                out.push(s);
                if s == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
                if escaped {
                    escaped = false;
                } else if s == '\\' {
                    escaped = true;
                } else if s == '"' {
                    break;
                }
            }
            continue;
        } else if is_idchar(c) && c != '$' {
            let end = rest.find(|ch: char| !is_idchar(ch)).unwrap_or(rest.len());
            let word = &rest[..end];
            match RENAMES.iter().find(|(old, _)| *old == word) {
                Some((old, new)) => {
                    renames.push(Rename {
                        line,
                        column,
                        old,
                        new,
                    });
                    out.push_str(new);
                }
                None => out.push_str(word),
            }
            column += word.chars().count();
            while chars.peek().is_some_and(|(j, _)| *j < i + end) {
                chars.next();
            }
            continue;
        } else if c == '$' {
            // Identifiers such as `$get_local` stay as they are.
            let end = rest[1..]
                .find(|ch: char| !is_idchar(ch))
                .map_or(rest.len(), |e| e + 1);
            out.push_str(&rest[..end]);
            column += rest[..end].chars().count();
            while chars.peek().is_some_and(|(j, _)| *j < i + end) {
                chars.next();
            }
            continue;
        }
        out.push(c);
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (out, renames)
}

/// Maps a 0-based column on a 0-based line of the modernized text back to the
/// 0-based column in the user's text.
pub fn original_column(renames: &[Rename], line0: usize, col0: usize) -> usize {
    let mut shift: isize = 0;
    for r in renames.iter().filter(|r| r.line == line0 + 1) {
        let modern_start = (r.column as isize - 1 + shift) as usize;
        if col0 < modern_start {
            break;
        }
        if col0 < modern_start + r.new.len() {
            return r.column - 1;
        }
        shift += r.new.len() as isize - r.old.len() as isize;
    }
    (col0 as isize - shift).max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_old_names_outside_strings_and_comments() {
        let text = "(func $get_local (local i32)\n  get_local 0 ;; get_local\n  (; grow_memory ;) \"set_local\" i64.extend_u/i32)";
        let (modern, renames) = modernize(text);
        assert_eq!(
            modern,
            "(func $get_local (local i32)\n  local.get 0 ;; get_local\n  (; grow_memory ;) \"set_local\" i64.extend_i32_u)"
        );
        assert_eq!(renames.len(), 2);
        assert_eq!((renames[0].line, renames[0].column), (2, 3));
        assert_eq!((renames[1].line, renames[1].column), (3, 33));
    }

    #[test]
    fn maps_columns_back() {
        // `current_memory` (14) becomes `memory.size` (11): columns after it shift.
        let (modern, renames) = modernize("  current_memory drop bogus");
        assert_eq!(modern, "  memory.size drop bogus");
        assert_eq!(original_column(&renames, 0, 19), 22);
        assert_eq!(original_column(&renames, 0, 4), 2);
        assert_eq!(original_column(&renames, 0, 1), 1);
    }
}
