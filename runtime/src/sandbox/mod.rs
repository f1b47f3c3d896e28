//! The sandbox: one guest's process (arguments, environment, granted
//! folders, limits), its descriptor table, bounds-checked access to its
//! memory, its memory budget, waiting on host I/O within its deadline, its
//! standard streams, the policy on what it may open, the streams opened by
//! URL, and how a guest ends (`exit`). It knows nothing of ABIs: each ABI
//! lays out the descriptors it expects itself, and rights are numbers here.

pub mod blocking;
pub mod exit;
pub mod faults;
pub mod fdtable;
pub mod guest_memory;
pub mod limits;
pub mod memory_budget;
pub mod policy;
pub mod process;
pub mod stdio;
pub mod streams;
