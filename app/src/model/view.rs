//! How the learner looks at one run: the call selected (its bytes shown in
//! Memory, its card in Syscalls), the frame selected (highlighted in Source
//! and Disassembly), the descriptor whose history is shown, where Memory
//! is scrolled, the Syscalls filter and the line being typed for standard
//! input. Each run keeps its own, so switching branch and back finds the
//! same view.

use super::calls_view::CallsView;
use super::descriptor_log::History;
use super::memory::MemoryView;

/// One run's view.
#[derive(Clone, Debug, Default)]
pub struct RunView {
    /// The selected call, by number.
    pub call: Option<u64>,
    /// The frame shown in the Stack panel, innermost first.
    pub frame: usize,
    /// The descriptor life whose history is shown (an index into the
    /// run's descriptor lives).
    pub life: Option<usize>,
    /// Where Memory is scrolled.
    pub memory: MemoryView,
    /// The Syscalls filter.
    pub calls: CallsView,
    /// The line being typed for standard input.
    pub typing: String,
    /// The selected descriptor's history, as last gathered.
    pub history: Option<History>,
}

impl RunView {
    /// A fresh view keeping only how many rows Memory fits.
    pub fn fresh(&self) -> RunView {
        let mut view = RunView::default();
        view.memory.rows = self.memory.rows;
        view
    }
}
