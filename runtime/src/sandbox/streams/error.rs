//! Why a URL could not be opened.

use crate::sandbox::fdtable::TableFull;
use std::fmt;
use std::io;

/// Why a URL could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The text is not a URL this scheme accepts.
    BadUrl(String),
    /// No stream kind of this ABI has the URL's scheme.
    UnknownScheme(String),
    /// Refused (outside the granted directories, or a host the guest may
    /// not reach), with the reason.
    Refused(String),
    /// Opening failed on the host.
    Io(io::Error),
    /// The descriptor table is full, or the guest holds as many OS files
    /// as it may.
    TableFull(TableFull),
    /// The policy refuses the URL: the guest must be killed.
    Kill(String),
    /// The run's time limit passed while the open waited (for the other
    /// end of a FIFO), saying for what.
    TimeLimit(String),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::BadUrl(m)
            | OpenError::UnknownScheme(m)
            | OpenError::Refused(m)
            | OpenError::Kill(m) => f.write_str(m),
            OpenError::TimeLimit(waiting) => write!(f, "the time limit passed while {waiting}"),
            OpenError::Io(e) => write!(f, "{e}"),
            OpenError::TableFull(full) => write!(f, "{full}"),
        }
    }
}
