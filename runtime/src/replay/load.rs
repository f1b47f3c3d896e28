//! Opening a recording file to replay it: the recording read into a
//! [`Tape`], the module it names found (where it was recorded, else beside
//! the recording, unless another is given), and the configuration rebuilt
//! from its header so that nothing outside is reached (no granted
//! directory, empty input, no injected fault: the recorded outcomes
//! include them). `wasmhole replay`, `wasmhole debug --replay` and the
//! workbench open recordings through here.

use super::format::Line;
use super::tape::{MAX_TAPE_BYTES, Tape};
use crate::module::abi::Abi;
use crate::module::program::Program;
use crate::replay::sha256_hex;
use crate::sandbox::limits::Limits;
use crate::sandbox::process::ProcessConfig;
use crate::sandbox::stdio::{InputSpec, OutputSpec};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How much of a file is read to tell whether it is a recording.
const MAX_HEADER_PEEK: u64 = 1 << 20;

/// A recording ready to replay.
pub struct LoadedRecording {
    /// The module replayed.
    pub program: Program,
    /// Where it was found.
    pub module: PathBuf,
    /// Said when the module is not the one recorded (it is replayed anyway,
    /// so the divergence shows at its call).
    pub changed_module: Option<String>,
    /// The recorded ABI.
    pub abi: Abi,
    /// The recorded configuration, reaching nothing outside.
    pub config: ProcessConfig,
    /// The recorded calls.
    pub tape: Tape,
}

/// Whether the file at `path` starts as a wasmhole recording does (its
/// first line is a recording's header), as opposed to a trace or a module.
pub fn is_recording(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut first = String::new();
    let read = BufReader::new(file.take(MAX_HEADER_PEEK)).read_line(&mut first);
    read.is_ok() && matches!(serde_json::from_str::<Line>(&first), Ok(Line::Header(_)))
}

/// Reads the recording at `path` and finds its module (`module` overrides
/// the recorded one).
pub fn load(path: &Path, module: Option<&Path>) -> Result<LoadedRecording, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let tape = Tape::read(BufReader::new(file), MAX_TAPE_BYTES)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let header = tape.header().clone();
    let module = module
        .map(Path::to_path_buf)
        .unwrap_or_else(|| find_module(path, &header.module_path, &header.module));
    let program = Program::from_file(&module).map_err(|e| e.to_string())?;
    let changed_module = (sha256_hex(program.bytes()) != header.sha256).then(|| {
        format!(
            "{} is not the module recorded ({} with SHA-256 {}); replaying it anyway",
            module.display(),
            header.module,
            header.sha256
        )
    });
    let abi = Abi::parse(&header.abi)
        .ok_or_else(|| format!("the recording names an unknown ABI `{}`", header.abi))?;
    let limits = Limits {
        max_memory: header.limits.max_memory,
        fuel: header.limits.fuel,
        timeout: header.limits.timeout_ms.map(Duration::from_millis),
        max_output: header.limits.max_output,
        max_open_files: header.limits.max_open_files,
    };
    let config = ProcessConfig {
        entry: Some(header.entry.clone()),
        args: header.args.clone(),
        env: header.env.clone(),
        dirs: Vec::new(),
        stdin: InputSpec::Empty,
        stdout: OutputSpec::Inherit,
        stderr: OutputSpec::Inherit,
        limits,
        access: Default::default(),
        inject: Vec::new(),
    };
    Ok(LoadedRecording {
        program,
        module,
        changed_module,
        abi,
        config,
        tape,
    })
}

/// The module a recording names: where it was, else beside the recording.
fn find_module(recording: &Path, recorded_path: &str, name: &str) -> PathBuf {
    let at = PathBuf::from(recorded_path);
    if !recorded_path.is_empty() && at.is_file() {
        return at;
    }
    recording
        .parent()
        .map_or_else(|| PathBuf::from(name), |dir| dir.join(name))
}
