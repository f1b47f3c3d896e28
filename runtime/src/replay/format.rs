//! The recording format: one JSON object per line. The first line is the
//! header (what ran and how it was configured), then one line per call (its
//! arguments, its outcome, the bytes it wrote into guest memory and to the
//! console, the descriptors it opened, closed or renumbered), then, once the
//! guest has ended, a last line saying how. Bytes are hex in JSON; the same
//! types are packed with postcard where a debug session keeps them in memory.

use crate::sandbox::stdio::StdStream;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The version of this format; a newer file is refused.
pub const FORMAT_VERSION: u32 = 1;

/// One line of a recording file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    /// The first line.
    Header(Box<Header>),
    /// One call.
    Call(Entry),
    /// How the guest ended (absent if the recording was cut short).
    End(Ending),
}

/// What ran and how it was configured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// [`FORMAT_VERSION`] when written.
    pub format: u32,
    /// The wasmhole version that recorded it.
    pub wasmhole: String,
    /// The module's file name.
    pub module: String,
    /// Where the module was, as the recording front end found it (a replay
    /// looks there first, then beside the recording).
    #[serde(default)]
    pub module_path: String,
    /// SHA-256 of the module's bytes, in hex.
    pub sha256: String,
    /// The ABI it ran under (`wasi`, `dagger`, `olin`, `h`).
    pub abi: String,
    /// The entry point that ran.
    pub entry: String,
    /// Arguments, the program name first.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Granted directories, `(host, guest)`.
    pub dirs: Vec<(String, String)>,
    /// Where standard input came from.
    pub stdin: String,
    /// The limits, as `--flag value` would say them.
    pub limits: RecordedLimits,
    /// The URL policy and network allowances, as configured.
    pub access: String,
    /// Injected faults (`--inject` rules).
    pub inject: Vec<String>,
    /// The descriptor table when the guest started.
    pub descriptors: Vec<Opened>,
}

/// The limits of the recorded run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedLimits {
    /// `--max-memory`, bytes.
    pub max_memory: Option<u64>,
    /// `--fuel`.
    pub fuel: Option<u64>,
    /// `--timeout`, milliseconds.
    pub timeout_ms: Option<u64>,
    /// `--max-output`, bytes.
    pub max_output: Option<u64>,
    /// `--max-open-files`.
    pub max_open_files: Option<u32>,
}

/// One call and everything it did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// 1-based call number.
    pub seq: u64,
    /// The call's name.
    pub call: String,
    /// Its raw arguments (i32s zero-extended).
    pub args: Vec<u64>,
    /// How it ended.
    pub outcome: Outcome,
    /// What it wrote into guest memory, as it was after the call.
    pub writes: Vec<Written>,
    /// What it wrote to the console.
    pub console: Vec<ConsoleOutput>,
    /// Descriptors it opened, closed or renumbered.
    pub fds: Vec<FdChange>,
}

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It returned this raw value (0 for a call without a result).
    Returned(u64),
    /// The guest exited during the call.
    Exited(i32),
    /// The host ended the guest.
    Killed {
        /// Why.
        reason: String,
        /// Whether for its output limit.
        output_limit: bool,
    },
    /// The time limit passed while the call waited.
    TimeLimit {
        /// What it was waiting for.
        waiting: String,
    },
}

/// Bytes a call wrote into guest memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    /// Address of the first byte.
    pub at: u32,
    /// The bytes.
    #[serde(with = "hex_bytes")]
    pub bytes: Vec<u8>,
}

/// Bytes a call wrote to standard output or error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleOutput {
    /// `stdout` or `stderr`.
    pub stream: Stream,
    /// The bytes.
    #[serde(with = "hex_bytes")]
    pub bytes: Vec<u8>,
}

/// An output stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl From<Stream> for StdStream {
    fn from(s: Stream) -> StdStream {
        match s {
            Stream::Stdout => StdStream::Stdout,
            Stream::Stderr => StdStream::Stderr,
        }
    }
}

/// A descriptor as a recording remembers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    /// Its number.
    pub fd: u32,
    /// What it names: `stdout`, a guest path, a URL.
    pub name: String,
    /// `stdio`, `file`, `directory`, a URL scheme.
    pub kind: String,
    /// WASI base rights.
    pub rights: u64,
    /// WASI inheriting rights.
    pub inheriting: u64,
    /// WASI fdflags.
    pub flags: u16,
    /// The guest path it was preopened under, for preopened directories.
    pub preopen: Option<String>,
}

/// A change a call made to the descriptor table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FdChange {
    /// A descriptor appeared (or replaced another at its number).
    Opened(Opened),
    /// A descriptor went away.
    Closed(u32),
    /// A descriptor moved to another number.
    Renumbered {
        /// Its old number.
        from: u32,
        /// Its new number.
        to: u32,
    },
}

/// How the recorded guest ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ending {
    /// How many calls it made.
    pub calls: u64,
    /// The exit status `wasmhole run` gave.
    pub status: i32,
    /// The message it ended with, if it failed.
    pub message: Option<String>,
}

/// Bytes as hex in JSON, as bytes where the format is binary.
mod hex_bytes {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            let mut text = String::with_capacity(bytes.len() * 2);
            for b in bytes {
                text.push(char::from_digit((b >> 4) as u32, 16).unwrap_or('0'));
                text.push(char::from_digit((b & 15) as u32, 16).unwrap_or('0'));
            }
            s.serialize_str(&text)
        } else {
            s.serialize_bytes(bytes)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            decode_hex(&text).ok_or_else(|| serde::de::Error::custom("bytes are not hex"))
        } else {
            d.deserialize_byte_buf(BytesVisitor)
        }
    }

    fn decode_hex(text: &str) -> Option<Vec<u8>> {
        let digits = text.as_bytes();
        if !digits.len().is_multiple_of(2) {
            return None;
        }
        digits
            .chunks_exact(2)
            .map(|pair| {
                let hi = (pair[0] as char).to_digit(16)?;
                let lo = (pair[1] as char).to_digit(16)?;
                Some((hi * 16 + lo) as u8)
            })
            .collect()
    }

    struct BytesVisitor;

    impl<'de> serde::de::Visitor<'de> for BytesVisitor {
        type Value = Vec<u8>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("bytes")
        }
        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }
        fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            seq: 3,
            call: "fd_read".into(),
            args: vec![0, 16, 1, 8],
            outcome: Outcome::Returned(0),
            writes: vec![Written {
                at: 8,
                bytes: vec![0x0a, 0xff],
            }],
            console: vec![ConsoleOutput {
                stream: Stream::Stdout,
                bytes: b"hi\n".to_vec(),
            }],
            fds: vec![FdChange::Closed(4), FdChange::Renumbered { from: 5, to: 3 }],
        }
    }

    #[test]
    fn a_call_reads_back_from_json_with_hex_bytes() {
        let text = serde_json::to_string(&Line::Call(entry())).unwrap();
        assert!(text.contains(r#""bytes":"0aff""#), "{text}");
        assert!(text.contains(r#""bytes":"68690a""#), "{text}");
        let back: Line = serde_json::from_str(&text).unwrap();
        assert_eq!(back, Line::Call(entry()));
    }

    #[test]
    fn a_call_reads_back_from_postcard() {
        let packed = postcard::to_allocvec(&entry()).unwrap();
        assert!(packed.len() < 48, "{} bytes", packed.len());
        let back: Entry = postcard::from_bytes(&packed).unwrap();
        assert_eq!(back, entry());
    }

    #[test]
    fn bad_hex_is_refused() {
        let line = r#"{"call":{"seq":1,"call":"x","args":[],"outcome":{"returned":0},"writes":[{"at":0,"bytes":"0g"}],"console":[],"fds":[]}}"#;
        assert!(serde_json::from_str::<Line>(line).is_err());
    }
}
