//! Starting a real `gopherd` process on an ephemeral loopback port, talking
//! to it over raw sockets or with real clients, and stopping it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Makes `command` start with an open-files limit of `n`.
pub fn with_open_files_limit(command: &mut std::process::Command, n: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe and touches no memory of the
    // parent.
    unsafe {
        command.pre_exec(move || {
            let limit = rustix::process::Rlimit {
                current: Some(n),
                maximum: Some(n),
            };
            rustix::process::setrlimit(rustix::process::Resource::Nofile, limit)
                .map_err(std::io::Error::from)
        });
    }
}

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("gopherd lives in the workspace")
        .to_path_buf()
}

/// A sample handler module, e.g. `wasi/fortune.wat`.
pub fn sample(name: &str) -> String {
    repo_root()
        .join("samples/gopherhole/handlers")
        .join(name)
        .display()
        .to_string()
}

/// A test fixture module, e.g. `loop.wat`.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// A running gopherd, killed when dropped.
pub struct Gopherd {
    child: Child,
    /// Every address it listens on.
    pub addrs: Vec<SocketAddr>,
    stderr: Arc<Mutex<String>>,
    /// A scratch folder (config, access log, granted folders) it may use.
    pub dir: tempfile::TempDir,
    /// Its standard output, when the launch piped it (kept open, unread).
    pub stdout: Option<std::process::ChildStdout>,
}

impl Gopherd {
    /// Starts gopherd with a config file holding `toml`, in which `{tmp}` is
    /// the scratch folder, listening on 127.0.0.1 with an ephemeral port and
    /// logging access to `{tmp}/access.log` (unless `toml` says otherwise).
    pub fn with_config(toml: &str) -> Gopherd {
        Gopherd::with_setup(toml, |_| {})
    }

    /// Like [`Gopherd::with_config`], after `setup` has prepared the
    /// scratch folder.
    pub fn with_setup(toml: &str, setup: impl FnOnce(&Path)) -> Gopherd {
        Gopherd::with_launch(toml, setup, |_| {})
    }

    /// Like [`Gopherd::with_setup`], with `launch` adjusting the command
    /// (its standard output, its limits) before it starts.
    pub fn with_launch(
        toml: &str,
        setup: impl FnOnce(&Path),
        launch: impl FnOnce(&mut Command),
    ) -> Gopherd {
        let dir = tempfile::tempdir().expect("a temporary folder");
        setup(dir.path());
        let text = toml.replace("{tmp}", &dir.path().display().to_string());
        let config = dir.path().join("gopherd.toml");
        std::fs::write(&config, text).expect("write the config");
        let access = dir.path().join("access.log");
        let mut all = vec!["--config".to_string(), config.display().to_string()];
        let has = |key: &str| toml.lines().any(|l| l.trim_start().starts_with(key));
        if !has("access_log") {
            all.extend(["--access-log".to_string(), access.display().to_string()]);
        }
        if !has("listen") {
            all.extend(["--listen".to_string(), "127.0.0.1:0".to_string()]);
        }
        Gopherd::start_in(dir, &all, None, launch)
    }

    /// Starts gopherd with these arguments, from `cwd` (default: the scratch folder).
    pub fn start(args: &[&str], cwd: Option<&Path>) -> Gopherd {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        Gopherd::start_in(dir, &args, cwd, |_| {})
    }

    fn start_in(
        dir: tempfile::TempDir,
        args: &[String],
        cwd: Option<&Path>,
        launch: impl FnOnce(&mut Command),
    ) -> Gopherd {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gopherd"));
        command
            .args(args)
            .current_dir(cwd.unwrap_or(dir.path()))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        launch(&mut command);
        let mut child = command.spawn().expect("start gopherd");
        let stdout = child.stdout.take();
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().expect("stderr is piped");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut server = Gopherd {
            child,
            addrs: Vec::new(),
            stderr,
            dir,
            stdout,
        };
        let started = Instant::now();
        loop {
            let text = server.stderr();
            if text.contains("advertising") {
                server.addrs = text
                    .lines()
                    .filter_map(|l| l.split("listening on ").nth(1))
                    .map(|a| a.trim().parse().expect("a socket address"))
                    .collect();
                break;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("gopherd exited with {status} before listening:\n{text}");
            }
            if started.elapsed() > Duration::from_secs(120) {
                panic!("gopherd did not start within 120 s:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The first listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addrs[0]
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr().port()
    }

    /// Everything it logged so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until its log contains `needle`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let t0 = Instant::now();
        while t0.elapsed() < timeout {
            if self.stderr().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// The access log file written so far.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }

    /// Waits until the access log has a line containing all of `needles`.
    pub fn wait_for_access(&self, needles: &[&str]) -> String {
        let t0 = Instant::now();
        loop {
            let log = self.access_log();
            if let Some(line) = log.lines().find(|l| needles.iter().all(|n| l.contains(n))) {
                return line.to_string();
            }
            if t0.elapsed() > Duration::from_secs(5) {
                panic!("no access log line with {needles:?} in:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `bytes` as they are, half-closes, and reads the whole response.
    pub fn raw(&self, bytes: &[u8]) -> Vec<u8> {
        let mut s = self.connect();
        s.write_all(bytes).expect("send the request");
        let _ = s.shutdown(Shutdown::Write);
        read_all(&mut s)
    }

    /// Requests `selector` (CRLF added) and returns the response as text.
    pub fn get(&self, selector: &str) -> String {
        let mut s = self.connect();
        s.write_all(format!("{selector}\r\n").as_bytes())
            .expect("send the selector");
        String::from_utf8_lossy(&read_all(&mut s)).into_owned()
    }

    /// A connection with generous timeouts.
    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(self.addr()).expect("connect to gopherd");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s
    }

    /// Its largest resident set so far, in KiB.
    pub fn peak_memory_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in the status")
    }

    /// Kills it at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).expect("a pid");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("send SIGTERM");
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let t0 = Instant::now();
        while t0.elapsed() < timeout {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Gopherd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads until the server closes.
pub fn read_all(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

/// Runs an external client; says how to install it if it is missing.
pub fn client(program: &str, args: &[&str]) -> String {
    let output = match Command::new(program).args(args).output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{program}` is needed for this test: apt-get install -y --no-install-recommends {program}"
        ),
        Err(e) => panic!("cannot run {program}: {e}"),
    };
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The lines of a menu response, each split into its fields.
pub fn menu_items(response: &str) -> Vec<Vec<String>> {
    response
        .split("\r\n")
        .filter(|l| !l.is_empty() && *l != ".")
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Where a test leaves a file for a person to look at (a screenshot):
/// under the build's `target/tmp`.
pub fn artifact(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// A WASI handler printing `text`.
pub fn hello(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{text}\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const {}))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
            text.len() + 1
        ),
    )
    .unwrap();
    path
}

/// Runs `gopherd --config CONFIG ARGS` with `env` (and no token or
/// server from the calling environment).
pub fn gopherd(args: &[&str], config: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gopherd"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("GOPHERD_TOKEN")
        .env_remove("GOPHERD_SERVER")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}
