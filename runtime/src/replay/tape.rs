//! Where a recording goes: a JSON-lines file written as the guest runs (one
//! line per call, nothing kept), or a [`Tape`] in memory, each call packed
//! with postcard back to back, which a debug session keeps to rewind and a
//! replay reads a file into.

use super::format::{Ending, Entry, FORMAT_VERSION, Header, Line};
use std::io::{BufRead, Write};
use std::sync::{Arc, RwLock};

/// Most bytes of packed calls a tape holds; a recording that would grow
/// past it stops there (and says so), so a guest reading gigabytes cannot
/// exhaust the host's memory through its recording.
pub const MAX_TAPE_BYTES: usize = 1 << 30;

/// Receives a recording as it is made.
pub trait TapeSink: Send {
    /// Once, before any call.
    fn header(&mut self, header: &Header);
    /// After every call.
    fn call(&mut self, entry: &Entry);
    /// When the guest has ended.
    fn end(&mut self, ending: &Ending);
}

/// Size of the blocks packed calls are kept in (a call larger than this
/// has a block of its own), so a growing tape never holds twice its size.
const CHUNK: usize = 1 << 20;

/// A recording in memory: calls packed back to back in blocks, with an
/// index saying where each starts.
#[derive(Debug, Default)]
pub struct Tape {
    header: Header,
    chunks: Vec<Vec<u8>>,
    /// Per call: its block and where in the block it starts.
    starts: Vec<(u32, u32)>,
    /// Bytes in all blocks.
    packed: usize,
    ending: Option<Ending>,
    limit: usize,
    full: bool,
}

/// A tape shared between the guest that records it and the front end
/// that replays it.
pub type SharedTape = Arc<RwLock<Tape>>;

impl Tape {
    /// An empty tape holding at most `limit` bytes of packed calls.
    pub fn new(limit: usize) -> Tape {
        Tape {
            limit,
            ..Tape::default()
        }
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Names the module's file (absolute), so that the recording's replay
    /// finds it wherever the recording is moved (a session knows its
    /// program, not where it was read from).
    pub fn set_module_path(&mut self, path: &std::path::Path) {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.header.module_path = path.display().to_string();
    }

    /// How many calls it holds.
    pub fn len(&self) -> u64 {
        self.starts.len() as u64
    }

    /// Whether it holds no calls.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Whether it stopped taking calls at its size limit.
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// How the guest ended, once it has (and if every call was kept).
    pub fn ending(&self) -> Option<&Ending> {
        self.ending.as_ref()
    }

    /// Bytes the packed calls take.
    pub fn packed_bytes(&self) -> usize {
        self.packed + self.starts.len() * std::mem::size_of::<(u32, u32)>()
    }

    /// Call number `seq` (1-based).
    pub fn get(&self, seq: u64) -> Option<Entry> {
        let i = usize::try_from(seq.checked_sub(1)?).ok()?;
        let (chunk, start) = *self.starts.get(i)?;
        let block = &self.chunks[chunk as usize];
        let end = match self.starts.get(i + 1) {
            Some((next, end)) if *next == chunk => *end as usize,
            _ => block.len(),
        };
        postcard::from_bytes(&block[start as usize..end]).ok()
    }

    /// Appends a call; false once the tape is full.
    pub fn push(&mut self, entry: &Entry) -> bool {
        if self.full {
            return false;
        }
        match postcard::to_allocvec(entry) {
            Ok(bytes) if self.packed + bytes.len() <= self.limit => {
                let fits = self
                    .chunks
                    .last()
                    .is_some_and(|c| c.len() + bytes.len() <= c.capacity());
                if !fits {
                    self.chunks.push(Vec::with_capacity(CHUNK.max(bytes.len())));
                }
                let chunk = self.chunks.len() - 1;
                let block = &mut self.chunks[chunk];
                self.starts.push((chunk as u32, block.len() as u32));
                block.extend_from_slice(&bytes);
                self.packed += bytes.len();
                true
            }
            _ => {
                self.full = true;
                false
            }
        }
    }

    /// Writes the recording as the JSON lines `run --record` writes: the
    /// header, every call, and the end if the guest has ended.
    pub fn write_to(&self, out: impl Write + Send) -> std::io::Result<()> {
        let mut lines = JsonLinesTape::new(out);
        lines.header(&self.header);
        for seq in 1..=self.len() {
            if let Some(entry) = self.get(seq) {
                lines.call(&entry);
            }
        }
        match &self.ending {
            Some(ending) => lines.end(ending),
            None => {
                let _ = lines.out.flush();
            }
        }
        match lines.failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Reads a recording file: a header line, call lines, perhaps an end
    /// line. Errors name the line.
    pub fn read(input: impl BufRead, limit: usize) -> Result<Tape, String> {
        let mut tape = Tape::new(limit);
        let mut lines = input.lines().enumerate();
        match lines.next() {
            Some((_, Ok(first))) => match serde_json::from_str::<Line>(&first) {
                Ok(Line::Header(h)) if h.format > FORMAT_VERSION => {
                    return Err(format!(
                        "the recording is in format {}, newer than this wasmhole reads ({FORMAT_VERSION})",
                        h.format
                    ));
                }
                Ok(Line::Header(h)) => tape.header = *h,
                _ => return Err("line 1 is not a wasmhole recording's header".into()),
            },
            Some((_, Err(e))) => return Err(format!("cannot read it: {e}")),
            None => return Err("the file is empty".into()),
        }
        for (i, line) in lines {
            let line = line.map_err(|e| format!("cannot read line {}: {e}", i + 1))?;
            if line.trim().is_empty() {
                continue;
            }
            if tape.ending.is_some() {
                return Err(format!("line {}: calls after the end", i + 1));
            }
            match serde_json::from_str::<Line>(&line) {
                Ok(Line::Call(entry)) if entry.seq == tape.len() + 1 => {
                    if !tape.push(&entry) {
                        return Err(format!(
                            "line {}: the recording is larger than {limit} bytes",
                            i + 1
                        ));
                    }
                }
                Ok(Line::Call(entry)) => {
                    return Err(format!(
                        "line {}: call {} where call {} was expected",
                        i + 1,
                        entry.seq,
                        tape.len() + 1
                    ));
                }
                Ok(Line::End(ending)) => tape.ending = Some(ending),
                Ok(Line::Header(_)) => return Err(format!("line {}: a second header", i + 1)),
                Err(e) => return Err(format!("line {}: {e}", i + 1)),
            }
        }
        Ok(tape)
    }
}

/// Records into a shared in-memory tape.
pub struct MemorySink(pub SharedTape);

impl TapeSink for MemorySink {
    fn header(&mut self, header: &Header) {
        if let Ok(mut tape) = self.0.write() {
            tape.header = header.clone();
        }
    }
    fn call(&mut self, entry: &Entry) {
        if let Ok(mut tape) = self.0.write() {
            tape.push(entry);
        }
    }
    fn end(&mut self, ending: &Ending) {
        if let Ok(mut tape) = self.0.write()
            && !tape.full
        {
            tape.ending = Some(ending.clone());
        }
    }
}

/// Writes the recording as JSON lines, one per call, as it goes.
pub struct JsonLinesTape<W: Write + Send> {
    out: W,
    failed: Option<std::io::Error>,
}

impl<W: Write + Send> JsonLinesTape<W> {
    /// Lines go to `out`.
    pub fn new(out: W) -> Self {
        JsonLinesTape { out, failed: None }
    }

    fn line(&mut self, line: &Line) {
        if self.failed.is_some() {
            return;
        }
        let written = serde_json::to_writer(&mut self.out, line)
            .map_err(std::io::Error::other)
            .and_then(|()| self.out.write_all(b"\n"));
        if let Err(e) = written {
            self.failed = Some(e);
        }
    }
}

impl<W: Write + Send> TapeSink for JsonLinesTape<W> {
    fn header(&mut self, header: &Header) {
        self.line(&Line::Header(Box::new(header.clone())));
    }
    fn call(&mut self, entry: &Entry) {
        self.line(&Line::Call(entry.clone()));
    }
    fn end(&mut self, ending: &Ending) {
        self.line(&Line::End(ending.clone()));
        let _ = self.out.flush();
    }
}

/// A file sink shared with the front end, which learns from it whether
/// every line was written.
pub struct SharedFileTape(
    pub Arc<std::sync::Mutex<JsonLinesTape<std::io::BufWriter<std::fs::File>>>>,
);

impl SharedFileTape {
    /// The first write error, if any.
    pub fn error(&self) -> Option<String> {
        self.0
            .lock()
            .ok()
            .and_then(|t| t.failed.as_ref().map(|e| e.to_string()))
    }
}

impl TapeSink for SharedFileTape {
    fn header(&mut self, header: &Header) {
        if let Ok(mut t) = self.0.lock() {
            t.header(header);
        }
    }
    fn call(&mut self, entry: &Entry) {
        if let Ok(mut t) = self.0.lock() {
            t.call(entry);
        }
    }
    fn end(&mut self, ending: &Ending) {
        if let Ok(mut t) = self.0.lock() {
            t.end(ending);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::format::Outcome;
    use super::*;

    fn entry(seq: u64) -> Entry {
        Entry {
            seq,
            call: "random_get".into(),
            args: vec![16, 4],
            outcome: Outcome::Returned(0),
            writes: vec![super::super::format::Written {
                at: 16,
                bytes: (seq as u32).to_le_bytes().to_vec(),
            }],
            console: Vec::new(),
            fds: Vec::new(),
        }
    }

    #[test]
    fn a_tape_gives_back_each_call() {
        let mut tape = Tape::new(1 << 20);
        for seq in 1..=1000 {
            assert!(tape.push(&entry(seq)));
        }
        assert_eq!(tape.len(), 1000);
        assert_eq!(tape.get(1), Some(entry(1)));
        assert_eq!(tape.get(777), Some(entry(777)));
        assert_eq!(tape.get(0), None);
        assert_eq!(tape.get(1001), None);
        assert!(tape.packed_bytes() < 1000 * 40, "{}", tape.packed_bytes());
    }

    #[test]
    fn a_full_tape_stops_taking_calls() {
        let mut tape = Tape::new(100);
        let mut kept = 0;
        while tape.push(&entry(kept + 1)) {
            kept += 1;
        }
        assert!(tape.is_full());
        assert_eq!(tape.len(), kept);
        assert!(tape.get(kept).is_some());
    }

    #[test]
    fn a_file_reads_back_and_bad_lines_are_named() {
        let mut out = Vec::new();
        {
            let mut sink = JsonLinesTape::new(&mut out);
            sink.header(&Header {
                format: FORMAT_VERSION,
                module: "m.wasm".into(),
                ..Header::default()
            });
            sink.call(&entry(1));
            sink.call(&entry(2));
            sink.end(&Ending {
                calls: 2,
                status: 0,
                message: None,
            });
        }
        let tape = Tape::read(&out[..], 1 << 20).unwrap();
        assert_eq!(tape.header().module, "m.wasm");
        assert_eq!(tape.len(), 2);
        assert_eq!(tape.get(2), Some(entry(2)));
        assert_eq!(tape.ending().map(|e| e.calls), Some(2));

        let text = String::from_utf8(out).unwrap();
        let skipped: Vec<&str> = text
            .lines()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, l)| l)
            .collect();
        let err = Tape::read(skipped.join("\n").as_bytes(), 1 << 20).unwrap_err();
        assert!(
            err.contains("line 2: call 2 where call 1 was expected"),
            "{err}"
        );
        let err = Tape::read(&b"{\"call\":{}}\n"[..], 1 << 20).unwrap_err();
        assert!(err.contains("header"), "{err}");
    }
}
