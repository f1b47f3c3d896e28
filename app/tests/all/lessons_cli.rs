//! The lessons' exercises checked headless, as a learner and a teacher use
//! them: every starter fails its check and every worked solution passes,
//! through `wasmhole lessons check` (exit status 0 only on a pass); the
//! list and its JSON; the learner's copy made once and never over the
//! starter.

use std::path::{Path, PathBuf};
use std::process::Command;
use wasmhole::lessons::Catalog;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn catalog() -> Catalog {
    Catalog::load(&repo().join("lessons")).expect("the lessons load")
}

/// The worked solution of an exercise, kept beside the tests.
fn solution(id: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lesson_solutions");
    std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_stem().is_some_and(|s| s == id))
        .unwrap_or_else(|| panic!("no solution for {id} in {}", dir.display()))
}

/// `wasmhole lessons ARGS` with its own data folder.
fn wasmhole(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wasmhole"))
        .arg("lessons")
        .args(args)
        .env("XDG_DATA_HOME", data)
        .current_dir(repo())
        .output()
        .expect("wasmhole runs")
}

#[test]
fn every_starter_fails_and_every_solution_passes() {
    let c = catalog();
    let mut count = 0;
    for lesson in &c.lessons {
        for ex in &lesson.exercises {
            count += 1;
            let starter = c.check(lesson, ex, &lesson.dir.join(&ex.starter));
            assert!(
                !starter.passed(),
                "the starter of {} passes its check",
                ex.id
            );
            for p in &starter.problems {
                assert!(!p.is_empty(), "{}: an empty problem", ex.id);
            }
            let solved = c.check(lesson, ex, &solution(&ex.id));
            assert!(
                solved.passed(),
                "the solution of {} fails: {:#?}\n{:#?}",
                ex.id,
                solved.problems,
                solved.ran
            );
        }
    }
    assert!(count >= 12, "{count} exercises");
}

#[test]
fn the_check_speaks_in_the_learners_terms() {
    let c = catalog();
    let (lesson, ex) = c.exercise("stdout-not-stderr").unwrap();
    let verdict = c.check(lesson, ex, &lesson.dir.join(&ex.starter));
    assert!(
        verdict.problems.iter().any(|p| p.contains(
            "your guest called fd_write with fd=2 (standard error), not fd=1 (standard output)"
        )),
        "{:#?}",
        verdict.problems
    );
    assert!(
        verdict.problems.iter().any(|p| p
            .starts_with("your guest printed nothing to standard output")
            && p.contains("to standard error")),
        "{:#?}",
        verdict.problems
    );
    let (lesson, ex) = c.exercise("close-the-file").unwrap();
    let verdict = c.check(lesson, ex, &lesson.dir.join(&ex.starter));
    assert!(
        verdict
            .problems
            .iter()
            .any(|p| p
                == "your guest left descriptor 4 (/data/notes.txt) open when it ended: close it"),
        "{:#?}",
        verdict.problems
    );
}

#[test]
fn a_file_that_does_not_compile_is_placed_by_line_and_column() {
    let c = catalog();
    let (lesson, ex) = c.exercise("stdout-not-stderr").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.wat");
    std::fs::write(&broken, "(module\n  (func\n    i32.nope))").unwrap();
    let verdict = c.check(lesson, ex, &broken);
    assert_eq!(verdict.problems.len(), 1);
    assert!(
        verdict.problems[0]
            .starts_with("your file does not compile: line 3, column 5: unknown operator"),
        "{:#?}",
        verdict.problems
    );
}

#[test]
fn check_exits_zero_only_on_a_pass() {
    let data = tempfile::tempdir().unwrap();
    let c = catalog();
    for lesson in &c.lessons {
        for ex in &lesson.exercises {
            let starter = lesson.dir.join(&ex.starter);
            let out = wasmhole(data.path(), &["check", &ex.id, starter.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(1), "{}: the starter", ex.id);
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.starts_with("not yet: "), "{text}");
            let solved = solution(&ex.id);
            let out = wasmhole(data.path(), &["check", &ex.id, solved.to_str().unwrap()]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}",
                ex.id,
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
    let out = wasmhole(data.path(), &["check", "no-such-exercise"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_learners_copy_is_made_once_and_its_check_is_remembered() {
    let data = tempfile::tempdir().unwrap();
    let out = wasmhole(data.path(), &["check", "stdout-not-stderr"]);
    assert_eq!(out.status.code(), Some(2), "no copy yet");
    assert!(String::from_utf8_lossy(&out.stderr).contains("wasmhole lessons start"));
    let out = wasmhole(data.path(), &["start", "stdout-not-stderr"]);
    assert!(out.status.success());
    let copy = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(
        copy.starts_with(data.path().join("wasmhole/lessons")),
        "{}",
        copy.display()
    );
    let starter = repo().join("lessons/03-first-syscall/greet.wat");
    let original = std::fs::read(&starter).unwrap();
    assert_eq!(std::fs::read(&copy).unwrap(), original);
    // The learner solves it in their copy; starting again keeps their work.
    std::fs::copy(solution("stdout-not-stderr"), &copy).unwrap();
    let out = wasmhole(data.path(), &["start", "stdout-not-stderr"]);
    assert!(out.status.success());
    assert_ne!(std::fs::read(&copy).unwrap(), original);
    let out = wasmhole(data.path(), &["check", "stdout-not-stderr"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read(&starter).unwrap(),
        original,
        "the starter is untouched"
    );
    let progress =
        std::fs::read_to_string(data.path().join("wasmhole/lessons/progress.json")).unwrap();
    assert!(progress.contains("stdout-not-stderr"), "{progress}");
    let list = String::from_utf8_lossy(&wasmhole(data.path(), &[]).stdout).into_owned();
    let line = list
        .lines()
        .find(|l| l.contains("stdout-not-stderr:"))
        .expect("the exercise is listed");
    assert!(line.trim_start().starts_with("passed"), "{line}");
}

#[test]
fn the_json_list_names_each_lesson_and_exercise_with_its_starter() {
    let data = tempfile::tempdir().unwrap();
    let out = wasmhole(data.path(), &["--json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lessons = list.as_array().unwrap();
    assert!(lessons.len() >= 12);
    for l in lessons {
        assert!(l["id"].is_string() && l["title"].is_string());
        let exercises = l["exercises"].as_array().unwrap();
        assert!(!exercises.is_empty());
        for e in exercises {
            assert!(e["id"].is_string());
            let starter = PathBuf::from(e["starter"].as_str().unwrap());
            assert!(starter.is_file(), "{}", starter.display());
            assert_eq!(e["status"], "not-started");
        }
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_list_quietly() {
    let data = tempfile::tempdir().unwrap();
    for json in [false, true] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wasmhole"));
        command.arg("lessons");
        if json {
            command.arg("--json");
        }
        let child = command
            .env("XDG_DATA_HOME", data.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the list is written, as `| head`
        // does once it has its lines.
        let mut child = child;
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "json={json}: {stderr}");
        assert_eq!(stderr, "", "json={json}");
    }
}
