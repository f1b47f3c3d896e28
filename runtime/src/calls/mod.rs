//! The calls machinery, over the ABIs' call tables: a call's record
//! (`record`) and its strace-style decoding (`decode`), explain-cards
//! (`explain`), fault injection (`inject`), where records go (`sink`: the
//! recorder and its sinks; `trace`: text and JSON lines; `summary`: the
//! `strace -c` table; `ring`: a debug session's ring), and reading traces
//! back (`trace_file`). It knows nothing of recordings or of running a
//! guest.

pub mod decode;
pub mod explain;
pub mod inject;
pub mod record;
pub mod ring;
pub mod sink;
pub mod summary;
pub mod trace;
pub mod trace_file;
