//! One `Process` per running guest: its capabilities (arguments, environment,
//! granted directories, standard streams), its descriptor table, its limits
//! and where its syscall records go. `ProcessConfig` is the recipe, kept so a
//! run can be repeated exactly.

use crate::abi::Abi;
use crate::calls::Fatal;
use crate::fdtable::FdTable;
use crate::stdio::{InputSpec, OutputSpec};
use crate::trace::Recorder;
use cap_std::fs::Dir;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A host directory granted to the guest under a guest-visible name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirGrant {
    /// The directory on the host.
    pub host: PathBuf,
    /// The name the guest sees it under.
    pub guest: String,
}

impl DirGrant {
    /// Parses `HOST::GUEST`, or `DIR` meaning the same path on both sides.
    pub fn parse(spec: &str) -> DirGrant {
        match spec.split_once("::") {
            Some((host, guest)) => DirGrant {
                host: host.into(),
                guest: guest.into(),
            },
            None => DirGrant {
                host: spec.into(),
                guest: spec.into(),
            },
        }
    }
}

/// Limits on one run. `None` means unlimited.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Largest linear memory, in bytes.
    pub max_memory: Option<u64>,
    /// Instructions budget (wasmtime fuel units).
    pub fuel: Option<u64>,
    /// Wall-clock deadline for the whole run.
    pub timeout: Option<Duration>,
    /// Most bytes the guest may write to stdout and stderr together.
    pub max_output: Option<u64>,
}

/// Everything needed to start a guest's process, reusable for restarts.
#[derive(Clone, Debug, Default)]
pub struct ProcessConfig {
    /// Arguments, the program name first.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Granted directories.
    pub dirs: Vec<DirGrant>,
    /// Standard input.
    pub stdin: InputSpec,
    /// Standard output.
    pub stdout: OutputSpec,
    /// Standard error.
    pub stderr: OutputSpec,
    /// Limits.
    pub limits: Limits,
}

/// Why a process could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A granted directory could not be opened.
    #[error("cannot grant directory {host} (as {guest}): {source}")]
    Dir {
        /// Host path.
        host: String,
        /// Guest name.
        guest: String,
        /// Why.
        source: std::io::Error,
    },
}

/// A granted directory, opened.
pub struct Grant {
    /// The guest-visible name.
    pub guest: String,
    /// The directory capability.
    pub dir: Dir,
}

/// The live state of one guest.
pub struct Process {
    /// The guest's name, for messages.
    pub guest: String,
    /// The ABI it runs under.
    pub abi: Abi,
    /// Arguments, the program name first.
    pub args: Vec<String>,
    /// Environment.
    pub env: Vec<(String, String)>,
    /// Granted directories.
    pub grants: Vec<Grant>,
    /// Open descriptors.
    pub fds: FdTable,
    /// Where records go.
    pub recorder: Recorder,
    /// When the process started.
    pub started: Instant,
    /// Output budget left, if limited.
    output_left: Option<u64>,
    /// The configuration it was made from.
    pub config: ProcessConfig,
    /// A limit that refused something (memory growth), for the final report.
    pub limit_note: Option<String>,
}

impl Process {
    /// Sets up a process for `guest` under `abi`: opens the granted
    /// directories and lays out the descriptor table as the ABI expects.
    pub fn new(guest: &str, abi: Abi, config: ProcessConfig) -> Result<Process, SetupError> {
        let mut grants = Vec::new();
        for g in &config.dirs {
            let dir =
                Dir::open_ambient_dir(&g.host, cap_std::ambient_authority()).map_err(|source| {
                    SetupError::Dir {
                        host: g.host.display().to_string(),
                        guest: g.guest.clone(),
                        source,
                    }
                })?;
            grants.push(Grant {
                guest: g.guest.clone(),
                dir,
            });
        }
        let mut process = Process {
            guest: guest.to_string(),
            abi,
            args: config.args.clone(),
            env: config.env.clone(),
            grants,
            fds: FdTable::default(),
            recorder: Recorder::default(),
            started: Instant::now(),
            output_left: config.limits.max_output,
            config,
            limit_note: None,
        };
        if abi == Abi::Wasi {
            crate::wasi::setup_descriptors(&mut process);
        }
        Ok(process)
    }

    /// Charges `n` bytes of standard output against the output limit;
    /// exceeding it kills the guest.
    pub fn charge_output(&mut self, call: &'static str, n: usize) -> Result<(), Fatal> {
        if let Some(left) = &mut self.output_left {
            if (n as u64) > *left {
                let limit = self.config.limits.max_output.unwrap_or(0);
                *left = 0;
                return Err(Fatal::kill(
                    call,
                    format!("output limit of {limit} bytes exceeded"),
                ));
            }
            *left -= n as u64;
        }
        Ok(())
    }

    /// When the run's time limit passes, if it has one.
    pub fn deadline(&self) -> Option<Instant> {
        self.config.limits.timeout.map(|t| self.started + t)
    }

    /// Nanoseconds since the process started.
    pub fn elapsed_ns(&self) -> u64 {
        self.started.elapsed().as_nanos() as u64
    }
}
