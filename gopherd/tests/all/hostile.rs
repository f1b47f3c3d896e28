//! Hostile handlers (`runtime/tests/hostile/*.wat`) behind gopherd: each is
//! answered with an error item and logged with the reason, the server's
//! memory stays bounded, and while they run the server goes on answering
//! everyone else. Handlers that hoard real files stop at their route's
//! open-files budget, and all of them at once leave the server room to
//! accept and answer within its open-files limit.

use crate::common;

use common::{Gopherd, fixture, sample, with_open_files_limit};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn hostile(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../runtime/tests/hostile")
        .join(name)
        .display()
        .to_string()
}

/// (selector, module, route limits, the error item's text, the access log
/// outcome, what the server log says)
const CASES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "/bomb",
        "memory_bomb.wat",
        "memory = \"64M\"",
        "handler crashed",
        "trap",
        "memory limit of 67108864 bytes refused growth",
    ),
    (
        "/dagger-log",
        "dagger_log_flood.wat",
        "max_output = \"1M\"",
        "handler output too large",
        "output-limit",
        "guest `dagger_log_flood.wat` was killed in call `write`",
    ),
    (
        "/olin-log",
        "olin_log_flood.wat",
        "max_output = \"1M\"",
        "handler output too large",
        "output-limit",
        "guest `olin_log_flood.wat` was killed in call `resource_write`",
    ),
    (
        "/stdout",
        "stdout_flood.wat",
        "max_output = \"1M\"",
        "handler output too large",
        "output-limit",
        "guest `stdout_flood.wat` was killed in call `fd_write`",
    ),
    (
        "/fifo",
        "fifo_read.wat",
        "timeout = \"1s\"\ndirs = [\"{tmp}/readers::/data\"]",
        "handler timed out",
        "timeout",
        "guest `fifo_read.wat` exceeded its time limit of 1s in call `path_open`",
    ),
    (
        "/fifo-write",
        "dagger_fifo_write.wat",
        "timeout = \"1s\"\ndirs = [\"{tmp}/writers::/data\"]",
        "handler timed out",
        "timeout",
        "guest `dagger_fifo_write.wat` exceeded its time limit of 1s in call `open`",
    ),
    (
        "/sleep",
        "olin_sleep.wat",
        "timeout = \"1s\"",
        "handler timed out",
        "timeout",
        "guest `olin_sleep.wat` exceeded its time limit of 1s in call `runtime_msleep`",
    ),
    (
        "/spin",
        "spin.wat",
        "timeout = \"1s\"",
        "handler timed out",
        "timeout",
        "guest `spin.wat` exceeded its time limit of 1s",
    ),
    (
        "/fds",
        "olin_fd_table.wat",
        "",
        "handler failed (exit status 7)",
        "exit",
        "descriptor limit of 1024 reached",
    ),
];

/// Every hostile route; all requests come from one address, so the
/// per-client bound is lifted.
fn config() -> String {
    let mut toml = format!(
        "[limits]\nmax_per_client = 0\n\n[[route]]\nselector = \"/ok\"\nmodule = \"{}\"\n\n",
        sample("wasi/time.wat")
    );
    for (selector, module, limits, ..) in CASES {
        toml.push_str(&format!(
            "[[route]]\nselector = \"{selector}\"\nmodule = \"{}\"\n{limits}\n\n",
            hostile(module)
        ));
    }
    toml
}

#[test]
fn hostile_handlers_fail_alone_and_the_server_answers_others_meanwhile() {
    let hole = Arc::new(Gopherd::with_setup(&config(), |tmp| {
        // One FIFO only read, one only written: no one ever at the other end.
        for folder in ["readers", "writers"] {
            let granted = tmp.join(folder);
            std::fs::create_dir(&granted).unwrap();
            let made = std::process::Command::new("mkfifo")
                .arg(granted.join("fifo"))
                .status()
                .unwrap();
            assert!(made.success());
        }
    }));
    // Every hostile route, twice, all at once.
    let attacks: Vec<_> = CASES
        .iter()
        .chain(CASES)
        .map(|case| {
            let hole = hole.clone();
            let (selector, ..) = *case;
            std::thread::spawn(move || (selector, hole.get(selector)))
        })
        .collect();
    // Meanwhile, others are answered, each promptly.
    for _ in 0..10 {
        let t0 = Instant::now();
        let out = hole.get("/ok");
        assert!(out.contains("The server's clock says"), "{out}");
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "an ordinary request waited {:?}",
            t0.elapsed()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for attack in attacks {
        let (selector, out) = attack.join().unwrap();
        let (_, _, _, reason, outcome, logged) = CASES.iter().find(|c| c.0 == selector).unwrap();
        assert_eq!(
            out,
            format!("3{reason}\t\terror.host\t1\r\n.\r\n"),
            "{selector}"
        );
        hole.wait_for_access(&[&format!("\"{selector}\""), &format!("outcome={outcome} ")]);
        assert!(
            hole.wait_for_log(logged, Duration::from_secs(5)),
            "the log explains {selector}: {logged}\n{}",
            hole.stderr()
        );
    }
    let peak = hole.peak_memory_kib();
    assert!(peak < 512 * 1024, "gopherd grew to {peak} KiB");
    assert!(hole.get("/ok").contains("The server's clock says"));
}

#[test]
fn handlers_hoarding_files_stop_at_their_budget_and_leave_the_server_room() {
    // 32 reserved + 1 listener + 65 pending + 2 x 16 answered
    // + 2 x 16 static + 4 handlers x (16 files + 1 folder + 1) = 234.
    let toml = format!(
        "[limits]\nmax_per_client = 0\nmax_pending = 64\nmax_connections = 16\nmax_handlers = 4\n\n\
         [[route]]\nselector = \"/ok\"\nmodule = \"{}\"\n\n\
         [[route]]\nselector = \"/hoard\"\nmodule = \"{}\"\nopen_files = 16\ndirs = [\"{{tmp}}/files::/data\"]\n",
        sample("wasi/time.wat"),
        fixture("open_files_hoard.wat")
    );
    let hole = Arc::new(Gopherd::with_launch(
        &toml,
        |tmp| {
            std::fs::create_dir(tmp.join("files")).unwrap();
            std::fs::write(tmp.join("files/f.txt"), "x").unwrap();
        },
        |command| with_open_files_limit(command, 256),
    ));
    // The idle clients come first: beyond `max_pending` the longest-waiting
    // connection is dropped, and that must be an idle one, never a hoarder
    // whose request line the server has not read yet.
    let idle: Vec<_> = (0..100).map(|_| hole.connect()).collect();
    let hoarders: Vec<_> = (0..12)
        .map(|_| {
            let hole = hole.clone();
            std::thread::spawn(move || hole.get("/hoard"))
        })
        .collect();
    for _ in 0..5 {
        assert!(hole.get("/ok").contains("The server's clock says"));
    }
    for hoarder in hoarders {
        assert_eq!(
            hoarder.join().unwrap(),
            "3handler failed (exit status 33)\t\terror.host\t1\r\n.\r\n"
        );
    }
    assert!(
        hole.wait_for_log(
            "path_open: cannot open `/data/f.txt`: descriptor limit of 16 open files reached",
            Duration::from_secs(5)
        ),
        "{}",
        hole.stderr()
    );
    drop(idle);
    assert!(hole.get("/ok").contains("The server's clock says"));
    let log = hole.stderr();
    assert!(
        !log.contains("accepting a connection failed") && !log.contains("Too many open files"),
        "{log}"
    );
}
