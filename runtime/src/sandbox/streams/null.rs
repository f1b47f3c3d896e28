//! `null://` (reads nothing, swallows writes) and `zero://` (reads zeros,
//! swallows writes).

use super::Stream;
use std::io;

/// `null://`: always at end of file, a sink for writes.
pub struct Null;

/// `zero://`: an endless supply of zero bytes, a sink for writes.
pub struct Zero;

impl Stream for Null {
    fn scheme(&self) -> &'static str {
        "null"
    }
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Ok(0)
    }
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Stream for Zero {
    fn scheme(&self) -> &'static str {
        "zero"
    }
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        buf.fill(0);
        Ok(buf.len())
    }
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
