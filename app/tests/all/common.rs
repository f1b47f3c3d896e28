//! Helpers shared by the workbench's UI tests: a harness around the whole
//! window, paths to the repository's samples, and waiting for the guest.

#![allow(dead_code)]

use egui_kittest::Harness;
use std::path::{Path, PathBuf};
use std::time::Duration;
use wasmhole::workbench::App;

/// The whole window, at the size it opens with.
pub fn harness(app: App) -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1500.0, 920.0))
        .build_ui_state(|ui, app: &mut App| app.ui(ui), app)
}

/// A path under the repository.
pub fn sample(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// Lets the guest reach its next stop, then draws a few frames.
pub fn settle(h: &mut Harness<'static, App>) {
    assert!(
        h.state_mut().wb.settle(Duration::from_secs(20)),
        "the guest settled"
    );
    h.run_steps(3);
}

/// Lets the Gopher panel's fetch finish, then draws a few frames.
pub fn settle_gopher(h: &mut Harness<'static, App>) {
    assert!(
        h.state_mut().wb.gopher.settle(Duration::from_secs(20)),
        "the page arrived"
    );
    h.run_steps(3);
}
