//! The workbench's model: what the window shows, with no drawing in it.
//!
//! A guest's observed state is one value, a [`run::Run`]; the panels render
//! one run at one [`moment::Moment`] and change the model only through its
//! methods. The rule, kept by a test that reads the sources: nothing under
//! `model/` imports `egui` (or any crate that draws) or the window
//! (`crate::workbench`).
//!
//! - the run and what is seen of it: [`run`], [`moment`], [`view`],
//!   [`console`], [`descriptor_log`], [`memory`], [`calls_view`];
//! - what the learner works on: [`document`], [`breakpoints`],
//!   [`run_config`], [`panel`], [`paths`], [`samples`], [`export`];
//! - the whole model and what panels ask of it: [`workbench`], [`action`];
//! - features over runs, their state and rules: [`branches`] and
//!   [`what_if`], [`side_by_side`] and [`alignment`], [`predict`],
//!   [`lessons`]; the workbench's actions over them are in `workbench/`
//!   (branching, going back, predicting, lessons, what if), so the
//!   features import nothing of the workbench;
//! - the Gopher browser: [`browser`].

pub mod action;
pub mod alignment;
pub mod branches;
pub mod breakpoints;
pub mod browser;
pub mod calls_view;
pub mod console;
pub mod descriptor_log;
pub mod document;
pub mod export;
pub mod lessons;
pub mod memory;
pub mod moment;
pub mod panel;
pub mod paths;
pub mod predict;
pub mod publish;
pub mod run;
pub mod run_config;
pub mod samples;
pub mod side_by_side;
pub mod view;
pub mod what_if;
pub mod workbench;
