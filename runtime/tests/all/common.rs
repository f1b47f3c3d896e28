//! The harness shared by the WASI integration tests: it runs a WAT guest
//! through the public API with its standard streams in buffers, a temporary
//! directory granted to it, and every syscall record kept in a ring, and
//! hands back what a user would look at afterwards.
//!
//! Guests are written as module bodies and wrapped by [`module`], which adds
//! every `wasi_snapshot_preview1` import (named `$` + the call's name, with
//! the signatures the WASI specification gives), one page of exported memory
//! and a few helpers. Guests own memory below `0xFF00`; the helpers use the
//! rest:
//!
//! | address  | use                                           |
//! |----------|-----------------------------------------------|
//! | `0xFF00` | the iovec of `$write` and `$read`             |
//! | `0xFF08` | `nwritten`/`nread` of `$write` and `$read`    |
//! | `0xFF0C` | the descriptor `$open` opened                 |
//! | `0xFFDC` | the digits and newline `$print_u64` prints    |
//! | `0xFFF8` | the newline `$println` prints                 |

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tempfile::TempDir;
use wasmhole_runtime::calls::record::CallOutcome;
use wasmhole_runtime::calls::ring::{Ring, RingSink};
use wasmhole_runtime::{
    DirGrant, EngineOptions, ExitStatus, InputSpec, Limits, OutputSpec, ProcessConfig, Program,
    RunOptions, Runtime, SharedBuffer, SyscallRecord,
};

/// The name under which [`Sandbox`] grants its directory.
pub const SANDBOX: &str = "/sandbox";

/// Every `wasi_snapshot_preview1` function, with its specified signature.
pub const IMPORTS: &str = r#"
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_advise" (func $fd_advise (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_allocate" (func $fd_allocate (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_datasync" (func $fd_datasync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $fd_fdstat_set_rights (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $fd_filestat_set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func $fd_filestat_set_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_sync" (func $fd_sync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times" (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
"#;

/// Helpers every wrapped guest can call.
const HELPERS: &str = r#"
  (memory (export "memory") 1)

  ;; Exits with `errno` unless it is 0 (success).
  (func $must (param $errno i32)
    (if (local.get $errno) (then (call $proc_exit (local.get $errno)))))

  ;; Writes `len` bytes at `ptr` to `fd` with one iovec; returns the errno.
  (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0xFF00) (local.get $ptr))
    (i32.store (i32.const 0xFF04) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 0xFF00) (i32.const 1) (i32.const 0xFF08)))

  ;; Reads at most `len` bytes from `fd` into `ptr`; returns the errno.
  ;; The count read is left at 0xFF08 (see `$nread`).
  (func $read (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0xFF00) (local.get $ptr))
    (i32.store (i32.const 0xFF04) (local.get $len))
    (call $fd_read (local.get $fd) (i32.const 0xFF00) (i32.const 1) (i32.const 0xFF08)))

  ;; The count of the last `$read` or `$write`.
  (func $nread (result i32) (i32.load (i32.const 0xFF08)))

  ;; Writes `len` bytes at `ptr` to standard output.
  (func $print (param $ptr i32) (param $len i32)
    (call $must (call $write (i32.const 1) (local.get $ptr) (local.get $len))))

  ;; Writes `len` bytes at `ptr` and a newline to standard output.
  (data (i32.const 0xFFF8) "\n")
  (func $println (param $ptr i32) (param $len i32)
    (call $print (local.get $ptr) (local.get $len))
    (call $print (i32.const 0xFFF8) (i32.const 1)))

  ;; Prints `v` in decimal and a newline.
  (func $print_u64 (param $v i64)
    (local $p i32)
    (local.set $p (i32.const 0xFFF0))
    (i32.store8 (local.get $p) (i32.const 10))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $v) (i64.const 0))))
    (call $print (local.get $p) (i32.sub (i32.const 0xFFF1) (local.get $p))))

  ;; Opens `path` under descriptor 3 (the first granted directory) with
  ;; `oflags` and every right; returns the new descriptor, or exits with
  ;; the errno.
  (func $open (param $path i32) (param $len i32) (param $oflags i32) (result i32)
    (call $must (call $path_open (i32.const 3) (i32.const 0)
      (local.get $path) (local.get $len) (local.get $oflags)
      (i64.const 0x3FFFFFFF) (i64.const 0x3FFFFFFF) (i32.const 0) (i32.const 0xFF0C)))
    (i32.load (i32.const 0xFF0C)))
"#;

/// A complete guest module: every WASI import, memory, the helpers, and
/// `body` (which must export `_start`).
pub fn module(body: &str) -> String {
    format!("(module\n{IMPORTS}\n{HELPERS}\n{body}\n)")
}

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new(EngineOptions::default()).expect("start the engine"))
}

/// One guest run being set up.
pub struct Guest {
    wat: String,
    name: String,
    config: ProcessConfig,
    traced: bool,
}

impl Guest {
    /// A guest from complete WAT text.
    pub fn new(wat: impl Into<String>) -> Guest {
        Guest {
            wat: wat.into(),
            name: "guest.wat".into(),
            config: ProcessConfig {
                args: vec!["guest.wat".into()],
                limits: Limits {
                    timeout: Some(Duration::from_secs(20)),
                    ..Limits::default()
                },
                ..ProcessConfig::default()
            },
            traced: true,
        }
    }

    /// A guest from a module body, wrapped by [`module`].
    pub fn body(body: &str) -> Guest {
        Guest::new(module(body))
    }

    /// Sets the guest's name (shown in messages).
    pub fn name(mut self, name: &str) -> Guest {
        self.name = name.into();
        self
    }

    /// Sets the arguments, program name first.
    pub fn args(mut self, args: &[&str]) -> Guest {
        self.config.args = args.iter().map(|a| a.to_string()).collect();
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Guest {
        self.config.env.push((key.into(), value.into()));
        self
    }

    /// Gives the guest these bytes as standard input.
    pub fn stdin(mut self, bytes: &[u8]) -> Guest {
        self.config.stdin = InputSpec::Bytes(Arc::from(bytes));
        self
    }

    /// Grants a host directory under a guest name.
    pub fn dir(mut self, host: &Path, guest: &str) -> Guest {
        self.config.dirs.push(DirGrant {
            host: host.to_path_buf(),
            guest: guest.into(),
        });
        self
    }

    /// Replaces the wall-clock limit of the run.
    pub fn timeout(mut self, limit: Duration) -> Guest {
        self.config.limits.timeout = Some(limit);
        self
    }

    /// Limits how many host files and directories the guest holds open.
    pub fn max_open_files(mut self, limit: u32) -> Guest {
        self.config.limits.max_open_files = Some(limit);
        self
    }

    /// Injects a fault (`--inject`) into its calls.
    pub fn inject(mut self, spec: wasmhole_runtime::InjectSpec) -> Guest {
        self.config.inject.push(spec);
        self
    }

    /// Runs without any record sink (the fast path that decodes nothing).
    pub fn untraced(mut self) -> Guest {
        self.traced = false;
        self
    }

    /// Runs the guest to completion.
    pub fn run(self) -> Outcome {
        let program = Program::from_wat(&self.name, &self.wat)
            .unwrap_or_else(|e| panic!("the guest does not compile: {e}"));
        let stdout = SharedBuffer::new();
        let stderr = SharedBuffer::new();
        let ring = Arc::new(Mutex::new(Ring::new(100_000)));
        let mut config = self.config;
        config.stdout = OutputSpec::Buffer(stdout.clone());
        config.stderr = OutputSpec::Buffer(stderr.clone());
        let sinks: Vec<Box<dyn wasmhole_runtime::calls::sink::RecordSink>> = if self.traced {
            vec![Box::new(RingSink(ring.clone()))]
        } else {
            Vec::new()
        };
        let report = runtime().run(
            &program,
            RunOptions {
                abi: None,
                config,
                sinks,
            },
        );
        let ring = ring.lock().unwrap();
        assert_eq!(ring.dropped(), 0, "the ring dropped records");
        Outcome {
            status: report.status,
            elapsed: report.elapsed,
            stdout: stdout.contents(),
            stderr: stderr.contents(),
            records: ring.records().iter().cloned().collect(),
        }
    }
}

/// What a run left behind.
pub struct Outcome {
    /// How it ended.
    pub status: ExitStatus,
    /// How long it took.
    pub elapsed: Duration,
    /// Everything written to standard output.
    pub stdout: Vec<u8>,
    /// Everything written to standard error.
    pub stderr: Vec<u8>,
    /// Every call, in order.
    pub records: Vec<SyscallRecord>,
}

impl Outcome {
    /// The exit status; panics (showing the trace) if the guest was stopped.
    pub fn code(&self) -> i32 {
        match &self.status {
            ExitStatus::Exited(code) => *code,
            ExitStatus::Failed(f) => panic!("the guest failed: {f}\n{}", self.trace()),
        }
    }

    /// Asserts the guest exited with `code`.
    pub fn assert_exit(&self, code: i32) -> &Outcome {
        assert_eq!(self.code(), code, "exit status\n{}", self.trace());
        self
    }

    /// Standard output as text.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard error as text.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Standard output as lines.
    pub fn lines(&self) -> Vec<String> {
        self.stdout_text().lines().map(str::to_string).collect()
    }

    /// Every trace line, for assertion messages.
    pub fn trace(&self) -> String {
        let lines: Vec<_> = self.records.iter().map(|r| r.trace_line()).collect();
        format!("trace:\n  {}", lines.join("\n  "))
    }

    /// The records of every call to `name`, in order.
    pub fn calls(&self, name: &str) -> Vec<&SyscallRecord> {
        self.records.iter().filter(|r| r.name == name).collect()
    }

    /// The `n`th (0-based) call to `name`.
    pub fn nth(&self, name: &str, n: usize) -> &SyscallRecord {
        self.calls(name)
            .get(n)
            .copied()
            .unwrap_or_else(|| panic!("no call #{n} to {name}\n{}", self.trace()))
    }

    /// The only call to `name`.
    pub fn call(&self, name: &str) -> &SyscallRecord {
        let calls = self.calls(name);
        assert_eq!(calls.len(), 1, "calls to {name}\n{}", self.trace());
        calls[0]
    }

    /// The error name of each call to `name` (`None` for success), in order.
    pub fn errors(&self, name: &str) -> Vec<Option<&str>> {
        self.calls(name).iter().map(|r| r.error_name()).collect()
    }
}

/// What a test asks of one record.
pub trait RecordExt {
    /// The decoded argument named `name`.
    fn arg(&self, name: &str) -> &str;
    /// The raw argument named `name`.
    fn raw(&self, name: &str) -> u64;
    /// Whether the call returned success.
    fn ok(&self) -> bool;
    /// Whether the host wrote every byte of `start..start + len` (and
    /// possibly more), in one write or several.
    fn wrote(&self, start: u32, len: u32) -> bool;
}

impl RecordExt for SyscallRecord {
    fn arg(&self, name: &str) -> &str {
        &self
            .args
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("{} has no argument {name}", self.name))
            .shown
    }

    fn raw(&self, name: &str) -> u64 {
        self.args
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("{} has no argument {name}", self.name))
            .raw
    }

    fn ok(&self) -> bool {
        matches!(&self.outcome, CallOutcome::Returned(r) if r.error.is_none() && r.raw == 0)
    }

    fn wrote(&self, start: u32, len: u32) -> bool {
        let mut ranges: Vec<(u64, u64)> = self
            .writes
            .iter()
            .map(|w| (w.start as u64, w.start as u64 + w.len as u64))
            .collect();
        ranges.sort();
        let (mut at, end) = (start as u64, start as u64 + len as u64);
        for (s, e) in ranges {
            if s <= at && at < e {
                at = e;
            }
        }
        at >= end
    }
}

/// A temporary directory granted to guests as [`SANDBOX`] (descriptor 3).
pub struct Sandbox {
    dir: TempDir,
}

impl Default for Sandbox {
    fn default() -> Sandbox {
        Sandbox::new()
    }
}

impl Sandbox {
    /// A new, empty sandbox.
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    /// The directory on the host.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the sandbox, on the host.
    pub fn host(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Creates a file inside the sandbox from the host side.
    pub fn write(&self, name: &str, contents: &[u8]) {
        std::fs::write(self.host(name), contents).expect("write a sandbox file");
    }

    /// Reads a file inside the sandbox from the host side.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.host(name)).unwrap_or_else(|e| panic!("read {name} in the sandbox: {e}"))
    }

    /// Creates a directory inside the sandbox from the host side.
    pub fn mkdir(&self, name: &str) {
        std::fs::create_dir_all(self.host(name)).expect("create a sandbox directory");
    }

    /// Whether `name` exists inside the sandbox (symbolic links count even
    /// when dangling).
    pub fn exists(&self, name: &str) -> bool {
        std::fs::symlink_metadata(self.host(name)).is_ok()
    }

    /// A guest from a module body with this sandbox granted.
    pub fn guest(&self, body: &str) -> Guest {
        Guest::body(body).dir(self.path(), SANDBOX)
    }

    /// Runs a module body with this sandbox granted.
    pub fn run(&self, body: &str) -> Outcome {
        self.guest(body).run()
    }
}
