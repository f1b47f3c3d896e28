//! Side by side as a learner uses it, driven through its widgets with
//! egui_kittest: the three hello samples opened from the View menu's
//! chooser, stepped together to the end, their writes in one row, each
//! column's console and exit; a call's card; a guest that cannot load;
//! the welcome page's entry; restarting and running all.

use crate::common;

use clap::Parser;
use common::{harness, sample};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use std::time::Duration;
use wasmhole::cli::Cli;
use wasmhole::model::side_by_side::Cell;
use wasmhole::workbench::App;
use wasmhole_runtime::abis::Purpose;

/// Lets every guest reach where it was sent, then draws a few frames.
fn settle(h: &mut Harness<'static, App>) {
    let sbs = h
        .state_mut()
        .side_by_side
        .as_mut()
        .expect("side by side is open");
    assert!(sbs.settle(Duration::from_secs(30)), "the guests settled");
    h.run_steps(3);
}

fn hello_side_by_side() -> Harness<'static, App> {
    let mut app = App::new(None);
    app.wb.welcome = false;
    let mut h = harness(app);
    h.run_steps(2);
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Side by side…").click();
    h.run_steps(2);
    // The chooser offers the three hello samples.
    let first = h
        .state()
        .side_by_side_chooser
        .as_ref()
        .unwrap()
        .paths
        .clone();
    assert!(first[0].ends_with("samples/wasi/hello.wat"), "{first:?}");
    assert!(first[1].ends_with("samples/dagger/hello.wat"), "{first:?}");
    assert!(first[2].ends_with("samples/olin/hello.wat"), "{first:?}");
    h.get_by_label("Open side by side").click();
    h.run_steps(2);
    settle(&mut h);
    h
}

fn step_all(h: &mut Harness<'static, App>) {
    h.get_by_label("Step all to next syscall").click();
    h.run_steps(1);
    settle(h);
}

/// The whole text of the widget labelled with text containing `text`.
fn label_of(h: &Harness<'static, App>, text: &str) -> String {
    h.get_by_label_contains(text)
        .accesskit_node()
        .label()
        .unwrap_or_default()
}

/// The vertical middle of the widget labelled with text containing `text`.
fn row_of(h: &Harness<'static, App>, text: &str) -> f32 {
    h.get_by_label_contains(text).rect().center().y
}

#[test]
fn the_three_hellos_step_together_and_their_writes_share_a_row() {
    let mut h = hello_side_by_side();
    // Each guest waits at the entry of its first call.
    h.get_by_label_contains("hello.wat · wasi");
    h.get_by_label_contains("hello.wat · dagger");
    h.get_by_label_contains("hello.wat · olin");
    assert!(label_of(&h, "fd_write(fd=1").ends_with("= ?"));
    assert!(label_of(&h, "open(url=").ends_with("= ?"));
    h.get_by_label("io_get_stdout() = ?");
    // Each heading says who moves next; their calls come first.
    h.get_by_label("at the entry of fd_write: waits for the others' calls");
    h.get_by_label("at the entry of open: makes it next");
    h.get_by_label("at the entry of io_get_stdout: makes it next");
    assert!(row_of(&h, "open(url=") < row_of(&h, "fd_write(fd=1"));
    assert!(row_of(&h, "io_get_stdout()") < row_of(&h, "fd_write(fd=1"));

    // First step: the calls no other guest can make (Dagger's open, Olin's
    // io_get_stdout) happen; WASI's write waits for the others' writes.
    step_all(&mut h);
    h.get_by_label_contains("io_get_stdout() = 1");
    assert!(
        label_of(&h, "open(url=").ends_with("= 0"),
        "{}",
        label_of(&h, "open(url=")
    );
    assert!(label_of(&h, "fd_write(fd=1").ends_with("= ?"));
    assert_eq!(
        h.get_all_by_label_contains("= ?").count(),
        3,
        "each at its write"
    );
    for who in ["a WASI", "a Dagger", "an Olin"] {
        let line = format!("Hello from {who} guest!");
        assert!(h.query_by_label(&line).is_none(), "nobody wrote yet");
    }

    // Second step: the three writes together.
    step_all(&mut h);
    h.get_by_label("Hello from a WASI guest!");
    h.get_by_label("Hello from a Dagger guest!");
    h.get_by_label("Hello from an Olin guest!");
    // fd_write, write and resource_write, beside the purpose they share.
    let write_row = row_of(&h, "write bytes");
    let writes: Vec<(String, egui::Rangef)> = h
        .get_all_by_label_contains("write(")
        .map(|n| {
            (
                n.accesskit_node().label().unwrap_or_default(),
                n.rect().y_range(),
            )
        })
        .collect();
    assert_eq!(writes.len(), 3, "{writes:?}");
    for (call, ys) in &writes {
        assert!(
            ys.contains(write_row),
            "{call} at {ys:?}, its purpose at {write_row}"
        );
    }

    // Dagger still has its close to make; the others have ended.
    while h.state().side_by_side.as_ref().unwrap().any_live() {
        step_all(&mut h);
    }
    let sbs = h.state().side_by_side.as_ref().unwrap();
    let shape: Vec<(Option<Purpose>, Vec<bool>)> = sbs
        .rows()
        .iter()
        .map(|r| (r.purpose, r.cells.iter().map(Option::is_some).collect()))
        .collect();
    assert_eq!(
        shape,
        vec![
            (Some(Purpose::Open), vec![false, true, false]),
            (Some(Purpose::StandardStreams), vec![false, false, true]),
            (Some(Purpose::Write), vec![true, true, true]),
            (Some(Purpose::Close), vec![false, true, false]),
        ]
    );
    // The purpose names each row, and the rows are in that order.
    let ys: Vec<f32> = [
        "open a file or stream",
        "find the standard streams",
        "write bytes",
        "close a descriptor",
    ]
    .iter()
    .map(|t| row_of(&h, t))
    .collect();
    assert!(ys.windows(2).all(|w| w[0] < w[1]), "{ys:?}");
    assert!(
        h.get_by_label_contains("close(fd=")
            .rect()
            .y_range()
            .contains(ys[3])
    );
    // Under each column, its exit.
    assert_eq!(
        h.get_all_by_label_contains("exited with status 0 (success)")
            .count(),
        // The column's heading and the line under its console.
        6
    );
}

#[test]
fn selecting_a_cell_shows_the_calls_card_and_the_bytes_it_wrote() {
    let mut h = hello_side_by_side();
    step_all(&mut h);
    step_all(&mut h);
    h.get_by_label_contains("fd_write(fd=1").click();
    h.run_steps(2);
    let sbs = h.state().side_by_side.as_ref().unwrap();
    assert!(matches!(sbs.selected, Some((0, Cell::Made(1)))));
    // The card, from the call's description.
    h.get_by_label_contains("Writes a list of buffers (a gather write)");
    h.get_by_label("In other ABIs");
    h.get_by_label("Samples that make it");
    // The iovec and the text it read; the count it wrote (25 bytes).
    h.get_by_label_contains("read 0x0+8, 0x10+25");
    h.get_by_label("wrote at 0x8: 00 00 00 00 → 19 00 00 00");
    // A pending call's card says it is about to be called.
    h.get_by_label_contains("close(fd=").click();
    h.run_steps(2);
    h.get_by_label_contains("about to be called");
}

#[test]
fn a_guest_that_cannot_load_says_why_in_its_column() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.wat");
    std::fs::write(&broken, "(module (func i32.nope))").unwrap();
    let mut app = App::new(None);
    app.open_side_by_side(&[sample("samples/wasi/hello.wat"), broken]);
    let mut h = harness(app);
    settle(&mut h);
    h.get_by_label_contains("broken.wat · ?");
    assert!(h.get_all_by_label_contains("cannot load:").count() >= 2);
    assert!(h.get_all_by_label_contains("unknown operator").count() >= 1);
    // The other guest goes on alone, to its end.
    while h.state().side_by_side.as_ref().unwrap().any_live() {
        step_all(&mut h);
    }
    h.get_by_label("Hello from a WASI guest!");
    assert!(h.get_all_by_label_contains("exited with status 0").count() >= 1);
}

#[test]
fn the_chooser_wants_two_programs_that_exist() {
    let mut app = App::new(None);
    app.wb.welcome = false;
    app.choose_side_by_side();
    let mut h = harness(app);
    h.run_steps(2);
    for i in 0..3 {
        h.state_mut().side_by_side_chooser.as_mut().unwrap().paths[i].clear();
    }
    h.state_mut().side_by_side_chooser.as_mut().unwrap().paths[0] =
        sample("samples/wasi/hello.wat").display().to_string();
    h.run_steps(1);
    h.get_by_label("Open side by side").click();
    h.run_steps(2);
    h.get_by_label("choose at least two programs to compare");
    h.state_mut().side_by_side_chooser.as_mut().unwrap().paths[1] = "/nowhere/x.wat".into();
    h.run_steps(1);
    h.get_by_label("Open side by side").click();
    h.run_steps(2);
    h.get_by_label("/nowhere/x.wat is not a file");
    assert!(h.state().side_by_side.is_none());
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(h.state().side_by_side_chooser.is_none());
}

#[test]
fn the_welcome_page_opens_the_hellos_side_by_side_and_restart_and_run_all_work() {
    let mut h = harness(App::new(None));
    h.run_steps(2);
    h.get_by_label("hello in WASI, Dagger and Olin").click();
    h.run_steps(2);
    settle(&mut h);
    h.get_by_label("Run all").click();
    h.run_steps(1);
    settle(&mut h);
    assert!(!h.state().side_by_side.as_ref().unwrap().any_live());
    h.get_by_label("Hello from a Dagger guest!");
    assert_eq!(h.state().side_by_side.as_ref().unwrap().rows().len(), 4);
    h.get_by_label("Restart all").click();
    h.run_steps(1);
    settle(&mut h);
    assert!(h.query_by_label("Hello from a Dagger guest!").is_none());
    assert_eq!(h.get_all_by_label_contains("= ?").count(), 3);
    h.get_by_label("Close side by side").click();
    h.run_steps(2);
    assert!(h.state().side_by_side.is_none());
}

#[test]
fn the_command_line_takes_two_or_three_programs() {
    let cli = Cli::try_parse_from(["wasmhole", "--side-by-side", "a.wat", "b.wat"]).unwrap();
    assert_eq!(cli.side_by_side.len(), 2);
    assert!(cli.file.is_none());
    let cli =
        Cli::try_parse_from(["wasmhole", "--side-by-side", "a.wat", "b.wat", "c.wat"]).unwrap();
    assert_eq!(cli.side_by_side.len(), 3);
    assert!(Cli::try_parse_from(["wasmhole", "--side-by-side", "a.wat"]).is_err());
    assert!(
        Cli::try_parse_from(["wasmhole", "--side-by-side", "a", "b", "c", "d"]).is_err(),
        "four programs are one too many"
    );
}

#[test]
fn a_guest_that_never_makes_a_call_can_be_ended_and_the_others_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let spin = dir.path().join("spin.wat");
    std::fs::write(
        &spin,
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "_start") (loop br 0)))"#,
    )
    .unwrap();
    let mut app = App::new(None);
    app.open_side_by_side(&[sample("samples/wasi/hello.wat"), spin]);
    let mut h = harness(app);
    h.run_steps(3);
    // The spinning guest holds the next step; it says it runs.
    assert!(h.state().side_by_side.as_ref().unwrap().busy());
    h.get_by_label("running");
    h.get_by_label_contains("running: no call yet since the last step");
    h.get_by_label("End it").click();
    h.run_steps(1);
    settle(&mut h);
    let sbs = h.state().side_by_side.as_ref().unwrap();
    assert!(sbs.guests[1].exit().is_some(), "the spinning guest ended");
    assert!(!sbs.busy());
    // WASI's write has no counterpart left: it goes alone.
    step_all(&mut h);
    h.get_by_label("Hello from a WASI guest!");
    assert!(!h.state().side_by_side.as_ref().unwrap().any_live());
}

#[test]
fn each_guest_runs_with_the_configuration_remembered_for_its_file() {
    use wasmhole::model::run_config::RunConfig;
    use wasmhole::model::workbench::FileSettings;
    let wasi = sample("samples/wasi/args.wat");
    let olin = sample("samples/olin/args_env.wat");
    let mut app = App::new(None);
    for (path, env) in [(&wasi, ""), (&olin, "GREETING=hello")] {
        app.wb.files.insert(
            path.clone(),
            FileSettings {
                config: RunConfig {
                    args: "one \"two words\"".into(),
                    env: env.into(),
                    ..RunConfig::default()
                },
                ..FileSettings::default()
            },
        );
    }
    app.open_side_by_side(&[wasi, olin]);
    let mut h = harness(app);
    settle(&mut h);
    h.get_by_label("Run all").click();
    h.run_steps(1);
    settle(&mut h);
    let sbs = h.state().side_by_side.as_ref().unwrap();
    let console = |g: usize| -> String {
        sbs.guests[g]
            .run
            .console
            .chunks
            .iter()
            .map(|(_, t)| t.as_str())
            .collect()
    };
    assert!(console(0).ends_with("\none\ntwo words\n"), "{}", console(0));
    assert!(console(1).contains("arg 2: two words"), "{}", console(1));
    assert!(console(1).contains("GREETING=hello"), "{}", console(1));
    // Asking for the arguments lines up: args_sizes_get beside
    // startup_arg_len.
    let name = |row: usize, g: usize| match sbs.cell(row, g) {
        Some(Cell::Made(seq)) => sbs.guests[g].record(seq).map(|r| r.name),
        _ => None,
    };
    let row = (0..sbs.rows().len())
        .find(|&r| name(r, 0) == Some("args_sizes_get"))
        .expect("a row holds args_sizes_get");
    assert_eq!(sbs.rows()[row].purpose, Some(Purpose::Args));
    assert_eq!(name(row, 1), Some("startup_arg_len"));
    let args_sizes = h.get_by_label_contains("args_sizes_get(").rect().y_range();
    assert!(
        h.get_all_by_label_contains("startup_arg_len(")
            .any(|n| n.rect().y_range().contains(args_sizes.center())),
        "startup_arg_len is drawn beside args_sizes_get"
    );
}
