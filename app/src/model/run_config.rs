//! The Run configuration panel's settings: ABI, arguments, environment,
//! granted directories, policy, network allowances and limits, kept as the
//! text a person types and turned into a `ProcessConfig` when a run starts.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use wasmhole_runtime::sandbox::policy::{Access, NetAllow, Policy};
use wasmhole_runtime::{Abi, DirGrant, InputSpec, Limits, OutputSpec, ProcessConfig, parse_bytes};

/// What the person typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunConfig {
    /// `auto`, `wasi`, `dagger`, `olin` or `h`.
    pub abi: String,
    /// The exported function to start at; empty for the ABI's usual one.
    pub invoke: String,
    /// Arguments after the program name, separated by spaces and quoted
    /// as in a shell (`one "two words" three`).
    pub args: String,
    /// `K=V` per line.
    pub env: String,
    /// `HOST::GUEST` per line.
    pub dirs: String,
    /// A policy file's path.
    pub policy: String,
    /// `HOST[:PORT]` separated by spaces.
    pub allow_net: String,
    /// Fuel units.
    pub fuel: String,
    /// Bytes, with K/M/G (a bare number is bytes).
    pub max_memory: String,
    /// A duration such as `2s`.
    pub timeout: String,
    /// Bytes, with K/M/G.
    pub max_output: String,
    /// Text the guest reads on standard input from the start, followed by
    /// the end of input; empty: standard input is the Console's input line.
    pub stdin: String,
}

impl RunConfig {
    /// The ABI asked for (`None`: detect it).
    pub fn abi(&self) -> Result<Option<Abi>, String> {
        match self.abi.trim() {
            "" | "auto" => Ok(None),
            other => Abi::parse(other)
                .map(Some)
                .ok_or_else(|| format!("unknown ABI `{other}`")),
        }
    }

    /// The settings that reproduce `config` under `abi` (a gopherd
    /// handler's request, for instance): arguments after the program name,
    /// environment, directories, limits and standard input.
    pub fn from_process(abi: Abi, config: &ProcessConfig) -> RunConfig {
        let number = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
        let limits = &config.limits;
        RunConfig {
            abi: abi.name().to_string(),
            invoke: config.entry.clone().unwrap_or_default(),
            args: shlex::try_join(config.args.iter().skip(1).map(String::as_str)).unwrap_or_else(
                |_| {
                    config
                        .args
                        .iter()
                        .skip(1)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ")
                },
            ),
            env: config
                .env
                .iter()
                .map(|(k, v)| format!("{k}={v}\n"))
                .collect(),
            dirs: config
                .dirs
                .iter()
                .map(|d| format!("{}::{}\n", d.host.display(), d.guest))
                .collect(),
            fuel: number(limits.fuel),
            max_memory: number(limits.max_memory),
            timeout: limits
                .timeout
                .map(|t| humantime::format_duration(t).to_string())
                .unwrap_or_default(),
            max_output: number(limits.max_output),
            stdin: match &config.stdin {
                InputSpec::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                _ => String::new(),
            },
            ..RunConfig::default()
        }
    }

    /// Each setting with the name the Run configuration panel gives it,
    /// in the panel's order.
    pub fn fields(&self) -> [(&'static str, &str); 12] {
        [
            ("ABI", &self.abi),
            ("entry point", &self.invoke),
            ("arguments", &self.args),
            ("environment", &self.env),
            ("directories", &self.dirs),
            ("policy file", &self.policy),
            ("network", &self.allow_net),
            ("fuel", &self.fuel),
            ("max memory", &self.max_memory),
            ("timeout", &self.timeout),
            ("max output", &self.max_output),
            ("standard input", &self.stdin),
        ]
    }

    /// The same settings with relative HOST folders and a relative policy
    /// file made absolute from `base` (where the configuration's file is).
    pub fn resolved_in(&self, base: &std::path::Path) -> RunConfig {
        let mut c = self.clone();
        c.dirs = self
            .dirs
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let g = DirGrant::parse(line);
                let host = if g.host.is_absolute() {
                    g.host
                } else {
                    base.join(g.host)
                };
                format!("{}::{}\n", host.display(), g.guest)
            })
            .collect();
        let policy = self.policy.trim();
        if !policy.is_empty() && std::path::Path::new(policy).is_relative() {
            c.policy = base.join(policy).display().to_string();
        }
        c
    }

    /// The settings given, as a `run.toml` file holds them (empty ones left
    /// out).
    pub fn to_toml(&self) -> String {
        let mut table = toml::Table::new();
        if let Ok(toml::Value::Table(all)) = toml::Value::try_from(self) {
            for (key, value) in all {
                if value.as_str().is_some_and(|v| !v.trim().is_empty()) {
                    table.insert(key, value);
                }
            }
        }
        toml::to_string(&table).unwrap_or_default()
    }

    /// The process recipe for a run of `program_name`.
    pub fn process_config(
        &self,
        program_name: &str,
        stdin: InputSpec,
        stdout: OutputSpec,
        stderr: OutputSpec,
    ) -> Result<ProcessConfig, String> {
        let words = shlex::split(&self.args).ok_or_else(|| {
            format!(
                "arguments `{}`: a quote is not closed (or a backslash ends them)",
                self.args
            )
        })?;
        let args = std::iter::once(program_name.to_string())
            .chain(words)
            .collect();
        let mut env = Vec::new();
        for line in self.env.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (k, v) = line
                .split_once('=')
                .ok_or_else(|| format!("environment line `{line}` is not K=V"))?;
            env.push((k.to_string(), v.to_string()));
        }
        let dirs = self
            .dirs
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(DirGrant::parse)
            .collect();
        let opt = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        };
        let mut limits = Limits {
            fuel: opt(&self.fuel)
                .map(|f| f.parse().map_err(|_| format!("fuel `{f}` is not a number")))
                .transpose()?,
            max_memory: opt(&self.max_memory).map(|m| max_memory(&m)).transpose()?,
            timeout: opt(&self.timeout)
                .map(|t| humantime::parse_duration(&t).map_err(|e| format!("timeout `{t}`: {e}")))
                .transpose()?
                .map(|d: Duration| d),
            max_output: opt(&self.max_output).map(|m| parse_bytes(&m)).transpose()?,
            ..Limits::default()
        };
        let policy = match opt(&self.policy) {
            Some(path) => {
                let p =
                    Policy::from_file(std::path::Path::new(&path)).map_err(|e| e.to_string())?;
                p.tighten(&mut limits);
                Some(Arc::new(p))
            }
            None => None,
        };
        let net = self
            .allow_net
            .split_whitespace()
            .map(NetAllow::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProcessConfig {
            entry: opt(&self.invoke),
            args,
            env,
            dirs,
            stdin,
            stdout,
            stderr,
            limits,
            access: Access { policy, net },
            inject: Vec::new(),
        })
    }
}

/// A memory limit: bytes, with K/M/G; one smaller than a 64 KiB page is
/// surely a missing unit, so it is refused with the fix.
fn max_memory(text: &str) -> Result<u64, String> {
    let bytes = parse_bytes(text)?;
    if bytes < 65536 {
        return Err(format!(
            "max memory `{text}` is {bytes} bytes, less than one 64 KiB page: \
             no guest with memory could start (for {text} MiB, write {text}M)"
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_config_becomes_settings_that_reproduce_it() {
        let original = ProcessConfig {
            entry: Some("cwa_main".into()),
            args: vec!["search.wat".into(), "wasm".into(), "sandbox".into()],
            env: vec![
                ("QUERY".into(), "wasm sandbox".into()),
                ("X".into(), "1".into()),
            ],
            dirs: vec![DirGrant::parse("/srv/book::/data")],
            stdin: InputSpec::Bytes(Arc::from(&b"wasm sandbox"[..])),
            limits: Limits {
                max_memory: Some(1 << 20),
                fuel: Some(500),
                timeout: Some(Duration::from_millis(1500)),
                max_output: Some(16 << 10),
                ..Limits::default()
            },
            ..ProcessConfig::default()
        };
        let rc = RunConfig::from_process(Abi::Olin, &original);
        assert_eq!(rc.abi, "olin");
        assert_eq!(rc.stdin, "wasm sandbox");
        let back = rc
            .process_config(
                "search.wat",
                InputSpec::Empty,
                OutputSpec::Null,
                OutputSpec::Null,
            )
            .unwrap();
        assert_eq!(back.entry, original.entry);
        assert_eq!(back.args, original.args);
        assert_eq!(back.env, original.env);
        assert_eq!(back.dirs, original.dirs);
        assert_eq!(back.limits, original.limits);
    }

    #[test]
    fn arguments_are_split_as_a_shell_splits_them() {
        let rc = RunConfig {
            args: r#"one "two words" three 'it''s' a\ b"#.into(),
            ..RunConfig::default()
        };
        let c = rc
            .process_config(
                "args.wat",
                InputSpec::Empty,
                OutputSpec::Null,
                OutputSpec::Null,
            )
            .unwrap();
        assert_eq!(
            c.args,
            vec!["args.wat", "one", "two words", "three", "its", "a b"]
        );
        let back = RunConfig::from_process(Abi::Wasi, &c);
        let again = back
            .process_config(
                "args.wat",
                InputSpec::Empty,
                OutputSpec::Null,
                OutputSpec::Null,
            )
            .unwrap();
        assert_eq!(again.args, c.args, "{}", back.args);
        let open = RunConfig {
            args: "one \"two".into(),
            ..RunConfig::default()
        };
        let err = open
            .process_config("a", InputSpec::Empty, OutputSpec::Null, OutputSpec::Null)
            .unwrap_err();
        assert!(err.contains("quote is not closed"), "{err}");
    }

    #[test]
    fn relative_folders_start_where_the_configuration_is() {
        let rc = RunConfig {
            dirs: "data::/data\n/abs::/x\n".into(),
            policy: "notes.policy".into(),
            ..RunConfig::default()
        };
        let resolved = rc.resolved_in(std::path::Path::new("/work/lesson"));
        assert_eq!(resolved.dirs, "/work/lesson/data::/data\n/abs::/x\n");
        assert_eq!(resolved.policy, "/work/lesson/notes.policy");
    }

    #[test]
    fn a_configuration_file_holds_the_settings_given() {
        let rc = RunConfig {
            dirs: "data::/data\n".into(),
            args: "a b".into(),
            ..RunConfig::default()
        };
        let text = rc.to_toml();
        assert!(!text.contains("fuel"), "{text}");
        assert_eq!(toml::from_str::<RunConfig>(&text).unwrap(), rc);
    }

    #[test]
    fn a_memory_limit_without_a_unit_says_so() {
        let rc = RunConfig {
            max_memory: "16".into(),
            ..RunConfig::default()
        };
        let err = rc
            .process_config("a", InputSpec::Empty, OutputSpec::Null, OutputSpec::Null)
            .unwrap_err();
        assert!(err.contains("16 bytes") && err.contains("16M"), "{err}");
    }

    #[test]
    fn typed_settings_become_a_process_config() {
        let rc = RunConfig {
            abi: "dagger".into(),
            invoke: " start_here ".into(),
            args: "a b".into(),
            env: "K=V\n\nX=1".into(),
            dirs: "/tmp::/data".into(),
            fuel: "1000".into(),
            max_memory: "1M".into(),
            timeout: "2s".into(),
            ..RunConfig::default()
        };
        assert_eq!(rc.abi(), Ok(Some(Abi::Dagger)));
        let c = rc
            .process_config(
                "p.wat",
                InputSpec::Empty,
                OutputSpec::Null,
                OutputSpec::Null,
            )
            .unwrap();
        assert_eq!(c.entry.as_deref(), Some("start_here"));
        assert_eq!(c.args, vec!["p.wat", "a", "b"]);
        assert_eq!(c.env.len(), 2);
        assert_eq!(c.dirs[0].guest, "/data");
        assert_eq!(c.limits.fuel, Some(1000));
        assert_eq!(c.limits.max_memory, Some(1 << 20));
        assert_eq!(c.limits.timeout, Some(Duration::from_secs(2)));
        let bad = RunConfig {
            env: "nonsense".into(),
            ..RunConfig::default()
        };
        assert!(
            bad.process_config("p", InputSpec::Empty, OutputSpec::Null, OutputSpec::Null)
                .is_err()
        );
    }
}
