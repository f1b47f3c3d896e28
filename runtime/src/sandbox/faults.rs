//! Faults a run's configuration asks to inject into its calls, as written
//! in strace's `-e inject` syntax (`path_open:error=ENOENT:when=2`,
//! `fd_write:retval=5`, `fd_read:seq=7:bytes=...`): the rules as data,
//! parsed and printed. Checking them against an ABI's calls and applying
//! them call by call is the calls machinery's (`calls::inject`).

use std::fmt;
use std::str::FromStr;

/// Which of a call's invocations a rule injects into (`when=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct When {
    /// The first invocation injected, counting from 1.
    pub first: u64,
    /// `None`: only `first`; `Some(s)`: `first` and every `s`th after it.
    pub step: Option<u64>,
}

impl When {
    /// Every invocation (no `when=`).
    pub const ALWAYS: When = When {
        first: 1,
        step: Some(1),
    };

    /// Whether invocation number `n` (from 1) is injected.
    pub fn matches(self, n: u64) -> bool {
        match self.step {
            None => n == self.first,
            Some(step) => n >= self.first && (n - self.first).is_multiple_of(step),
        }
    }
}

impl FromStr for When {
    type Err = String;

    fn from_str(text: &str) -> Result<When, String> {
        let bad = || format!("`when={text}` is not N, N+ or N+STEP (N and STEP from 1)");
        let number = |t: &str| t.parse::<u64>().ok().filter(|n| *n >= 1).ok_or_else(bad);
        match text.split_once('+') {
            None => Ok(When {
                first: number(text)?,
                step: None,
            }),
            Some((first, "")) => Ok(When {
                first: number(first)?,
                step: Some(1),
            }),
            Some((first, step)) => Ok(When {
                first: number(first)?,
                step: Some(number(step)?),
            }),
        }
    }
}

/// What a rule does to the calls it injects into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `error=NAME` or `error=NUMBER`: the call fails with that error.
    Error(String),
    /// `retval=N`: a short transfer, or that value returned.
    Retval(i64),
    /// A read gets these bytes instead of what it would have read (only
    /// for a rule naming one call, see [`InjectSpec::at_call`]).
    Bytes(Vec<u8>),
}

/// One `--inject` rule as written, before it is checked against an ABI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InjectSpec {
    /// The call names (or aliases) it applies to.
    pub calls: Vec<String>,
    /// What it does.
    pub action: Action,
    /// Which invocations.
    pub when: When,
    /// The one call of the run it changes, by number (from 1), if it names
    /// one (`seq=N`); then `when` is not used.
    pub at: Option<u64>,
    text: String,
}

impl InjectSpec {
    /// A rule changing call number `seq` of the run (from 1, as traces
    /// number calls), which must be a `call`.
    pub fn at_call(seq: u64, call: &str, action: Action) -> InjectSpec {
        let what = match &action {
            Action::Error(name) => format!("error={name}"),
            Action::Retval(n) => format!("retval={n}"),
            Action::Bytes(b) => format!("bytes={:?}", String::from_utf8_lossy(b)),
        };
        InjectSpec {
            calls: vec![call.to_string()],
            text: format!("{call}:{what}:seq={seq}"),
            action,
            when: When::ALWAYS,
            at: Some(seq),
        }
    }
}

impl fmt::Display for InjectSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for InjectSpec {
    type Err = String;

    /// Parses `CALL[,CALL…]:error=ERRNO|:retval=N[:when=N|N+|N+STEP]`.
    fn from_str(text: &str) -> Result<InjectSpec, String> {
        let mut parts = text.split(':');
        let calls: Vec<String> = parts
            .next()
            .unwrap_or("")
            .split(',')
            .map(|c| c.trim().to_string())
            .collect();
        if calls.iter().any(|c| c.is_empty()) {
            return Err(format!(
                "`{text}`: name the calls first, as CALL[,CALL…]:error=ERRNO[:when=N]"
            ));
        }
        let (mut action, mut when, mut at) = (None, None, None);
        for part in parts {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            let duplicate = || format!("`{text}`: `{key}=` is given twice");
            match key {
                "error" | "retval" if action.is_some() => {
                    return Err(format!("`{text}`: give one of error= and retval="));
                }
                "error" if value.is_empty() => {
                    return Err(format!("`{text}`: error= needs an error name"));
                }
                "error" => action = Some(Action::Error(value.to_string())),
                "retval" => {
                    let n = value
                        .parse::<i64>()
                        .map_err(|_| format!("`{text}`: retval={value} is not a whole number"))?;
                    action = Some(Action::Retval(n));
                }
                "when" | "seq" if when.is_some() || at.is_some() => {
                    return Err(if (key == "when") == when.is_some() {
                        duplicate()
                    } else {
                        format!("`{text}`: give one of when= and seq=")
                    });
                }
                "when" => when = Some(value.parse::<When>()?),
                "seq" => {
                    let n = value
                        .parse::<u64>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| {
                            format!("`{text}`: seq={value} is not a call number (from 1)")
                        })?;
                    at = Some(n);
                }
                _ => {
                    return Err(format!(
                        "`{text}`: unknown `{key}`; an injection takes error=ERRNO or retval=N, and when=N|N+|N+STEP or seq=N"
                    ));
                }
            }
        }
        let action = action.ok_or_else(|| format!("`{text}`: say error=ERRNO or retval=N"))?;
        Ok(InjectSpec {
            calls,
            action,
            when: when.unwrap_or(When::ALWAYS),
            at,
            text: text.to_string(),
        })
    }
}
