//! The workbench's features over runs, drawn: the Branches panel and
//! Compare, the What if… window, the Predict window, side by side, the
//! Lessons panel, the calls reference and the Publish handler window. Their state and rules are in
//! the model (`crate::model`).

pub mod branches;
pub mod call_reference;
pub mod lessons;
pub mod predict;
pub mod publish;
pub mod side_by_side;
pub mod what_if;
