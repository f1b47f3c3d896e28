//! What the panels and features ask of the model. A panel renders a run at
//! a moment and changes only its own view; everything else it wants done
//! comes back as an [`Action`], which [`Workbench::apply`] carries out.

use super::branches::WhatIf;
use super::panel::Panel;
use super::paths::Purpose;
use super::workbench::Workbench;
use std::path::PathBuf;
use wasmhole_runtime::debug::{Command, Edge};

/// One thing to do.
#[derive(Clone, Debug)]
pub enum Action {
    /// Resume the stopped guest with this command.
    Resume(Command),
    /// Start the program again (the Run configuration applied).
    Restart,
    /// Compile the text and run it from the start.
    Compile,
    /// Set or clear a breakpoint at an instruction offset.
    ToggleBreakpoint(u32),
    /// Set or clear a breakpoint on a WAT line.
    ToggleLineBreakpoint(u32),
    /// Clear the breakpoint at an offset.
    RemoveBreakpoint(u32),
    /// Select a call of the run on show.
    SelectCall(u64),
    /// Open the What if… window for a call.
    WhatIf(u64),
    /// Open the What if… window for the call the guest is at the entry of.
    WhatIfHere,
    /// Start a branch with the open What if… window's call changed so.
    ChooseWhatIf(WhatIf),
    /// Go back to a call's entry or exit.
    GoBack(u64, Edge),
    /// Open a file (a sample a card links to, say).
    Open(PathBuf),
    /// Show an address in Memory.
    ShowMemory(u32),
    /// Send the line typed for standard input.
    SendInput,
    /// End standard input.
    EndInput,
    /// Show another branch.
    SelectBranch(usize),
    /// Put the Run configuration back to the defaults.
    ResetConfig,
    /// Hide the problem the banner shows.
    DismissProblem,
    /// Bring a panel to the front.
    Focus(Panel),
    /// Ask for a path, for this purpose.
    ChoosePath(Purpose),
    /// Replay a Gopher request to a handler under the debugger.
    DebugRequest(Box<gopherd::HandlerRecipe>),
    /// Open a lesson.
    OpenLesson(String),
    /// Go to a step of the open lesson and do it.
    GoToStep(usize),
    /// Do the open lesson's step again.
    DoStep,
    /// Open the learner's copy of an exercise of the open lesson.
    OpenExercise(String),
    /// Check the exercise being worked on.
    CheckExercise,
    /// Put an exercise's copy back to its starter.
    StartOver(String),
    /// Send the typed prediction and step to the call's exit.
    StepAndScore,
}

impl Workbench {
    /// Does what a panel asked.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Resume(command) => self.resume(command),
            Action::Restart => self.start(),
            Action::Compile => self.compile(),
            Action::ToggleBreakpoint(offset) => self.toggle_breakpoint(offset),
            Action::ToggleLineBreakpoint(line) => self.toggle_line_breakpoint(line),
            Action::RemoveBreakpoint(offset) => self.remove_breakpoint(offset),
            Action::SelectCall(seq) => self.select_syscall(seq),
            Action::WhatIf(seq) => self.ask_what_if(seq),
            Action::WhatIfHere => {
                self.ask_what_if_here();
            }
            Action::ChooseWhatIf(choice) => self.choose_what_if(choice),
            Action::GoBack(seq, edge) => self.rewind_to(seq, edge),
            Action::Open(path) => {
                self.open(&path);
            }
            Action::ShowMemory(addr) => self.show_memory(addr),
            Action::SendInput => self.send_input(),
            Action::EndInput => self.end_input(),
            Action::SelectBranch(i) => self.select_branch(i),
            Action::ResetConfig => {
                self.config = Default::default();
                self.config_from = Default::default();
            }
            Action::DismissProblem => self.problem = None,
            Action::Focus(panel) => self.focus = Some(panel),
            Action::ChoosePath(purpose) => {
                if let Some(path) = self.choose_path(purpose)
                    && let Err(e) = self.path_chosen(purpose, path)
                {
                    match purpose {
                        Purpose::Gopherhole | Purpose::GopherFolder | Purpose::SaveDownload => {
                            self.gopher.message = Some(e)
                        }
                        _ => self.problem = Some(e),
                    }
                }
            }
            Action::DebugRequest(recipe) => self.debug_request(&recipe),
            Action::OpenLesson(id) => self.open_lesson(&id),
            Action::GoToStep(n) => self.go_to_step(n),
            Action::DoStep => self.do_step(),
            Action::OpenExercise(id) => self.open_exercise_of_open_lesson(&id),
            Action::CheckExercise => self.check_exercise(),
            Action::StartOver(id) => self.start_over_exercise(&id),
            Action::StepAndScore => self.step_and_score(),
        }
    }
}
