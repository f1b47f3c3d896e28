//! The harness shared by the Dagger, Olin, h and policy tests: it runs a
//! guest (a sample file or WAT text) through the public API with its
//! standard streams in buffers and every syscall record kept in a ring,
//! and hands back what a user would look at afterwards. It also starts a
//! one-shot HTTP server on 127.0.0.1 for the stream tests.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use wasmhole_runtime::calls::record::CallOutcome;
use wasmhole_runtime::calls::ring::{Ring, RingSink};
use wasmhole_runtime::{
    EngineOptions, ExitStatus, FailureKind, OutputSpec, ProcessConfig, Program, RunOptions,
    Runtime, SharedBuffer, SyscallRecord,
};

/// What a run left behind.
pub struct Outcome {
    /// How it ended.
    pub status: ExitStatus,
    /// Everything written to standard output.
    pub stdout: String,
    /// Everything written to standard error.
    pub stderr: String,
    /// Every call, in order.
    pub records: Vec<SyscallRecord>,
    /// Descriptors still open at the end, as `(number, kind, name)`.
    pub open: Vec<(u32, String, String)>,
}

impl Outcome {
    /// Each call as its strace-like line, without the timing.
    pub fn trace(&self) -> Vec<String> {
        self.records
            .iter()
            .map(|r| {
                let line = r.trace_line();
                match line.rfind(" <") {
                    Some(i) => line[..i].to_string(),
                    None => line,
                }
            })
            .collect()
    }

    /// The records of calls named `name`.
    pub fn calls(&self, name: &str) -> Vec<&SyscallRecord> {
        self.records.iter().filter(|r| r.name == name).collect()
    }

    /// The raw results of calls named `name`, in order.
    pub fn results(&self, name: &str) -> Vec<i64> {
        self.calls(name)
            .iter()
            .filter_map(|r| match &r.outcome {
                CallOutcome::Returned(res) => Some(res.raw),
                _ => None,
            })
            .collect()
    }

    /// The exit code, failing the test with the message if the guest was stopped.
    pub fn exit_code(&self) -> i32 {
        match &self.status {
            ExitStatus::Exited(code) => *code,
            ExitStatus::Failed(f) => panic!(
                "guest failed: {}\nstdout: {}\nstderr: {}",
                f.message, self.stdout, self.stderr
            ),
        }
    }

    /// The failure message, failing the test if the guest exited normally
    /// or failed some other way than `kind`.
    pub fn failure(&self, kind: FailureKind) -> String {
        match &self.status {
            ExitStatus::Failed(f) if f.kind == kind => f.message.clone(),
            other => panic!(
                "expected a {kind:?} failure, got {other:?}\nstdout: {}\nstderr: {}",
                self.stdout, self.stderr
            ),
        }
    }
}

/// The path of a file under `samples/`.
pub fn sample_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../samples")
        .join(rel)
}

/// Loads a sample guest.
pub fn sample(rel: &str) -> Program {
    Program::from_file(sample_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Compiles WAT text.
pub fn wat(name: &str, text: &str) -> Program {
    Program::from_wat(name, text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs `program` with `config` (its standard output and error are
/// replaced by buffers), recording every call.
pub fn run(program: &Program, mut config: ProcessConfig) -> Outcome {
    let stdout = SharedBuffer::new();
    let stderr = SharedBuffer::new();
    config.stdout = OutputSpec::Buffer(stdout.clone());
    config.stderr = OutputSpec::Buffer(stderr.clone());
    if config.args.is_empty() {
        config.args = vec![program.name().to_string()];
    }
    let runtime = Runtime::new(EngineOptions {
        fuel: config.limits.fuel.is_some(),
        ..EngineOptions::default()
    })
    .expect("engine");
    let ring = Arc::new(Mutex::new(Ring::new(100_000)));
    let report = runtime.run(
        program,
        RunOptions {
            abi: None,
            config,
            sinks: vec![Box::new(RingSink(ring.clone()))],
        },
    );
    let records = ring.lock().unwrap().records().iter().cloned().collect();
    Outcome {
        status: report.status,
        stdout: stdout.text(),
        stderr: stderr.text(),
        records,
        open: report
            .open_descriptors
            .iter()
            .map(|d| (d.number, d.kind.to_string(), d.name.clone()))
            .collect(),
    }
}

/// Runs `program` with nothing granted.
pub fn run_plain(program: &Program) -> Outcome {
    run(program, ProcessConfig::default())
}

/// What the one-shot server saw.
pub struct Served {
    /// The raw request: head and body.
    pub request: Vec<u8>,
}

/// A server on 127.0.0.1 that answers one connection with `response` and
/// then stops. It gives up after a few seconds with no client.
pub struct OneShot {
    /// Its port.
    pub port: u16,
    handle: JoinHandle<Option<Served>>,
}

impl OneShot {
    /// Starts listening on a free loopback port.
    pub fn start(response: &'static [u8]) -> OneShot {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let handle = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut stream = loop {
                match listener.accept() {
                    Ok((s, _)) => break s,
                    Err(_) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    Err(_) => return None,
                }
            };
            stream.set_nonblocking(false).ok()?;
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            stream.write_all(response).ok()?;
            Some(Served { request })
        });
        OneShot { port, handle }
    }

    /// Waits for the server to finish: what it saw, or `None` if no client came.
    pub fn finish(self) -> Option<Served> {
        self.handle.join().expect("server thread")
    }
}

/// Escapes text for a WAT string literal.
pub fn wat_string(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'"' | b'\\' => format!("\\{}", b as char),
            0x20..=0x7e => (b as char).to_string(),
            _ => format!("\\{b:02x}"),
        })
        .collect()
}
