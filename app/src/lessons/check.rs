//! Checking an exercise: the learner's file is run by the same runtime as
//! `wasmhole run` (as a gopherd handler, for Gopher exercises), with every
//! syscall recorded and its memory kept at exit, and what happened is held
//! against what the exercise expects: exit status, standard output and
//! error, the syscalls (names, arguments, results, order), the descriptors
//! left open and bytes in memory. Each problem is said in the learner's
//! terms: "your guest called fd_write with fd=2 (standard error), not
//! fd=1 (standard output)".

use super::format::{ArgExpect, CallExpect, Exercise, Expect, MemoryExpect, Role};
use crate::model::run_config::RunConfig;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use wasmhole_runtime::calls::decode::{hex_bytes, quote_bytes};
use wasmhole_runtime::calls::record::CallOutcome;
use wasmhole_runtime::calls::ring::{Ring, RingSink};
use wasmhole_runtime::{
    EngineOptions, ExitStatus, FailureKind, InputSpec, OutputSpec, Program, ProgramError,
    RunOptions, Runtime, SharedBuffer, SyscallRecord,
};

/// How long a checked guest may run when its exercise sets no limit.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much it may print when its exercise sets no limit.
const DEFAULT_MAX_OUTPUT: u64 = 1 << 20;
/// Records kept of one checked run.
const MAX_RECORDS: usize = 100_000;

/// What the checked run did, briefly, for showing beside the verdict.
#[derive(Clone, Debug, Default)]
pub struct Ran {
    /// How it ended, in words.
    pub ended: String,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// Its syscalls, one trace line each.
    pub trace: Vec<String>,
}

/// The outcome of a check.
#[derive(Clone, Debug, Default)]
pub struct Verdict {
    /// What is wrong, in the learner's terms (empty: it passes).
    pub problems: Vec<String>,
    /// What the run did, if it ran.
    pub ran: Option<Ran>,
}

impl Verdict {
    /// Whether the file passes.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    fn fail(problem: String) -> Verdict {
        Verdict {
            problems: vec![problem],
            ran: None,
        }
    }
}

fn runtime() -> Result<&'static Runtime, String> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            Runtime::new(EngineOptions {
                fuel: true,
                ..EngineOptions::default()
            })
            .map_err(|e| format!("cannot start the engine: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Loads the program, saying what is wrong with it as a learner would.
fn load(path: &Path) -> Result<Program, String> {
    Program::from_file(path).map_err(|e| match e {
        ProgramError::Wat {
            line,
            column,
            message,
            ..
        } => format!("your file does not compile: line {line}, column {column}: {message}"),
        other => format!("your program cannot be loaded: {other}"),
    })
}

/// Copies a folder (files and subfolders) so a run cannot change the original.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The run configuration and where relative HOST paths start from.
fn run_config(
    ex: &Exercise,
    lesson_dir: &Path,
    file: &Path,
) -> Result<(RunConfig, PathBuf), String> {
    match ex.role() {
        Role::Program => Ok((ex.run.clone(), lesson_dir.to_path_buf())),
        Role::Policy => {
            let mut config = ex.run.clone();
            config.policy = file.display().to_string();
            Ok((config, lesson_dir.to_path_buf()))
        }
        Role::Config => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let config: RunConfig = toml::from_str(&text)
                .map_err(|e| format!("your configuration cannot be read: {e}"))?;
            let base = file.parent().unwrap_or(Path::new(".")).to_path_buf();
            Ok((config, base))
        }
    }
}

/// Each granted folder copied into `scratch`, so the guest works on a fresh
/// copy. A relative HOST path naming one of the exercise's data folders is
/// the lesson's own copy; other relative paths start at `base`.
fn fresh_grants(
    config: &mut RunConfig,
    ex: &Exercise,
    lesson_dir: &Path,
    base: &Path,
    scratch: &Path,
) -> Result<(), String> {
    let mut lines = Vec::new();
    for (i, line) in config
        .dirs
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let grant = wasmhole_runtime::DirGrant::parse(line);
        let host = if grant.host.is_absolute() {
            grant.host.clone()
        } else if ex.data.contains(&grant.host) {
            lesson_dir.join(&grant.host)
        } else {
            base.join(&grant.host)
        };
        if !host.is_dir() {
            return Err(format!(
                "the folder {} granted as {} does not exist",
                grant.host.display(),
                grant.guest
            ));
        }
        let copy = scratch.join(format!("grant{i}"));
        copy_dir(&host, &copy).map_err(|e| format!("cannot copy {}: {e}", host.display()))?;
        lines.push(format!("{}::{}", copy.display(), grant.guest));
    }
    config.dirs = lines.join("\n");
    Ok(())
}

/// The process recipe gopherd gives the handler for the exercise's request.
fn gopher_config(
    ex: &Exercise,
    module: &Path,
    request: &super::format::GopherRequest,
) -> Result<wasmhole_runtime::ProcessConfig, String> {
    let text = format!(
        "[[route]]\nselector = {:?}\nmodule = {:?}\ntype = {:?}\n",
        request.route,
        module.display().to_string(),
        request.r#type
    );
    let config = gopherd::config::Config::from_toml(&text, Path::new("."))
        .map_err(|e| format!("cannot set up the handler: {e:#}"))?;
    let site = gopherd::gophermap::Site {
        host: "localhost".into(),
        port: 7070,
    };
    let server = gopherd::Gopherd::new(&config, site).map_err(|e| {
        let text = format!("{e:#}");
        match text.find("line ") {
            Some(_) => format!("your handler does not compile: {text}"),
            None => format!("your handler cannot be loaded: {text}"),
        }
    })?;
    let mut req = gopherd::request::Request::new(request.selector.clone());
    req.query = request.query.clone();
    let remote = "127.0.0.1:50000".parse().expect("a socket address");
    let _ = ex;
    server
        .handler_recipe(&req, remote)
        .map(|r| r.config)
        .ok_or_else(|| format!("no route answers {}", request.selector))
}

/// Checks `file` (the learner's file for `ex`, of the lesson in
/// `lesson_dir`); `root` is the repository's root, where programs named
/// by the exercise are found.
pub fn check(ex: &Exercise, lesson_dir: &Path, root: &Path, file: &Path) -> Verdict {
    if !file.is_file() {
        return Verdict::fail(format!("there is no file at {}", file.display()));
    }
    let program_path = match (ex.role(), &ex.program) {
        (Role::Program, _) => file.to_path_buf(),
        (_, Some(p)) => root.join(p),
        (_, None) => return Verdict::fail("the exercise names no program to run".into()),
    };
    let program = match load(&program_path) {
        Ok(p) => p,
        Err(e) => return Verdict::fail(e),
    };
    let (mut config, base) = match run_config(ex, lesson_dir, file) {
        Ok(c) => c,
        Err(e) => return Verdict::fail(e),
    };
    let scratch = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return Verdict::fail(format!("cannot make a scratch folder: {e}")),
    };
    if let Err(e) = fresh_grants(&mut config, ex, lesson_dir, &base, scratch.path()) {
        return Verdict::fail(e);
    }
    if config.timeout.trim().is_empty() {
        config.timeout = humantime::format_duration(DEFAULT_TIMEOUT).to_string();
    }
    if config.max_output.trim().is_empty() {
        config.max_output = DEFAULT_MAX_OUTPUT.to_string();
    }
    let stdout = SharedBuffer::new();
    let stderr = SharedBuffer::new();
    let abi = match config.abi() {
        Ok(a) => a,
        Err(e) => return Verdict::fail(format!("your configuration: {e}")),
    };
    let process = match &ex.gopher {
        Some(request) => gopher_config(ex, &program_path, request).map(|mut c| {
            c.stdout = OutputSpec::Buffer(stdout.clone());
            c.stderr = OutputSpec::Buffer(stderr.clone());
            c
        }),
        None => config
            .process_config(
                program.name(),
                InputSpec::Bytes(Arc::from(config.stdin.as_bytes())),
                OutputSpec::Buffer(stdout.clone()),
                OutputSpec::Buffer(stderr.clone()),
            )
            .map_err(|e| format!("your configuration: {e}")),
    };
    let process = match process {
        Ok(p) => p,
        Err(e) => return Verdict::fail(e),
    };
    let runtime = match runtime() {
        Ok(r) => r,
        Err(e) => return Verdict::fail(e),
    };
    let ring = Arc::new(Mutex::new(Ring::new(MAX_RECORDS)));
    let (report, memory) = runtime.run_keeping_memory(
        &program,
        RunOptions {
            abi,
            config: process,
            sinks: vec![Box::new(RingSink(ring.clone()))],
        },
    );
    let records: Vec<SyscallRecord> = ring
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .records()
        .iter()
        .cloned()
        .collect();
    let outcome = Outcome {
        status: report.status,
        stdout: String::from_utf8_lossy(&stdout.take()).into_owned(),
        stderr: String::from_utf8_lossy(&stderr.take()).into_owned(),
        records,
        open: report
            .open_descriptors
            .iter()
            .map(|d| (d.number, d.name.clone()))
            .collect(),
        memory: memory.unwrap_or_default(),
    };
    let problems = judge(&ex.expect, &outcome);
    Verdict {
        problems,
        ran: Some(Ran {
            ended: ended_text(&outcome.status),
            trace: outcome.records.iter().map(|r| r.call_text()).collect(),
            stdout: outcome.stdout,
            stderr: outcome.stderr,
        }),
    }
}

/// What a run left for judging.
pub struct Outcome {
    /// How it ended.
    pub status: ExitStatus,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Every syscall, in order.
    pub records: Vec<SyscallRecord>,
    /// Descriptors open at the end, with what they refer to.
    pub open: Vec<(u32, String)>,
    /// Linear memory at the end.
    pub memory: Vec<u8>,
}

fn ended_text(status: &ExitStatus) -> String {
    match status {
        ExitStatus::Exited(0) => "exited with status 0 (success)".into(),
        ExitStatus::Exited(n) => format!("exited with status {n} (failure)"),
        ExitStatus::Failed(f) => format!("was stopped: {}", f.message),
    }
}

fn failure_name(kind: &FailureKind) -> &'static str {
    match kind {
        FailureKind::Setup => "setup",
        FailureKind::MissingImport => "missing-import",
        FailureKind::NoEntry => "no-entry",
        FailureKind::Trap => "trap",
        FailureKind::Timeout => "timeout",
        FailureKind::OutOfFuel => "fuel",
        FailureKind::Killed => "killed",
        FailureKind::OutputLimit => "output-limit",
    }
}

/// How a kind of failure stops a guest, in words.
fn failure_words(name: &str) -> String {
    match name {
        "trap" => "a trap".into(),
        "timeout" => "its time limit".into(),
        "fuel" => "running out of fuel".into(),
        "killed" => "the host, refusing something it did".into(),
        "output-limit" => "its output limit".into(),
        other => other.to_string(),
    }
}

fn with_hint(message: String, hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!("{message}. {h}"),
        None => message,
    }
}

/// A printed text as the learner reads it: quoted, escaped, cut if long.
fn shown(text: &str) -> String {
    quote_bytes(text.as_bytes(), 120)
}

/// Words for a descriptor label: `stdout` or `fd://1` is standard output.
fn stream_words(label: &str) -> Option<&'static str> {
    match label {
        "stdin" | "fd://0" => Some("standard input"),
        "stdout" | "fd://1" => Some("standard output"),
        "stderr" | "fd://2" => Some("standard error"),
        _ => None,
    }
}

/// A shown descriptor (`2<stderr>`) in words: `fd=2 (standard error)`.
fn fd_words(name: &str, shown: &str) -> String {
    let label = shown
        .split_once('<')
        .map(|(_, l)| l.trim_end_matches('>'))
        .unwrap_or("");
    let number = shown.split('<').next().unwrap_or(shown);
    match (stream_words(label), label) {
        (Some(w), _) => format!("{name}={number} ({w})"),
        (None, "") => format!("{name}={number}, which is not open"),
        (None, l) => format!("{name}={number} ({l})"),
    }
}

/// The expected value of an argument in words.
fn expected_words(name: &str, is_fd: bool, abi_has_std_numbers: bool, want: &ArgExpect) -> String {
    match want {
        ArgExpect::Number(n) if is_fd && abi_has_std_numbers => {
            let std = match n {
                0 => Some("standard input"),
                1 => Some("standard output"),
                2 => Some("standard error"),
                _ => None,
            };
            match std {
                Some(w) => format!("{name}={n} ({w})"),
                None => format!("{name}={n}"),
            }
        }
        ArgExpect::Number(n) => format!("{name}={n}"),
        ArgExpect::Text(t) if is_fd => match stream_words(t) {
            Some(w) => format!("a descriptor for {t} ({w})"),
            None => format!("a descriptor for {t}"),
        },
        ArgExpect::Text(t) => format!("{name}={}", quote_bytes(t.as_bytes(), 120)),
    }
}

/// Whether a record's argument has the expected value.
fn arg_matches(raw: u64, shown: &str, is_fd: bool, want: &ArgExpect) -> bool {
    match want {
        ArgExpect::Number(n) => raw as i64 == *n || raw as u32 as i32 as i64 == *n,
        ArgExpect::Text(t) => {
            if is_fd {
                return shown
                    .split_once('<')
                    .is_some_and(|(_, l)| l.trim_end_matches('>') == t);
            }
            let quoted = quote_bytes(t.as_bytes(), usize::MAX);
            shown == t || shown == quoted || shown.starts_with(&quoted)
        }
    }
}

/// The first way a record differs from an expected call, in words.
fn call_difference(exp: &CallExpect, r: &SyscallRecord) -> Option<String> {
    let std_numbers = r.abi != wasmhole_runtime::Abi::Dagger;
    for (name, want) in &exp.args {
        let Some((i, arg)) = r.args.iter().enumerate().find(|(_, a)| a.name == name) else {
            return Some(format!("{} has no argument named {name}", r.name));
        };
        let is_fd = matches!(
            r.spec.params.get(i).map(|p| p.kind),
            Some(wasmhole_runtime::abis::Kind::Fd)
        );
        if !arg_matches(arg.raw, &arg.shown, is_fd, want) {
            let got = if is_fd {
                fd_words(name, &arg.shown)
            } else {
                format!("{name}={}", arg.shown)
            };
            return Some(format!(
                "your guest called {} with {got}, not {}",
                r.name,
                expected_words(name, is_fd, std_numbers, want)
            ));
        }
    }
    let raw = match &r.outcome {
        CallOutcome::Returned(res) => Some(res.raw),
        _ => None,
    };
    // A call that killed the guest fails with KILLED.
    let error = r.error_name();
    let result_text = r.result_text();
    if let Some(want) = exp.result
        && raw != Some(want)
    {
        return Some(format!(
            "your guest's {} returned {result_text}; it should return {want}",
            r.name
        ));
    }
    if let Some(want) = &exp.error
        && error != Some(want.as_str())
    {
        return Some(format!(
            "your guest's {} returned {result_text}; it should fail with {want}",
            r.name
        ));
    }
    match (exp.ok, error) {
        (Some(true), Some(e)) => Some(format!(
            "your guest's {} failed with {e} ({result_text}); it should succeed",
            r.name
        )),
        (Some(false), None) => Some(format!(
            "your guest's {} succeeded ({result_text}); it should fail",
            r.name
        )),
        _ => None,
    }
}

fn matches_name(r: &SyscallRecord, name: &str) -> bool {
    r.name == name || r.spec.aliases.contains(&name)
}

/// Holds the calls against the expected ones, in order.
fn judge_calls(expected: &[CallExpect], records: &[SyscallRecord]) -> Option<String> {
    let mut pos = 0;
    let mut previous: Option<&str> = None;
    for exp in expected {
        let found = records[pos..]
            .iter()
            .position(|r| matches_name(r, &exp.name) && call_difference(exp, r).is_none());
        if let Some(i) = found {
            pos += i + 1;
            previous = Some(exp.name.as_str());
            continue;
        }
        let same_name = records[pos..].iter().find(|r| matches_name(r, &exp.name));
        let message = match (same_name, previous) {
            (Some(r), _) => call_difference(exp, r).unwrap_or_default(),
            (None, Some(prev)) if records[..pos].iter().any(|r| matches_name(r, &exp.name)) => {
                format!(
                    "your guest called {} only before {prev}; it should call it after",
                    exp.name
                )
            }
            _ => {
                let mut made: Vec<&str> = Vec::new();
                for r in records {
                    if !made.contains(&r.name) {
                        made.push(r.name);
                    }
                }
                let made = if made.is_empty() {
                    "no syscalls at all".to_string()
                } else {
                    made.join(", ")
                };
                format!("your guest never called {} (it called {made})", exp.name)
            }
        };
        return Some(with_hint(message, &exp.hint));
    }
    None
}

fn bytes_expected(m: &MemoryExpect) -> Result<Vec<u8>, String> {
    if let Some(t) = &m.text {
        return Ok(t.as_bytes().to_vec());
    }
    if let Some(v) = m.u32 {
        return Ok(v.to_le_bytes().to_vec());
    }
    if let Some(h) = &m.hex {
        return h
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).map_err(|_| format!("`{b}` is not a hex byte")))
            .collect();
    }
    Err(format!("the memory check at {:#x} names no bytes", m.at))
}

/// Every problem with a run, given what was expected.
pub fn judge(expect: &Expect, run: &Outcome) -> Vec<String> {
    let mut problems = Vec::new();
    let ended = ended_text(&run.status);
    match (&expect.failure, &run.status) {
        (Some(want), ExitStatus::Failed(f)) if failure_name(&f.kind) == want => {}
        (Some(want), _) => problems.push(with_hint(
            format!(
                "your guest {ended}; it should be stopped by {}",
                failure_words(want)
            ),
            &expect.exit_hint,
        )),
        (None, status) => {
            if let Some(want) = expect.exit {
                let ok = matches!(status, ExitStatus::Exited(c) if *c == want);
                if !ok {
                    let meaning = if want == 0 { "success" } else { "failure" };
                    problems.push(with_hint(
                        format!(
                            "your guest {ended}; it should exit with status {want} ({meaning})"
                        ),
                        &expect.exit_hint,
                    ));
                }
            } else if let ExitStatus::Failed(f) = status {
                problems.push(format!("your guest was stopped: {}", f.message));
            }
        }
    }
    if let Some(want) = &expect.stdout
        && run.stdout != *want
    {
        let got = if run.stdout.is_empty() {
            let elsewhere = if run.stderr.is_empty() {
                String::new()
            } else {
                format!(" (it printed {} to standard error)", shown(&run.stderr))
            };
            format!("your guest printed nothing to standard output{elsewhere}")
        } else {
            format!(
                "your guest printed {} to standard output",
                shown(&run.stdout)
            )
        };
        problems.push(with_hint(
            format!("{got}; it should print {}", shown(want)),
            &expect.stdout_hint,
        ));
    }
    for want in &expect.stdout_contains {
        if !run.stdout.contains(want.as_str()) {
            problems.push(with_hint(
                format!(
                    "your guest's standard output does not contain {} (it is {})",
                    shown(want),
                    shown(&run.stdout)
                ),
                &expect.stdout_hint,
            ));
        }
    }
    for want in &expect.stderr_contains {
        if !run.stderr.contains(want.as_str()) {
            problems.push(format!(
                "your guest's standard error does not contain {} (it is {})",
                shown(want),
                shown(&run.stderr)
            ));
        }
    }
    if let Some(p) = judge_calls(&expect.calls, &run.records) {
        problems.push(p);
    }
    let times = |n: usize| match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    };
    let count = |name: &str| run.records.iter().filter(|r| matches_name(r, name)).count();
    for (name, want) in &expect.times {
        let n = count(name);
        if n != *want {
            problems.push(format!(
                "your guest called {name} {}; it should call it {}",
                times(n),
                times(*want)
            ));
        }
    }
    for (name, most) in &expect.at_most {
        let n = count(name);
        if n > *most {
            problems.push(format!(
                "your guest called {name} {}; it should call it {} at most",
                times(n),
                times(*most)
            ));
        }
    }
    if let Some(want) = &expect.open_at_exit {
        for (n, name) in &run.open {
            if !want.contains(n) {
                problems.push(format!(
                    "your guest left descriptor {n} ({name}) open when it ended: close it"
                ));
            }
        }
        for n in want {
            if !run.open.iter().any(|(o, _)| o == n) {
                problems.push(format!(
                    "descriptor {n} was not open when your guest ended; it should be"
                ));
            }
        }
    }
    for m in &expect.memory {
        let want = match bytes_expected(m) {
            Ok(b) => b,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let start = m.at as usize;
        let got = run.memory.get(start..start + want.len());
        if got != Some(want.as_slice()) {
            let got = match got {
                Some(b) => format!("{} ({})", quote_bytes(b, 64), hex_bytes(b, 64)),
                None => "outside its memory".to_string(),
            };
            let wanted = match (&m.text, m.u32) {
                (Some(t), _) => shown(t),
                (None, Some(v)) => format!("the u32 {v} ({})", hex_bytes(&want, 8)),
                _ => hex_bytes(&want, 64),
            };
            problems.push(with_hint(
                format!(
                    "when your guest ended, the {} bytes at {:#x} were {got}; they should be {wanted}",
                    want.len(),
                    m.at
                ),
                &m.hint,
            ));
        }
    }
    problems
}
