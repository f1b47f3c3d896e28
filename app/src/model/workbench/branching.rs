//! The workbench's what-if actions: making a branch from the run on show
//! (run to its changed call and checked against its parent), showing
//! another branch, forgetting branches, keeping at most
//! [`MAX_LIVE`](crate::model::branches::MAX_LIVE) guests, and driving the
//! branches each frame.

use super::Workbench;
use crate::model::branches::{
    Branch, Branches, Change, MAX_LIVE, Reaching, WhatIf, differs_before,
};
use crate::model::run::{Origin, Run, RunState};
use wasmhole_runtime::InjectSpec;
use wasmhole_runtime::abis::CallSpec;
use wasmhole_runtime::calls::inject::Injector;
use wasmhole_runtime::debug::Command;

impl Workbench {
    /// Starts a new branch from the selected one in which call `seq` (a
    /// `call`) has the outcome `choice`. It runs at full speed to that
    /// call's exit and stops there. An outcome the call cannot have is
    /// refused with the reason.
    pub fn what_if(
        &mut self,
        seq: u64,
        call: &'static CallSpec,
        choice: WhatIf,
    ) -> Result<(), String> {
        if self.doc.program.is_none() {
            return Err("there is no program to run again".into());
        }
        if self.run().origin != Origin::Live {
            return Err("a recording is replayed as it was: What if… runs the program live, so open the program itself".into());
        }
        let spec = InjectSpec::at_call(seq, call.name, choice.action());
        Injector::new(call.abi, std::slice::from_ref(&spec)).map_err(|e| {
            let prefix = format!("--inject={spec}: ");
            e.strip_prefix(&prefix).unwrap_or(&e).to_string()
        })?;
        let parent = self.branches.selected;
        let mut changes = self.branches.list[parent].changes.clone();
        changes.push(spec);
        let change = Change {
            seq,
            call: call.name,
            what: choice.described(call),
        };
        let parent_run = &self.branches.list[parent].run;
        let typed: Vec<String> = parent_run.console.typed().map(str::to_string).collect();
        let input_ended = parent_run.console.input_ended;
        let view = self.branches.list[parent].view.fresh();
        self.branches.list.push(Branch {
            name: format!("{} #{} -> {}", call.name, seq, change.what),
            parent: Some(parent),
            change: Some(change),
            changes,
            reaching: Reaching::Starting,
            note: None,
            run: Run::default(),
            view,
            last_shown: 0,
        });
        let new = self.branches.list.len() - 1;
        self.branches.selected = new;
        self.branches.compare = (parent, new);
        self.mark_shown();
        self.start();
        self.give_typed_input(typed, input_ended);
        if !self.run().alive() {
            self.branches.list[new].reaching = Reaching::Done;
        }
        self.limit_live_guests();
        Ok(())
    }

    /// Gives a new branch's guest what its parent's was typed on standard
    /// input (when the Run configuration gives none), so it reaches its
    /// change as its parent did.
    fn give_typed_input(&mut self, typed: Vec<String>, ended: bool) {
        if !self.config.stdin.is_empty() {
            return;
        }
        let run = self.run_mut();
        for text in typed {
            run.send_input(&text);
        }
        if ended {
            run.end_input("");
        }
    }

    /// Shows branch `index` in every panel.
    pub fn select_branch(&mut self, index: usize) {
        if index == self.branches.selected || index >= self.branches.list.len() {
            return;
        }
        self.branches.selected = index;
        self.mark_shown();
        self.animation = None;
        self.status = format!("showing branch {}", self.branches.list[index].name);
    }

    fn mark_shown(&mut self) {
        self.branches.clock += 1;
        let clock = self.branches.clock;
        self.branches.list[self.branches.selected].last_shown = clock;
    }

    /// Forgets every branch but the one on show, which becomes "main" (a
    /// different program, or the same one edited).
    pub fn forget_branches(&mut self) {
        let kept = self.branches.selected;
        let mut main = self.branches.list.swap_remove(kept);
        main.name = "main".into();
        main.parent = None;
        main.change = None;
        main.changes.clear();
        main.note = None;
        main.reaching = Reaching::Done;
        self.branches = Branches {
            list: vec![main],
            ..Branches::default()
        };
    }

    /// Lets go of the guests of branches not shown for longest, beyond
    /// [`MAX_LIVE`].
    fn limit_live_guests(&mut self) {
        while self.branches.kept() > MAX_LIVE {
            let selected = self.branches.selected;
            let Some(oldest) = (0..self.branches.list.len())
                .filter(|i| *i != selected && self.branches.list[*i].run.kept())
                .min_by_key(|i| self.branches.list[*i].last_shown)
            else {
                return;
            };
            let run = &mut self.branches.list[oldest].run;
            let why = if run.ended().is_some() {
                format!(
                    "Its guest was let go to keep at most {MAX_LIVE}: its memory at exit is gone; its output, calls and recording are kept."
                )
            } else {
                format!(
                    "Its guest was ended to keep at most {MAX_LIVE} alive: its output and calls up to then are kept, and Go back replays its recording."
                )
            };
            run.let_go(why);
        }
    }

    /// Drives branches each frame: collects what every branch's guest sent,
    /// sends a new branch on to its change, and checks it when there.
    pub(super) fn drive_branches(&mut self) {
        let selected = self.branches.selected;
        for (i, b) in self.branches.list.iter_mut().enumerate() {
            if i != selected {
                b.run.poll();
            }
        }
        let branch = &self.branches.list[selected];
        let Some(change) = branch.change.clone() else {
            return;
        };
        let reaching = branch.reaching;
        let state = branch.run.state.clone();
        match reaching {
            Reaching::Starting if state == RunState::Stopped => {
                self.run_mut().resume(Command::ToCallExit(change.seq));
                self.branches.list[selected].reaching = Reaching::Running;
                self.status = format!("running to call #{} to change it", change.seq);
            }
            Reaching::Running if matches!(state, RunState::Stopped | RunState::Exited(_)) => {
                self.branches.list[selected].reaching = Reaching::Done;
                let note = self.check_against_parent(&change);
                self.status = match &note {
                    Some(n) => n.clone(),
                    None => format!(
                        "branch {}: stopped as call #{} returns",
                        self.branches.list[selected].name, change.seq
                    ),
                };
                self.branches.list[selected].note = note;
            }
            _ => {}
        }
    }

    /// Whether the branch on show made its parent's calls before its
    /// change, and the change landed: `None` if so, else what differed.
    fn check_against_parent(&self, change: &Change) -> Option<String> {
        let branch = &self.branches.list[self.branches.selected];
        let parent = &self.branches.list[branch.parent?];
        let parent_ring = parent.run.ring();
        let ring = branch.run.ring();
        let mut notes = Vec::new();
        if let Some(at) = differs_before(&parent_ring, &ring, change.seq) {
            notes.push(format!(
                "This run differed from its parent at call {at} before reaching the change (the guest may have read a clock, random bytes or a file that changed), so it is not the same run with one call changed."
            ));
        }
        match ring.get(change.seq) {
            Some(r) if r.name == change.call && r.injected => {}
            Some(r) => notes.push(format!(
                "Call #{} of this run is {}, not {}: the change did not apply.",
                change.seq, r.name, change.call
            )),
            None => notes.push(format!(
                "This run ended after {} calls, before reaching call #{}: the change did not apply.",
                ring.last_seq().unwrap_or(0),
                change.seq
            )),
        }
        (!notes.is_empty()).then(|| notes.join(" "))
    }
}
