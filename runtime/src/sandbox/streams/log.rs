//! `log://?prefix=P`: text written to it goes to the process's standard
//! error one line at a time, each line prefixed `P: `. A line longer than
//! [`MAX_LINE`] is cut into lines of that length, so the host never holds
//! more than that of a partial line.

use super::Stream;
use crate::sandbox::stdio::Output;
use std::io;

/// Longest line held back waiting for its newline, in bytes.
pub const MAX_LINE: usize = 4096;

/// A log stream: complete lines are written at once, a partial line waits
/// for its newline, a flush, or [`MAX_LINE`] bytes.
pub struct Log {
    out: Output,
    prefix: String,
    pending: Vec<u8>,
}

/// Walks `data` written after `pending` bytes of a partial line. For each
/// line it ends (at a newline or at [`MAX_LINE`] bytes), calls `line` with
/// the part of `data` in it and whether the pending bytes begin it; returns
/// what is left as the new partial line. Each byte is looked at once.
fn split_lines(mut pending: usize, mut data: &[u8], mut line: impl FnMut(&[u8], bool)) -> &[u8] {
    loop {
        let room = MAX_LINE - pending;
        let window = &data[..data.len().min(room + 1)];
        match window.iter().position(|b| *b == b'\n') {
            Some(i) => {
                line(&data[..i], pending > 0);
                data = &data[i + 1..];
            }
            None if data.len() >= room => {
                line(&data[..room], pending > 0);
                data = &data[room..];
            }
            None => return data,
        }
        pending = 0;
    }
}

impl Log {
    /// Lines go to `out`, prefixed `prefix: ` (nothing when `prefix` is empty).
    pub fn new(out: Output, prefix: String) -> Log {
        Log {
            out,
            prefix,
            pending: Vec::new(),
        }
    }

    fn line_cost(&self, len: usize) -> u64 {
        let prefix = if self.prefix.is_empty() {
            0
        } else {
            self.prefix.len() + 2
        };
        (prefix + len + 1) as u64
    }

    fn emit(out: &mut Output, prefix: &str, pending: &[u8], line: &[u8]) -> io::Result<()> {
        let mut text = Vec::with_capacity(prefix.len() + pending.len() + line.len() + 3);
        if !prefix.is_empty() {
            text.extend_from_slice(prefix.as_bytes());
            text.extend_from_slice(b": ");
        }
        text.extend_from_slice(pending);
        text.extend_from_slice(line);
        text.push(b'\n');
        out.write(&text).map(|_| ())
    }
}

impl Stream for Log {
    fn scheme(&self) -> &'static str {
        "log"
    }

    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a log stream cannot be read",
        ))
    }

    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let Log {
            out,
            prefix,
            pending,
        } = self;
        let mut result = Ok(());
        let rest = split_lines(pending.len(), data, |line, after_pending| {
            let head = if after_pending { &pending[..] } else { &[] };
            if result.is_ok() {
                result = Log::emit(out, prefix, head, line);
            }
            if after_pending {
                pending.clear();
            }
        });
        pending.extend_from_slice(rest);
        result.map(|()| data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            Log::emit(&mut self.out, &self.prefix, &line, &[])?;
        }
        Ok(())
    }

    fn output_cost(&self, data: &[u8]) -> u64 {
        let mut cost = 0;
        let pending = self.pending.len();
        split_lines(pending, data, |line, after_pending| {
            let held = if after_pending { pending } else { 0 };
            cost += self.line_cost(held + line.len());
        });
        cost
    }

    fn flush_cost(&self) -> u64 {
        if self.pending.is_empty() {
            0
        } else {
            self.line_cost(self.pending.len())
        }
    }
}

impl Drop for Log {
    fn drop(&mut self) {
        let _ = Stream::flush(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::stdio::SharedBuffer;

    #[test]
    fn lines_are_prefixed_and_costs_are_exact() {
        let buf = SharedBuffer::new();
        let mut log = Log::new(Output::Buffer(buf.clone()), "app".into());
        let cost = log.output_cost(b"one\ntw");
        log.write(b"one\ntw").unwrap();
        assert_eq!(buf.text(), "app: one\n");
        assert_eq!(cost, buf.contents().len() as u64);
        let cost = log.output_cost(b"o\n");
        log.write(b"o\n").unwrap();
        assert_eq!(buf.text(), "app: one\napp: two\n");
        assert_eq!(cost, 9);
        log.write(b"tail").unwrap();
        assert_eq!(log.flush_cost(), 10);
        drop(log);
        assert_eq!(buf.text(), "app: one\napp: two\napp: tail\n");
    }

    #[test]
    fn long_lines_are_cut_and_never_held_whole() {
        let buf = SharedBuffer::new();
        let mut log = Log::new(Output::Buffer(buf.clone()), String::new());
        let chunk = vec![b'a'; 3000];
        let mut cost = 0;
        for _ in 0..3 {
            cost += log.output_cost(&chunk);
            log.write(&chunk).unwrap();
            assert!(log.pending.len() < MAX_LINE);
        }
        let text = buf.text();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(
            lines.len(),
            2,
            "9000 bytes: two full lines, the rest pending"
        );
        assert!(lines.iter().all(|l| l.len() == MAX_LINE));
        assert_eq!(
            cost,
            buf.contents().len() as u64,
            "costs match what was written"
        );
        assert_eq!(log.flush_cost(), (9000 - 2 * MAX_LINE + 1) as u64);
        // A newline right at the limit ends the line there, with no empty line after.
        let buf = SharedBuffer::new();
        let mut log = Log::new(Output::Buffer(buf.clone()), String::new());
        let mut exact = vec![b'b'; MAX_LINE];
        exact.push(b'\n');
        assert_eq!(log.output_cost(&exact), MAX_LINE as u64 + 1);
        log.write(&exact).unwrap();
        assert_eq!(buf.contents().len(), MAX_LINE + 1);
        assert!(log.pending.is_empty());
    }
}
