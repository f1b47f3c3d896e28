//! `log://?prefix=P`: text written to it goes to the process's standard
//! error one line at a time, each line prefixed `P: `.

use super::Stream;
use crate::stdio::Output;
use std::io;

/// A log stream: complete lines are written at once, a partial line waits
/// for its newline or a flush.
pub struct Log {
    out: Output,
    prefix: String,
    pending: Vec<u8>,
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

    fn emit(&mut self, line: &[u8]) -> io::Result<()> {
        let mut text = Vec::with_capacity(self.prefix.len() + line.len() + 3);
        if !self.prefix.is_empty() {
            text.extend_from_slice(self.prefix.as_bytes());
            text.extend_from_slice(b": ");
        }
        text.extend_from_slice(line);
        text.push(b'\n');
        self.out.write(&text).map(|_| ())
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
        self.pending.extend_from_slice(data);
        while let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=i).take(i).collect();
            self.emit(&line)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            self.emit(&line)?;
        }
        Ok(())
    }

    fn output_cost(&self, data: &[u8]) -> u64 {
        let mut cost = 0;
        let mut run = self.pending.len();
        for b in data {
            if *b == b'\n' {
                cost += self.line_cost(run);
                run = 0;
            } else {
                run += 1;
            }
        }
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
    use crate::stdio::SharedBuffer;

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
}
