//! The runtime's integration tests, in one binary (so wasmtime is linked
//! once): a module per feature, each run as `cargo test -p wasmhole-runtime
//! --test all FEATURE::`. The shared harnesses are `common` (WASI guests) and
//! `abi_support` (Dagger, Olin, h and policy guests).

mod abi_support;
mod common;

mod call_errors;
mod dagger;
mod debug_session;
mod fuzz_seeded;
mod h;
mod hostile;
mod hostless_http;
mod inject_at_call;
mod olin;
mod original_guests;
mod policy;
mod replay;
mod wasi_coverage;
mod wasi_env;
mod wasi_fd;
mod wasi_memory_safety;
mod wasi_path;
mod wasi_poll_sock;
mod wasi_samples;
