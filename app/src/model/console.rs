//! A run's console: what its guest wrote on standard output and error, and
//! what the person sent to its standard input, in arrival order, keeping
//! the last mebibyte or so.

use wasmhole_runtime::SharedBuffer;

/// Which standard stream a piece of console text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Out,
    /// Standard error (and log lines).
    Err,
    /// A line the person sent to standard input.
    In,
}

/// Where the guest's standard input comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Input {
    /// The Console's input line: the person types it.
    #[default]
    Typed,
    /// Text from the Run configuration, read from the start.
    Configured,
    /// A recording: what the guest read is answered from it.
    Recorded,
}

/// The guest's console, in arrival order.
#[derive(Debug, Default)]
pub struct Console {
    /// Text pieces and where each came from.
    pub chunks: Vec<(Stream, String)>,
    /// Where standard input comes from.
    pub input_from: Input,
    /// Whether the guest's standard input has ended (sent by the person,
    /// or text from the Run configuration that was all read out).
    pub input_ended: bool,
    /// Bytes of output before the first chunk that are no longer kept.
    pub left_out: u64,
    seen_out: usize,
    seen_err: usize,
}

/// How the Console marks the end of standard input the person sent.
pub const END_OF_INPUT: &str = "(end of input)\n";

/// How much console text is kept: the last mebibyte or so.
pub const CONSOLE_TAIL: usize = 1 << 20;

impl Console {
    /// An empty console whose input comes from `input_from`; typed input is
    /// the only kind that has not ended from the start.
    pub fn new(input_from: Input) -> Console {
        Console {
            input_from,
            input_ended: input_from != Input::Typed,
            ..Console::default()
        }
    }

    /// Takes in what the guest wrote to `out` and `err` since the last pull.
    pub fn pull(&mut self, out: &SharedBuffer, err: &SharedBuffer) {
        for (buf, seen, stream) in [
            (out, &mut self.seen_out, Stream::Out),
            (err, &mut self.seen_err, Stream::Err),
        ] {
            let since = buf.since(*seen as u64);
            *seen += since.skipped as usize + since.bytes.len();
            self.left_out += since.skipped;
            if !since.bytes.is_empty() {
                self.chunks
                    .push((stream, String::from_utf8_lossy(&since.bytes).into_owned()));
            }
        }
        self.keep_tail();
    }

    /// The lines the person typed, in order (the end of input left out).
    pub fn typed(&self) -> impl Iterator<Item = &str> {
        self.chunks
            .iter()
            .filter(|(stream, text)| *stream == Stream::In && text != END_OF_INPUT)
            .map(|(_, text)| text.as_str())
    }

    /// Everything shown, as one text.
    pub fn text(&self) -> String {
        self.chunks.iter().map(|(_, t)| t.as_str()).collect()
    }

    /// Drops the oldest pieces once the text passes twice [`CONSOLE_TAIL`].
    fn keep_tail(&mut self) {
        let total: usize = self.chunks.iter().map(|(_, t)| t.len()).sum();
        if total <= 2 * CONSOLE_TAIL {
            return;
        }
        let mut excess = total - CONSOLE_TAIL;
        let mut whole = 0;
        for (_, text) in &self.chunks {
            if text.len() > excess {
                break;
            }
            excess -= text.len();
            whole += 1;
        }
        for (_, text) in self.chunks.drain(..whole) {
            self.left_out += text.len() as u64;
        }
        if let Some((_, text)) = self.chunks.first_mut() {
            let mut cut = excess.min(text.len());
            while !text.is_char_boundary(cut) {
                cut += 1;
            }
            text.drain(..cut);
            self.left_out += cut as u64;
        }
    }
}
