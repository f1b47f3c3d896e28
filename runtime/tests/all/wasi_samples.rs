//! The teaching samples under `samples/wasi/`: each one opens with a `;;`
//! header saying what it teaches, and runs to the output it promises
//! (`hello.wat`, `cat.wat`, `args.wat`, `every_call.wat`, `files.wat`,
//! `sleep.wat`).

use crate::common;

use common::{Guest, Outcome, RecordExt, Sandbox};
use std::path::PathBuf;
use std::time::Duration;

fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../samples/wasi")
}

/// A sample as a guest, named after its file.
fn sample(name: &str) -> Guest {
    let path = samples_dir().join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Guest::new(text).name(name).args(&[name])
}

const SAMPLES: [&str; 6] = [
    "args.wat",
    "cat.wat",
    "every_call.wat",
    "files.wat",
    "hello.wat",
    "sleep.wat",
];

#[test]
fn every_sample_is_tested_and_says_what_it_teaches() {
    let mut found: Vec<String> = std::fs::read_dir(samples_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".wat"))
        .collect();
    found.sort();
    assert_eq!(
        found, SAMPLES,
        "a sample without a test, or a test without a sample"
    );
    for name in SAMPLES {
        let text = std::fs::read_to_string(samples_dir().join(name)).unwrap();
        assert!(
            text.starts_with(&format!(";; {name}: ")),
            "{name} does not open with its name"
        );
        assert!(
            text.contains(";; Teaches: "),
            "{name} does not say what it teaches"
        );
    }
}

#[test]
fn hello_prints_its_greeting() {
    let out = sample("hello.wat").run();
    out.assert_exit(0);
    assert_eq!(out.stdout_text(), "Hello from a WASI guest!\n");
}

#[test]
fn cat_copies_stdin_to_stdout_in_chunks() {
    let input: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let out = sample("cat.wat").stdin(&input).run();
    out.assert_exit(0);
    assert_eq!(out.stdout, input);
    assert_eq!(
        out.calls("fd_read").len(),
        4,
        "10000 bytes in 4096-byte chunks, then EOF"
    );
    assert_eq!(out.calls("fd_read").last().unwrap().arg("nread"), "[0]");
}

#[test]
fn cat_of_nothing_prints_nothing() {
    let out = sample("cat.wat").run();
    out.assert_exit(0);
    assert!(out.stdout.is_empty());
}

#[test]
fn args_prints_each_argument_on_its_own_line() {
    let out = sample("args.wat")
        .args(&["args.wat", "one", "two words", "", "three"])
        .run();
    out.assert_exit(0);
    assert_eq!(out.stdout_text(), "args.wat\none\ntwo words\n\nthree\n");
}

#[test]
fn files_writes_a_file_in_the_granted_directory_and_reads_it_back() {
    let sandbox = Sandbox::new();
    sandbox.write("greeting.txt", b"an older and much longer greeting\n");
    let out = sample("files.wat").dir(sandbox.path(), "box").run();
    out.assert_exit(0);
    assert_eq!(out.stdout_text(), "Hello from a file!\n");
    assert_eq!(sandbox.read("greeting.txt"), b"Hello from a file!\n");
    assert_eq!(
        out.call("path_open").arg("opened_fd"),
        "[4<box/greeting.txt>]"
    );
}

#[test]
fn files_without_a_granted_directory_exits_with_ebadf() {
    let out: Outcome = sample("files.wat").run();
    out.assert_exit(8);
    assert_eq!(out.call("path_open").error_name(), Some("EBADF"));
}

#[test]
fn sleep_sleeps_a_tenth_of_a_second() {
    let out = sample("sleep.wat").run();
    out.assert_exit(0);
    let text = out.stdout_text();
    let ms: u64 = text
        .strip_prefix("slept ")
        .and_then(|t| t.strip_suffix(" ms\n"))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output {text:?}"));
    assert!((100..5000).contains(&ms), "slept {ms} ms");
    assert!(out.elapsed >= Duration::from_millis(100));
}

#[test]
fn every_call_succeeds_on_its_grant_cleans_up_and_reports_what_is_missing() {
    let sandbox = Sandbox::new();
    let out = sample("every_call.wat").dir(sandbox.path(), "tour").run();
    out.assert_exit(0);
    let lines: Vec<(String, u32)> = out
        .stdout_text()
        .lines()
        .map(|l| {
            let (name, errno) = l.rsplit_once(' ').expect("a call and its errno");
            (name.to_string(), errno.parse().expect("a number"))
        })
        .collect();
    let failed: Vec<&(String, u32)> = lines.iter().filter(|(_, e)| *e != 0).collect();
    let no_signals_or_sockets: Vec<(String, u32)> = [
        ("proc_raise", 52),
        ("sock_accept", 57),
        ("sock_recv", 57),
        ("sock_send", 57),
        ("sock_shutdown", 57),
    ]
    .into_iter()
    .map(|(n, e)| (n.to_string(), e))
    .collect();
    assert_eq!(
        failed.into_iter().cloned().collect::<Vec<_>>(),
        no_signals_or_sockets,
        "only the calls this host has no object for fail"
    );
    for (name, _) in &lines {
        assert!(!out.calls(name).is_empty(), "{name} printed but not traced");
    }
    assert!(lines.len() >= 38, "{} calls reported", lines.len());
    let left: Vec<_> = std::fs::read_dir(sandbox.path()).unwrap().collect();
    assert!(left.is_empty(), "the sample removes what it made: {left:?}");
}
