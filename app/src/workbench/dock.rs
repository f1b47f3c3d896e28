//! The panels as dockable tabs: their names, the default arrangement, the
//! presentation arrangement (Source, Memory and Syscalls large, for a
//! projector), and which drawing function each tab uses.

use super::state::Workbench;
use super::{
    branches_panel, breakpoints_panel, config_panel, console_panel, descriptors_panel,
    disassembly_panel, gopher_panel, lessons_panel, source_panel, stack_panel,
};
use egui_tiles::{Container, Linear, LinearDir, Tile, TileId, Tiles, Tree, UiResponse};
use serde::{Deserialize, Serialize};

/// One panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tab {
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

impl Tab {
    /// Every panel.
    pub const ALL: [Tab; 12] = [
        Tab::Source,
        Tab::Disassembly,
        Tab::Syscalls,
        Tab::Memory,
        Tab::Descriptors,
        Tab::Stack,
        Tab::Console,
        Tab::Configuration,
        Tab::Gopher,
        Tab::Breakpoints,
        Tab::Lessons,
        Tab::Branches,
    ];

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Source => "Source",
            Tab::Disassembly => "Disassembly",
            Tab::Syscalls => "Syscalls",
            Tab::Memory => "Memory",
            Tab::Descriptors => "Descriptors",
            Tab::Stack => "Stack",
            Tab::Console => "Console",
            Tab::Configuration => "Run configuration",
            Tab::Gopher => "Gopher",
            Tab::Breakpoints => "Breakpoints",
            Tab::Lessons => "Lessons",
            Tab::Branches => "Branches",
        }
    }
}

/// Builds an arrangement of groups of tabs: `groups` are the tab groups,
/// `splits` combine two earlier nodes (groups are numbered first, then
/// each split in turn) along a direction, giving the first a fraction of
/// the room; the last node is the root.
fn arrangement(groups: &[&[Tab]], splits: &[(LinearDir, usize, usize, f32)]) -> Tree<Tab> {
    let mut tiles = Tiles::default();
    let mut nodes: Vec<TileId> = groups
        .iter()
        .map(|panes| {
            let ids = panes.iter().map(|p| tiles.insert_pane(*p)).collect();
            tiles.insert_tab_tile(ids)
        })
        .collect();
    for &(dir, a, b, fraction) in splits {
        let id = tiles.insert_new(Tile::Container(Container::Linear(Linear::new_binary(
            dir,
            [nodes[a], nodes[b]],
            fraction,
        ))));
        nodes.push(id);
    }
    let root = *nodes.last().expect("at least one group");
    Tree::new(egui::Id::unique("workbench-layout"), root, tiles)
}

/// The arrangement a first run starts with: source and disassembly top
/// left over syscalls and console; memory, descriptors and configuration top
/// right over the stack and breakpoints.
pub fn default_layout() -> Tree<Tab> {
    use LinearDir::{Horizontal, Vertical};
    arrangement(
        &[
            &[Tab::Source, Tab::Disassembly, Tab::Gopher],
            &[Tab::Syscalls, Tab::Console, Tab::Branches],
            &[Tab::Memory, Tab::Descriptors, Tab::Configuration],
            &[Tab::Stack, Tab::Breakpoints, Tab::Lessons],
        ],
        &[
            (Vertical, 0, 1, 0.6),
            (Vertical, 2, 3, 0.62),
            (Horizontal, 4, 5, 0.52),
        ],
    )
}

/// The arrangement for teaching from a projector: Source large on the
/// left, Memory over Syscalls on the right; the other panels are tabs
/// behind them.
pub fn presentation_layout() -> Tree<Tab> {
    use LinearDir::{Horizontal, Vertical};
    arrangement(
        &[
            &[Tab::Source, Tab::Disassembly, Tab::Stack, Tab::Gopher],
            &[Tab::Memory, Tab::Descriptors, Tab::Breakpoints],
            &[
                Tab::Syscalls,
                Tab::Console,
                Tab::Configuration,
                Tab::Lessons,
                Tab::Branches,
            ],
        ],
        &[(Vertical, 1, 2, 0.5), (Horizontal, 0, 3, 0.5)],
    )
}

/// Adds the panels a saved arrangement lacks (one saved by an earlier
/// version) to its first group of tabs, so every panel can be shown.
pub fn add_missing_tabs(tree: &mut Tree<Tab>) {
    for tab in Tab::ALL {
        if tree.tiles.find_pane(&tab).is_some() {
            continue;
        }
        let group = tree.tiles.iter().find_map(|(id, tile)| {
            matches!(tile, Tile::Container(Container::Tabs(_))).then_some(*id)
        });
        let Some(group) = group else {
            *tree = default_layout();
            return;
        };
        let pane = tree.tiles.insert_pane(tab);
        if let Some(Tile::Container(Container::Tabs(tabs))) = tree.tiles.get_mut(group) {
            tabs.add_child(pane);
        }
    }
}

/// Draws tabs from the workbench's state.
pub struct Viewer<'a> {
    /// The model the panels show and change.
    pub wb: &'a mut Workbench,
}

impl egui_tiles::Behavior<Tab> for Viewer<'_> {
    fn tab_title_for_pane(&mut self, tab: &Tab) -> egui::WidgetText {
        tab.title().into()
    }

    fn pane_ui(&mut self, ui: &mut egui::Ui, _tile: TileId, tab: &mut Tab) -> UiResponse {
        egui::Frame::new()
            .inner_margin(6.0)
            .show(ui, |ui| self.show(ui, *tab));
        UiResponse::None
    }

    fn simplification_options(&self) -> egui_tiles::SimplificationOptions {
        egui_tiles::SimplificationOptions {
            all_panes_must_have_tabs: true,
            ..Default::default()
        }
    }
}

impl Viewer<'_> {
    fn show(&mut self, ui: &mut egui::Ui, tab: Tab) {
        let wb = &mut *self.wb;
        match tab {
            Tab::Source => source_panel::ui(wb, ui),
            Tab::Disassembly => disassembly_panel::ui(wb, ui),
            Tab::Syscalls => {
                let ring = wb.records.clone();
                let in_progress = wb.call_at_entry();
                let changed = {
                    let ring = ring.lock().unwrap_or_else(|e| e.into_inner());
                    wb.syscalls.ui(ui, &ring, in_progress.as_deref())
                };
                if changed && let Some(seq) = wb.syscalls.selected {
                    wb.select_syscall(seq);
                }
                if let Some(seq) = wb.syscalls.what_if.take() {
                    wb.ask_what_if(seq);
                }
                if let Some((seq, edge)) = wb.syscalls.go_back.take() {
                    wb.rewind_to(seq, edge);
                }
                if let Some(path) = wb.syscalls.open_sample.take() {
                    wb.open(&path);
                }
            }
            Tab::Memory => {
                let shown = wb.shown();
                let in_call = wb
                    .waiting
                    .as_ref()
                    .filter(|w| w.since.elapsed().as_millis() >= 100)
                    .map(|w| w.call.name);
                wb.memory.ui(ui, shown, in_call);
            }
            Tab::Descriptors => descriptors_panel::ui(wb, ui),
            Tab::Stack => stack_panel::ui(wb, ui),
            Tab::Console => console_panel::ui(wb, ui),
            Tab::Configuration => config_panel::ui(wb, ui),
            Tab::Gopher => gopher_panel::ui(wb, ui),
            Tab::Breakpoints => breakpoints_panel::ui(wb, ui),
            Tab::Lessons => lessons_panel::ui(wb, ui),
            Tab::Branches => branches_panel::ui(wb, ui),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_missing_from_an_old_layout_are_added() {
        let mut tiles = Tiles::default();
        let source = tiles.insert_pane(Tab::Source);
        let root = tiles.insert_tab_tile(vec![source]);
        let mut old = Tree::new(egui::Id::unique("old"), root, tiles);
        add_missing_tabs(&mut old);
        for tab in Tab::ALL {
            assert!(old.tiles.find_pane(&tab).is_some(), "{tab:?} was added");
        }
        let before = serde_json::to_value(&old).unwrap();
        add_missing_tabs(&mut old);
        assert_eq!(serde_json::to_value(&old).unwrap(), before);
    }

    #[test]
    fn the_presentation_layout_shows_source_memory_and_syscalls() {
        let layout = presentation_layout();
        for tab in Tab::ALL {
            assert!(layout.tiles.find_pane(&tab).is_some(), "{tab:?} is there");
        }
        let active: Vec<Tab> = layout
            .active_tiles()
            .into_iter()
            .filter_map(|id| match layout.tiles.get(id) {
                Some(Tile::Pane(tab)) => Some(*tab),
                _ => None,
            })
            .collect();
        assert_eq!(active, vec![Tab::Source, Tab::Memory, Tab::Syscalls]);
    }

    #[test]
    fn the_layout_survives_being_saved_and_restored() {
        let layout = default_layout();
        let saved = serde_json::to_value(&layout).unwrap();
        let restored: Tree<Tab> = serde_json::from_value(saved.clone()).unwrap();
        assert_eq!(serde_json::to_value(&restored).unwrap(), saved);
        for tab in Tab::ALL {
            assert!(
                restored.tiles.find_pane(&tab).is_some(),
                "{tab:?} is in the layout"
            );
        }
    }
}
