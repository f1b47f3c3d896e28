//! The README and the user guide (`docs/*.md`) are kept true by running
//! their examples: every ```` ```console ```` block is executed and its output
//! compared, so a changed behaviour fails here instead of leaving the guide
//! wrong.
//!
//! A block is a series of commands, each a line starting with `$ `, run with
//! `sh -c` from the repository root with `wasmhole` and `gopherd` first on
//! the PATH. The lines after a command are what it prints, standard output
//! and standard error through one pipe. In those lines `[..]` stands for any
//! text within the line, a line `...` for any number of lines, and a last
//! line `[exit N]` for a non-zero exit status (without it the command must
//! succeed). The lines starting `(wasmhole) ` are the terminal debugger's
//! prompt echoing a command: their text is the command's standard input.
//!
//! Each file runs in its own temporary folder: `/tmp/` in a block means that
//! folder, so files run in parallel without meeting, and nothing is left in
//! the real `/tmp`. The compile cache and the lessons' data live there too.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one command may take before it is killed and the example fails.
const PATIENCE: Duration = Duration::from_secs(60);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The folder holding the `wasmhole` and `gopherd` binaries this test runs.
fn bin_dir() -> PathBuf {
    let wasmhole = PathBuf::from(env!("CARGO_BIN_EXE_wasmhole"));
    let dir = wasmhole.parent().unwrap().to_path_buf();
    assert!(
        dir.join("gopherd").exists(),
        "the guide's examples run gopherd too, and {} has none: \
         run `cargo build -p gopherd` (or `cargo test --workspace`) first",
        dir.display()
    );
    dir
}

/// One command of an example, with where it is written.
#[derive(Debug, PartialEq)]
struct Example {
    line: usize,
    command: String,
    stdin: String,
    expected: Vec<String>,
    status: i32,
}

/// The console examples of a Markdown text, in order.
fn examples(markdown: &str) -> Vec<Example> {
    let mut found: Vec<Example> = Vec::new();
    let mut in_block = false;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim();
        if !in_block {
            in_block = trimmed == "```console";
            continue;
        }
        if trimmed == "```" {
            in_block = false;
        } else if let Some(command) = line.strip_prefix("$ ") {
            found.push(Example {
                line: i + 1,
                command: command.to_string(),
                stdin: String::new(),
                expected: Vec::new(),
                status: 0,
            });
        } else {
            let example = found
                .last_mut()
                .unwrap_or_else(|| panic!("line {}: output before any `$ ` command", i + 1));
            if let Some(typed) = line.strip_prefix("(wasmhole) ") {
                example.stdin.push_str(typed);
                example.stdin.push('\n');
            }
            example.expected.push(line.to_string());
        }
    }
    for example in &mut found {
        let last = example.expected.last().map(String::as_str);
        if let Some(code) = last
            .and_then(|l| l.strip_prefix("[exit "))
            .and_then(|l| l.strip_suffix(']'))
        {
            example.status = code.parse().expect("[exit N] with a number");
            example.expected.pop();
        }
    }
    found
}

/// Whether `actual` is what `pattern` says, `[..]` standing for any text.
fn line_matches(pattern: &str, actual: &str) -> bool {
    let mut pieces = pattern.split("[..]");
    let first = pieces.next().unwrap_or("");
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Whether the lines printed are the lines expected, a line `...` standing
/// for any number of lines.
fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            !actual.is_empty() && line_matches(first, actual[0]) && lines_match(rest, &actual[1..])
        }
    }
}

/// Runs one command as the guide's reader would, returning its exit status
/// and everything it printed.
fn run(command: &str, stdin: &str, tmp: &Path) -> (i32, String) {
    let (mut reader, writer) = std::io::pipe().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = {
        let mut sh = Command::new("sh");
        sh.arg("-c")
            .arg(command)
            .current_dir(repo())
            .env("PATH", path)
            .env("XDG_CACHE_HOME", tmp.join("cache"))
            .env("XDG_DATA_HOME", tmp.join("data"))
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(writer.try_clone().unwrap())
            .stderr(writer);
        std::os::unix::process::CommandExt::process_group(&mut sh, 0);
        sh.spawn().unwrap()
        // `sh` and its copies of the pipe's writing end are dropped here,
        // so the reader sees the end once the command's processes exit.
    };
    let mut input = child.stdin.take().unwrap();
    let typed = stdin.to_string();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(typed.as_bytes());
    });
    let collector = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = reader.read_to_end(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > PATIENCE {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(format!("-{}", child.id()))
                .status();
            panic!("`{command}` did not finish within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    feeder.join().unwrap();
    let out = collector.join().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out).into_owned(),
    )
}

/// Every difference between what `text`'s examples say and what they do,
/// each naming the example's line.
fn differences(name: &str, text: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let folder = format!("{}/", tmp.path().display());
    let text = text.replace("/tmp/", &folder);
    let mut found = Vec::new();
    for example in examples(&text) {
        let (status, printed) = run(&example.command, &example.stdin, tmp.path());
        let actual: Vec<&str> = printed.lines().collect();
        if status != example.status || !lines_match(&example.expected, &actual) {
            found.push(format!(
                "{name}:{}: $ {}\n  exit status {status} (the guide says {})\n  printed:\n{}\n  the guide says:\n{}",
                example.line,
                example.command.replace(&folder, "/tmp/"),
                example.status,
                indent(&printed.replace(&folder, "/tmp/")),
                indent(&example.expected.join("\n").replace(&folder, "/tmp/")),
            ));
        }
    }
    found
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the examples of one file of the repository, failing with every
/// difference.
fn check(file: &str) {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    assert!(
        !examples(&text).is_empty(),
        "{file} has no console examples: take it out of this test's list"
    );
    let found = differences(file, &text);
    assert!(
        found.is_empty(),
        "{} example(s) of {file} do not do what it says:\n\n{}",
        found.len(),
        found.join("\n\n")
    );
}

/// The chapters with console examples; each has a test below.
const TESTED: [&str; 9] = [
    "README.md",
    "docs/abis.md",
    "docs/debugger.md",
    "docs/gopherd.md",
    "docs/lessons.md",
    "docs/recordings.md",
    "docs/run.md",
    "docs/sdk.md",
    "docs/workbench.md",
];

#[test]
fn the_readme() {
    check("README.md");
}

#[test]
fn the_abis_chapter() {
    check("docs/abis.md");
}

#[test]
fn the_debugger_chapter() {
    check("docs/debugger.md");
}

#[test]
fn the_gopherd_chapter() {
    check("docs/gopherd.md");
}

#[test]
fn the_lessons_chapter() {
    check("docs/lessons.md");
}

#[test]
fn the_recordings_chapter() {
    check("docs/recordings.md");
}

#[test]
fn the_run_chapter() {
    check("docs/run.md");
}

#[test]
fn the_sdk_chapter() {
    check("docs/sdk.md");
}

#[test]
fn the_workbench_chapter() {
    check("docs/workbench.md");
}

#[test]
fn every_file_with_console_examples_is_tested() {
    let mut with_examples = Vec::new();
    for folder in ["", "docs", "lessons"] {
        for entry in std::fs::read_dir(repo().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap();
                if !examples(&text).is_empty() {
                    let name = path.strip_prefix(repo()).unwrap();
                    with_examples.push(name.display().to_string());
                }
            }
        }
    }
    with_examples.sort();
    assert_eq!(with_examples, TESTED.to_vec());
}

#[test]
fn a_block_is_read_into_commands_with_their_output_input_and_status() {
    let text = "intro\n```console\n$ one\nout [..]\n...\n[exit 2]\n$ wasmhole debug x\nstopped\n(wasmhole) step\n(wasmhole) quit\n```\n```sh\n$ not an example\n```\n";
    assert_eq!(
        examples(text),
        vec![
            Example {
                line: 3,
                command: "one".into(),
                stdin: String::new(),
                expected: vec!["out [..]".into(), "...".into()],
                status: 2,
            },
            Example {
                line: 7,
                command: "wasmhole debug x".into(),
                stdin: "step\nquit\n".into(),
                expected: vec![
                    "stopped".into(),
                    "(wasmhole) step".into(),
                    "(wasmhole) quit".into()
                ],
                status: 0,
            },
        ]
    );
}

#[test]
fn wildcards_match_within_a_line_and_across_lines_and_nothing_more() {
    assert!(line_matches("took [..] ms", "took 12 ms"));
    assert!(line_matches("[..]", ""));
    assert!(line_matches("a[..]b[..]c", "a-b-b-c"));
    assert!(!line_matches("took [..] ms", "took 12 s"));
    assert!(!line_matches("ab[..]ba", "aba"));
    assert!(!line_matches("exact", "exactly"));
    let lines = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(lines_match(
        &lines(&["a", "...", "z"]),
        &["a", "b", "c", "z"]
    ));
    assert!(lines_match(&lines(&["a", "...", "z"]), &["a", "z"]));
    assert!(!lines_match(&lines(&["a", "...", "z"]), &["a", "b"]));
    assert!(!lines_match(&lines(&["a"]), &["a", "b"]));
}

#[test]
fn a_changed_output_or_status_is_reported_with_its_line() {
    let text =
        "```console\n$ echo one\none\n$ echo two; exit 3\ntwo\n$ echo three >&2\nfour\n```\n";
    let found = differences("guide.md", text);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("guide.md:4: $ echo two; exit 3\n  exit status 3 (the guide says 0)")
    );
    assert!(found[1].starts_with("guide.md:6: $ echo three >&2\n  exit status 0"));
    assert!(found[1].contains("    | three\n  the guide says:\n    | four"));
}
