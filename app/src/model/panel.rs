//! The workbench's panels by name: what the model (a lesson step, a
//! selected call) asks to bring to the front, and what the window lays out
//! as tabs. Lessons name panels by their titles.

use serde::{Deserialize, Serialize};

/// One panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Panel {
    /// The WAT editor.
    Source,
    /// The disassembly with breakpoints.
    Disassembly,
    /// The syscall table.
    Syscalls,
    /// The hex view.
    Memory,
    /// The descriptor table.
    Descriptors,
    /// Frames, locals, operand stack, globals.
    Stack,
    /// Output and input.
    Console,
    /// Run settings.
    Configuration,
    /// The Gopher browser.
    Gopher,
    /// The list of breakpoints.
    Breakpoints,
    /// Lessons and their exercises.
    Lessons,
    /// What-if branches and their comparison.
    Branches,
}

impl Panel {
    /// Every panel.
    pub const ALL: [Panel; 12] = [
        Panel::Source,
        Panel::Disassembly,
        Panel::Syscalls,
        Panel::Memory,
        Panel::Descriptors,
        Panel::Stack,
        Panel::Console,
        Panel::Configuration,
        Panel::Gopher,
        Panel::Breakpoints,
        Panel::Lessons,
        Panel::Branches,
    ];

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Panel::Source => "Source",
            Panel::Disassembly => "Disassembly",
            Panel::Syscalls => "Syscalls",
            Panel::Memory => "Memory",
            Panel::Descriptors => "Descriptors",
            Panel::Stack => "Stack",
            Panel::Console => "Console",
            Panel::Configuration => "Run configuration",
            Panel::Gopher => "Gopher",
            Panel::Breakpoints => "Breakpoints",
            Panel::Lessons => "Lessons",
            Panel::Branches => "Branches",
        }
    }

    /// The panel with this title (as a lesson names it), in any case.
    pub fn titled(title: &str) -> Option<Panel> {
        Panel::ALL
            .into_iter()
            .find(|p| p.title().eq_ignore_ascii_case(title.trim()))
    }
}
