//! gopherd's integration tests, in one binary (so wasmtime is linked once):
//! a module per feature, each run as `cargo test -p gopherd --test all
//! FEATURE::`. `common` starts a real `gopherd` process and talks to it.

mod common;

mod attacks;
mod balancer;
mod clients;
mod deployments;
mod dialects;
mod edges;
mod fuzz_seeded;
mod handlers;
mod hostile;
mod http_face;
mod lattice;
mod operations;
mod webdriver;
