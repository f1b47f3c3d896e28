//! The dock's panels, one file each. Each renders the run on show at its
//! moment (`crate::model::moment`), changes only its own view of the run,
//! and asks the model for everything else.

pub mod banner;
pub mod breakpoints;
pub mod config;
pub mod console;
pub mod descriptors;
pub mod disassembly;
pub mod explain_card;
pub mod gopher;
pub mod memory;
pub mod source;
pub mod stack;
pub mod syscalls;

/// The colour of text describing state that is no longer current.
pub const STALE: egui::Color32 = egui::Color32::from_rgb(0xe0, 0xb0, 0x40);
