//! The panels as dockable tabs: the default arrangement, the presentation
//! arrangement (Source, Memory and Syscalls large, for a projector), and
//! which panel draws each tab. Each panel is given what it renders (the run
//! on show and its view, the document, the configuration) and returns what
//! it asks of the model.

use super::features::{branches, lessons};
use super::panels::{
    breakpoints, config, console, descriptors, disassembly, gopher, memory, source, stack, syscalls,
};
use crate::model::action::Action;
use crate::model::workbench::Workbench;
use egui_tiles::{Container, Linear, LinearDir, Tile, TileId, Tiles, Tree, UiResponse};

pub use crate::model::panel::Panel as Tab;

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
        &[(Vertical, 1, 2, 0.5), (Horizontal, 0, 3, 0.45)],
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

/// Draws tabs from the workbench's model.
pub struct Viewer<'a> {
    /// The model the panels render.
    pub wb: &'a mut Workbench,
    /// Rendering lesson text (kept between frames).
    pub markdown: &'a mut egui_commonmark::CommonMarkCache,
}

impl egui_tiles::Behavior<Tab> for Viewer<'_> {
    fn tab_title_for_pane(&mut self, tab: &Tab) -> egui::WidgetText {
        tab.title().into()
    }

    fn pane_ui(&mut self, ui: &mut egui::Ui, _tile: TileId, tab: &mut Tab) -> UiResponse {
        let actions = egui::Frame::new()
            .inner_margin(6.0)
            .show(ui, |ui| self.show(ui, *tab))
            .inner;
        for action in actions {
            self.wb.apply(action);
        }
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
    fn show(&mut self, ui: &mut egui::Ui, tab: Tab) -> Vec<Action> {
        let Workbench {
            doc,
            config: run_config,
            config_from,
            branches: runs,
            breakpoints: set,
            gopher: browser,
            lessons: lessons_state,
            ..
        } = &mut *self.wb;
        let shown = runs.current_mut();
        let (run, view) = (&shown.run, &mut shown.view);
        match tab {
            Tab::Source => source::ui(ui, doc, run, view, set),
            Tab::Disassembly => disassembly::ui(ui, doc, run, view, set),
            Tab::Syscalls => syscalls::ui(ui, run, view),
            Tab::Memory => memory::ui(ui, run, view),
            Tab::Descriptors => descriptors::ui(ui, run, view),
            Tab::Stack => stack::ui(ui, doc, run, view),
            Tab::Console => console::ui(ui, run, view),
            Tab::Configuration => config::ui(ui, run_config, config_from, run, &doc.name),
            Tab::Gopher => gopher::ui(ui, browser),
            Tab::Breakpoints => breakpoints::ui(ui, doc, run, set),
            Tab::Lessons => lessons::ui(ui, lessons_state, config_from, self.markdown),
            Tab::Branches => branches::ui(ui, runs, doc),
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
