//! Lessons in the workbench, driven through its widgets with egui_kittest
//! as a learner would: open a lesson, follow its steps (each opening a
//! sample, running to a syscall and pointing at a panel), fail and then
//! pass its exercise; a configuration exercise edited in the panel;
//! progress remembered by the next window; Predict, then step.

use crate::common;

use common::{harness, sample, settle};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::Path;
use std::time::Duration;
use wasmhole::lessons::{Catalog, Workspace};
use wasmhole::model::document::Document;
use wasmhole::model::lessons::Lessons;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole::workbench::dock::Tab;
use wasmhole_runtime::ExitStatus;
use wasmhole_runtime::debug::StopReason;

fn app_with_lessons(data: &Path) -> App {
    let mut app = App::new(None);
    let catalog = Catalog::load(&sample("lessons")).expect("the lessons load");
    app.wb.lessons = Lessons::new(Some(catalog), Workspace::at(data));
    app.wb.focus = Some(Tab::Lessons);
    app
}

/// Draws frames until the step's actions are done and the guest is still.
fn settle_step(h: &mut Harness<'static, App>) {
    for _ in 0..400 {
        h.run_steps(1);
        let wb = &mut h.state_mut().wb;
        assert!(wb.settle(Duration::from_secs(20)), "the guest settled");
        if !wb.lessons.busy() && wb.state() != RunState::Running {
            h.run_steps(2);
            return;
        }
    }
    panic!("the step's actions did not finish");
}

fn settle_check(h: &mut Harness<'static, App>) {
    assert!(
        h.state_mut().wb.settle_check(Duration::from_secs(60)),
        "the check finished"
    );
    // Long enough that the next click is not taken for a double click.
    std::thread::sleep(Duration::from_millis(600));
    h.run_steps(40);
}

fn stop_reason(h: &Harness<'static, App>) -> StopReason {
    h.state()
        .wb
        .run()
        .snapshot
        .as_ref()
        .expect("the guest is stopped")
        .reason
        .clone()
}

#[test]
fn a_lesson_followed_step_by_step_then_its_exercise_failed_and_passed() {
    let data = tempfile::tempdir().unwrap();
    let mut h = harness(app_with_lessons(data.path()));
    h.run_steps(3);
    h.get_by_label("3. A guest's first syscall").click();
    h.run_steps(2);
    h.get_by_label("Step 1 of 5");

    // Watch the call: hello.wat opened and run to fd_write's entry.
    h.get_by_label("Next").click();
    settle_step(&mut h);
    h.get_by_label("Step 2 of 5");
    assert_eq!(h.state().wb.doc.name, "hello.wat");
    match stop_reason(&h) {
        StopReason::SyscallEntry { name, .. } => assert_eq!(name, "fd_write"),
        other => panic!("stopped at {other}"),
    }
    h.get_by_label_contains("Look at the Memory panel: the iovec at address 0 (16, 25)");

    // Watch the memory: at the exit, the call selected, its bytes marked.
    h.get_by_label("Next").click();
    settle_step(&mut h);
    match stop_reason(&h) {
        StopReason::SyscallExit { record, .. } => assert_eq!(record.name, "fd_write"),
        other => panic!("stopped at {other}"),
    }
    let wb = &h.state().wb;
    assert_eq!(wb.view().call, Some(1));
    assert_eq!(wb.run().ring().get(1).unwrap().name, "fd_write");
    let bytes = wb.run().call_bytes(1).expect("the call's bytes are kept");
    assert_eq!(bytes.written[0].start, 8, "nwritten at 8");
    h.get_by_label("#1 fd_write, its bytes as it ran:");
    h.get_by_label_contains("Look at the Memory panel");

    // On to the exercise: the learner's copy opens in Source.
    h.get_by_label("Next").click();
    settle_step(&mut h);
    h.get_by_label("Step 4 of 5");
    h.get_by_label("Next").click();
    settle_step(&mut h);
    h.get_by_label("Step 5 of 5");
    let copy = data.path().join("first-syscall/greet.wat");
    assert_eq!(h.state().wb.doc.path.as_deref(), Some(copy.as_path()));
    assert_eq!(h.state().wb.doc.name, "greet.wat");

    // The starter fails, in the learner's terms.
    h.get_by_role_and_label(Role::Button, "Check").click();
    settle_check(&mut h);
    h.get_by_label("Not yet:");
    h.get_by_label_contains(
        "your guest called fd_write with fd=2 (standard error), not fd=1 (standard output)",
    );

    // The learner edits the Source and checks again: it passes.
    let text = h.state().wb.doc.text.clone().unwrap();
    let fixed = text.replace("(i32.const 2)      ;; fd", "(i32.const 1)      ;; fd");
    assert_ne!(text, fixed);
    h.state_mut().wb.doc.text = Some(fixed.clone());
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Check").click();
    settle_check(&mut h);
    h.get_by_label("Passed: your guest does what the exercise asks.");
    assert_eq!(
        std::fs::read_to_string(&copy).unwrap(),
        fixed,
        "the copy was saved"
    );
    let starter = sample("lessons/03-first-syscall/greet.wat");
    assert_eq!(
        std::fs::read_to_string(starter).unwrap(),
        text,
        "the starter is untouched"
    );
    let progress = Workspace::at(data.path()).load_progress();
    assert!(progress.passed.contains("stdout-not-stderr"));
    assert_eq!(progress.steps.get("first-syscall"), Some(&4));
}

#[test]
fn progress_is_remembered_by_the_next_window() {
    let data = tempfile::tempdir().unwrap();
    {
        let mut h = harness(app_with_lessons(data.path()));
        h.run_steps(3);
        h.get_by_label("1. What a module imports and exports")
            .click();
        h.run_steps(2);
        h.get_by_label("Next").click();
        settle_step(&mut h);
        h.get_by_label("Step 2 of 5");
    }
    let mut h = harness(app_with_lessons(data.path()));
    h.run_steps(3);
    h.get_by_label("1. What a module imports and exports")
        .click();
    h.run_steps(2);
    h.get_by_label("Step 2 of 5");
    h.get_by_label("Do this step");
}

#[test]
fn a_configuration_exercise_is_the_run_configuration_the_workbench_runs() {
    let data = tempfile::tempdir().unwrap();
    let mut h = harness(app_with_lessons(data.path()));
    h.run_steps(3);
    h.get_by_label("6. Capabilities, not paths").click();
    h.run_steps(2);
    h.get_by_label("Open: Grant a directory").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("Open: Grant a directory").click();
    h.run_steps(1);
    settle(&mut h);
    // The program it configures is in Source; its configuration is the
    // Run configuration panel, brought to the front.
    assert_eq!(h.state().wb.doc.name, "show_notes.wat");
    h.run_steps(2);
    h.get_by_label_contains("Your exercise's configuration");
    h.get_by_label_contains("is the Run configuration: edit it there");
    h.get_by_role_and_label(Role::Button, "Check").click();
    settle_check(&mut h);
    h.get_by_label_contains("your guest's path_open failed with EBADF");
    // Granted in the Run configuration panel: the check passes, the file
    // holds it, and what F5 runs is what the check ran.
    h.get_by_label("Directories").click();
    h.run_steps(1);
    h.get_by_label("Directories").type_text("data::/data");
    h.run_steps(2);
    assert_eq!(h.state().wb.config.dirs.trim(), "data::/data");
    h.get_by_role_and_label(Role::Button, "Check").click();
    settle_check(&mut h);
    h.get_by_label("Passed: your guest does what the exercise asks.");
    let saved = std::fs::read_to_string(data.path().join("capabilities/run.toml")).unwrap();
    assert!(saved.contains("data::/data"), "{saved}");
    h.get_by_label("Apply and restart").click();
    h.run_steps(1);
    settle(&mut h);
    h.get_by_label("Continue").click();
    h.run_steps(1);
    settle(&mut h);
    assert_eq!(
        h.state().wb.state(),
        RunState::Exited(ExitStatus::Exited(0))
    );
    assert_eq!(
        h.state().wb.run().console.text(),
        "A capability is a key you were handed,\nnot a path you can name.\n"
    );
}

const CLOSE_NINE: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $close (i32.const 9)))))"#;

#[test]
fn predict_then_step_scores_the_learners_guess() {
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/hello.wat"));
    app.wb.predict.enabled = true;
    let mut h = harness(app);
    settle(&mut h);
    h.get_by_label("Run to the next syscall").click();
    h.run_steps(1);
    settle(&mut h);
    h.get_by_label("It will return (a number or an error name):");
    h.get_by_label("It will write these bytes (like 0x8+4, 0x40..0x46):");
    // Nothing of the answer is shown before the guess.
    assert!(h.query_by_label_contains("nwritten at 0x8").is_none());
    h.state_mut().wb.predict.result = "0".into();
    h.state_mut().wb.predict.bytes = "0x8+4".into();
    h.get_by_label("Step and score").click();
    h.run_steps(1);
    settle(&mut h);
    h.run_steps(2);
    assert_eq!(
        (h.state().wb.predict.right, h.state().wb.predict.total),
        (1, 1)
    );
    h.get_by_label("Score: 1 of 1 predictions right");
    h.get_by_label_contains("It wrote 0x8+4; you said 0x8+4: right");

    // A wrong guess is scored as wrong, with what really happened.
    h.state_mut()
        .wb
        .load(Document::from_bytes("close.wat", CLOSE_NINE.as_bytes().to_vec()).unwrap());
    settle(&mut h);
    h.get_by_label("Run to the next syscall").click();
    h.run_steps(1);
    settle(&mut h);
    h.state_mut().wb.predict.result = "0".into();
    h.get_by_label("Step and score").click();
    h.run_steps(1);
    settle(&mut h);
    h.run_steps(2);
    assert_eq!(
        (h.state().wb.predict.right, h.state().wb.predict.total),
        (1, 2)
    );
    h.get_by_label_contains(
        "fd_close returned 8 EBADF (Bad file descriptor); you said 0: not quite",
    );
    // EBADF by name is right.
    h.state_mut().wb.start();
    settle(&mut h);
    h.get_by_label("Run to the next syscall").click();
    h.run_steps(1);
    settle(&mut h);
    h.state_mut().wb.predict.result = "ebadf".into();
    h.get_by_label("Step and score").click();
    h.run_steps(1);
    settle(&mut h);
    assert_eq!(
        (h.state().wb.predict.right, h.state().wb.predict.total),
        (2, 3)
    );
}

#[test]
fn a_selected_call_shows_its_card_and_the_reference_finds_any_call() {
    let mut app = App::new(None);
    app.wb.open(&sample("samples/wasi/hello.wat"));
    let mut h = harness(app);
    settle(&mut h);
    h.get_by_label("Continue").click();
    h.run_steps(1);
    settle(&mut h);
    h.state_mut().wb.focus = Some(Tab::Syscalls);
    h.run_steps(2);
    h.get_by_label_contains("fd_write(fd=1<stdout>, iovs=")
        .click();
    h.run_steps(3);
    // The card: signature, every error with when, equivalents, samples.
    h.get_by_label(
        "fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32) -> i32 · WASI preview 1",
    );
    h.get_by_label("8 EBADF");
    h.get_by_label("fd is not open, or is standard input, or a directory");
    h.get_by_label_contains("Dagger: write; Olin (CommonWA): resource_write; h: h.");
    h.get_by_label("samples/wasi/hello.wat").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("samples/wasi/hello.wat").click();
    h.run_steps(2);
    settle(&mut h);
    assert_eq!(h.state().wb.doc.name, "hello.wat");

    // Help → Calls reference, searched.
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label("Calls reference").click();
    h.run_steps(2);
    assert!(h.state().reference.open);
    h.get_by_label("Search calls").click();
    h.get_by_label("Search calls").type_text("resource_open");
    h.run_steps(3);
    h.get_by_label("1 calls");
    h.get_by_label("resource_open(url: i32, url_len: i32) -> i32 · Olin (CommonWA)");
    h.get_by_label("-3 PERMISSION_DENIED");
}
