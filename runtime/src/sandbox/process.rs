//! One `Process` per running guest: its capabilities (arguments, environment,
//! granted directories, standard streams), its descriptor table and its
//! limits. `ProcessConfig` is the recipe, kept so a run can be repeated
//! exactly. How its calls are recorded, injected into or replayed is the
//! execution layer's; the descriptors an ABI expects at start are laid out
//! by the ABI (`abis::process`).

use crate::module::abi::Abi;
use crate::sandbox::blocking::Deadline;
use crate::sandbox::exit::Fatal;
use crate::sandbox::faults::InjectSpec;
use crate::sandbox::fdtable::FdTable;
use crate::sandbox::limits::Limits;
use crate::sandbox::memory_budget::MemoryBudget;
use crate::sandbox::policy::Access;
use crate::sandbox::stdio::{Input, InputSpec, Output, OutputSpec, SharedBuffer, StdStream};
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

/// Everything needed to start a guest's process, reusable for restarts.
#[derive(Clone, Debug, Default)]
pub struct ProcessConfig {
    /// The exported function to start at (`--invoke`); `None` for the
    /// ABI's usual entry points.
    pub entry: Option<String>,
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
    /// Which URLs the guest may open (policy file, network allowances).
    pub access: Access,
    /// Faults to inject into its calls (`--inject`).
    pub inject: Vec<InjectSpec>,
}

/// Why a process could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// An injection rule does not fit the guest's ABI.
    #[error("{0}")]
    Inject(String),
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
    /// When the process started.
    pub started: Instant,
    /// When its time limit passes, if it has one.
    deadline: Deadline,
    /// Output budget left, if limited.
    output_left: Option<u64>,
    /// The configuration it was made from.
    pub config: ProcessConfig,
    /// A limit that refused something (memory growth), for the final report.
    pub limit_note: Option<String>,
    /// Memory charged to the guest: linear memories, tables, host buffers.
    pub memory: MemoryBudget,
    /// How many notes were written to the guest's standard error.
    notes_written: u32,
    /// Copies of what the guest writes to its standard output and error,
    /// kept by whoever records the run (each stream opened from now on is
    /// tapped).
    pub output_taps: Option<(SharedBuffer, SharedBuffer)>,
}

/// Most notes written for one process (see [`Process::note`]).
pub const MAX_NOTES: u32 = 100;

/// Longest note text, in bytes; a longer one (naming a huge URL) is cut.
const MAX_NOTE_LEN: usize = 1024;

/// `text` cut to at most `max` bytes at a character boundary, marked `…`.
fn shorten(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end]).into()
}

impl Process {
    /// Sets up a process for `guest` under `abi`: opens the granted
    /// directories, with an empty descriptor table (the ABI lays out what
    /// it expects: see `abis::process`).
    pub(crate) fn new(guest: &str, abi: Abi, config: ProcessConfig) -> Result<Process, SetupError> {
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
        let started = Instant::now();
        let memory = MemoryBudget::new(config.limits.max_memory);
        Ok(Process {
            guest: guest.to_string(),
            abi,
            args: config.args.clone(),
            env: config.env.clone(),
            grants,
            fds: FdTable::default().with_os_file_limit(config.limits.max_open_files),
            started,
            deadline: Deadline::new(config.limits.timeout.map(|t| started + t)),
            output_left: config.limits.max_output,
            config,
            limit_note: None,
            memory,
            notes_written: 0,
            output_taps: None,
        })
    }

    /// A handle on the guest's standard output or error, as configured.
    pub fn std_output(&self, which: StdStream) -> Output {
        let spec = match which {
            StdStream::Stderr => &self.config.stderr,
            _ => &self.config.stdout,
        };
        let out = Output::open(spec, which, &self.deadline);
        match &self.output_taps {
            Some((stdout, stderr)) => {
                let tap = match which {
                    StdStream::Stderr => stderr.clone(),
                    _ => stdout.clone(),
                };
                Output::Tapped(Box::new(out), tap)
            }
            None => out,
        }
    }

    /// A handle on the guest's standard input, as configured.
    pub fn std_input(&self) -> Input {
        Input::open(&self.config.stdin, &self.deadline)
    }

    /// Tells the person running the guest something the guest's error code
    /// cannot (why an open was refused): a `wasmhole: ` line on the guest's
    /// standard error, not charged to its output limit.
    /// A guest repeating what is refused gets at most [`MAX_NOTES`] notes,
    /// so notes cannot become an output flood.
    pub fn note(&mut self, text: &str) {
        let text = shorten(text, MAX_NOTE_LEN);
        let line = match self.notes_written {
            n if n < MAX_NOTES => format!("wasmhole: {}: {text}\n", self.guest),
            n if n == MAX_NOTES => format!(
                "wasmhole: {}: {text} (further notes are not shown)\n",
                self.guest
            ),
            _ => return,
        };
        self.notes_written += 1;
        let _ = self.std_output(StdStream::Stderr).write(line.as_bytes());
    }

    /// Charges `n` bytes of standard output against the output limit;
    /// exceeding it kills the guest.
    pub fn charge_output(&mut self, call: &'static str, n: usize) -> Result<(), Fatal> {
        if let Some(left) = &mut self.output_left {
            if (n as u64) > *left {
                let limit = self.config.limits.max_output.unwrap_or(0);
                *left = 0;
                return Err(Fatal::Kill {
                    call,
                    reason: format!("output limit of {limit} bytes exceeded"),
                    output_limit: true,
                });
            }
            *left -= n as u64;
        }
        Ok(())
    }

    /// When the run's time limit passes, if it has one.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline.at()
    }

    /// The deadline as streams share it.
    pub fn deadline_handle(&self) -> &Deadline {
        &self.deadline
    }

    /// Moves the time limit later by `by` (the debugger does, by the time
    /// the guest spent stopped).
    pub fn postpone_deadline(&mut self, by: Duration) {
        self.deadline.postpone(by);
    }

    /// Nanoseconds since the process started.
    pub fn elapsed_ns(&self) -> u64 {
        self.started.elapsed().as_nanos() as u64
    }
}
