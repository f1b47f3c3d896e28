//! gopherd: a Gopher server (RFC 1436) whose selectors are static files or
//! WebAssembly handlers run through the wasmhole runtime core.
//!
//! A request flows: [`server`] accepts, [`admission`] gives the
//! connection a fair place, [`connection`] reads one request line within
//! limits → [`request`] parses it → [`router`] picks a handler route or the static
//! root → [`handler`] runs the wasm module in a fresh sandbox (or
//! [`static_files`] reads the file) → [`framing`] and [`gophermap`] make it
//! a proper Gopher response → [`send`] streams it within time limits →
//! [`access_log`] records it. [`service`] is all
//! of that without sockets, for use in-process; [`reload`] swaps in changed
//! handler modules; [`config`] is the TOML file; [`open_files`] fits the
//! limits to the process's open-files limit; [`traces`] keeps the trace
//! folder; [`throttle`] keeps the server log bounded.

pub mod access_log;
pub mod admin;
pub mod admission;
pub mod caps;
pub mod config;
pub mod connection;
pub mod deploy;
pub mod framing;
pub mod fuzzing;
pub mod gopher_plus;
pub mod gophermap;
pub mod gph;
pub mod handler;
pub mod http;
pub mod open_files;
pub mod reload;
pub mod request;
pub mod router;
pub mod send;
pub mod server;
pub mod service;
pub mod static_files;
pub mod throttle;
pub mod traces;
pub mod workers;

pub use config::{Config, ItemKind};
pub use framing::Body;
pub use gophermap::Site;
pub use request::Request;
pub use server::Server;
pub use service::{Gopherd, HandlerRecipe, Outcome, Response};

/// The server's name and version, as handlers see it in `SERVER_SOFTWARE`.
pub const SERVER_SOFTWARE: &str = concat!("gopherd/", env!("CARGO_PKG_VERSION"));
