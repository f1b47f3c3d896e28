//! `random://`: reads give cryptographically secure random bytes; writes fail.

use super::Stream;
use std::io;

/// The random stream.
pub struct Random;

impl Stream for Random {
    fn scheme(&self) -> &'static str {
        "random"
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        getrandom::fill(buf).map_err(|e| io::Error::other(e.to_string()))?;
        Ok(buf.len())
    }

    fn write(&mut self, _data: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "random:// cannot be written",
        ))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
