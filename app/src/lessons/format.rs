//! The lesson format. A lesson is a folder under `lessons/` (its name, such
//! as `03-first-syscall`, gives its place and id) holding `lesson.md` and
//! `lesson.toml`.
//!
//! `lesson.md` is plain Markdown, readable as it is: its `# ` heading is
//! the title, each `## ` heading starts a step, and a step's fenced
//! ```` ```workbench ```` block lists what the workbench does for it, one
//! action a line:
//!
//! ```text
//! open samples/wasi/hello.wat        a program, from the repository's root
//! open exercise ID                   the learner's copy of an exercise
//! set FIELD VALUE                    a Run configuration field (args, env, dirs, stdin, fuel…)
//! reset config                       the Run configuration back to its defaults
//! grant FOLDER GUEST                 grant the learner's copy of the lesson's FOLDER as GUEST
//! run to entry [CALL]                to the next syscall entry (of CALL)
//! run to exit [CALL]                 to the next syscall exit (of CALL)
//! run to end                         until the guest ends
//! select last CALL                   select the last CALL in Syscalls (its bytes light up in Memory)
//! show PANEL [NOTE]                  bring a panel forward, with a note on what to look at
//! predict on|off                     Predict, then step
//! ```
//!
//! `lesson.toml` lists the exercises (see [`Exercise`]).

use crate::model::panel::Panel;
use crate::model::run_config::RunConfig;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a `run to` action stops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Goal {
    /// At the entry of the next syscall (of this name, if given).
    Entry(Option<String>),
    /// At the exit of the next syscall (of this name, if given).
    Exit(Option<String>),
    /// When the guest ends.
    End,
}

/// One thing the workbench does for a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open a program, by its path from the repository's root.
    Open(PathBuf),
    /// Open the learner's copy of an exercise.
    OpenExercise(String),
    /// Set a Run configuration field (`env` and `dirs` gain a line).
    Set {
        /// The field's name, as in [`RunConfig`].
        field: String,
        /// Its value.
        value: String,
    },
    /// The Run configuration back to its defaults.
    ResetConfig,
    /// Grant the learner's copy of one of the lesson's folders.
    Grant {
        /// The folder, relative to the lesson's.
        folder: PathBuf,
        /// The name the guest sees it under.
        guest: String,
    },
    /// Run the guest until the goal.
    RunTo(Goal),
    /// Select the last record of this call in the Syscalls panel.
    SelectLast(String),
    /// Bring a panel forward, with what to look at.
    Show {
        /// The panel.
        panel: Panel,
        /// What to look at there.
        note: String,
    },
    /// Turn Predict, then step on or off.
    Predict(bool),
}

/// The Run configuration fields a `set` action may name.
pub const FIELDS: &[&str] = &[
    "abi",
    "args",
    "env",
    "dirs",
    "policy",
    "allow_net",
    "fuel",
    "max_memory",
    "timeout",
    "max_output",
    "stdin",
];

impl Action {
    /// Reads one action line.
    pub fn parse(line: &str) -> Result<Action, String> {
        let line = line.trim();
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        let call = |s: &str| (!s.is_empty()).then(|| s.to_string());
        match verb {
            "open" => match rest.strip_prefix("exercise ") {
                Some(id) => Ok(Action::OpenExercise(id.trim().to_string())),
                None if !rest.is_empty() => Ok(Action::Open(PathBuf::from(rest))),
                None => Err("`open` needs a path".into()),
            },
            "set" => {
                let (field, value) = rest.split_once(' ').unwrap_or((rest, ""));
                if !FIELDS.contains(&field) {
                    return Err(format!(
                        "`set {field}`: the Run configuration has no such field (it has {})",
                        FIELDS.join(", ")
                    ));
                }
                Ok(Action::Set {
                    field: field.to_string(),
                    value: value.trim().replace("\\n", "\n"),
                })
            }
            "reset" if rest == "config" => Ok(Action::ResetConfig),
            "grant" => match rest.split_once(' ') {
                Some((folder, guest)) => Ok(Action::Grant {
                    folder: PathBuf::from(folder),
                    guest: guest.trim().to_string(),
                }),
                None => Err("`grant` needs a folder and the name the guest sees".into()),
            },
            "run" => {
                let goal = rest
                    .strip_prefix("to ")
                    .ok_or("`run` is followed by `to`")?
                    .trim();
                let (what, name) = goal.split_once(' ').unwrap_or((goal, ""));
                match what {
                    "entry" => Ok(Action::RunTo(Goal::Entry(call(name.trim())))),
                    "exit" => Ok(Action::RunTo(Goal::Exit(call(name.trim())))),
                    "end" => Ok(Action::RunTo(Goal::End)),
                    _ => Err(format!("`run to {goal}`: say entry, exit or end")),
                }
            }
            "select" => match rest.strip_prefix("last ") {
                Some(name) => Ok(Action::SelectLast(name.trim().to_string())),
                None => Err("`select` is followed by `last CALL`".into()),
            },
            "show" => {
                let (panel, note) = split_panel(rest)?;
                Ok(Action::Show {
                    panel,
                    note: note.to_string(),
                })
            }
            "predict" => match rest {
                "on" => Ok(Action::Predict(true)),
                "off" => Ok(Action::Predict(false)),
                _ => Err("`predict` is followed by on or off".into()),
            },
            _ => Err(format!("unknown action `{line}`")),
        }
    }
}

/// A panel's title at the start of `text` (titles may have spaces), and the rest.
fn split_panel(text: &str) -> Result<(Panel, &str), String> {
    Panel::ALL
        .iter()
        .filter(|t| text.starts_with(t.title()))
        .max_by_key(|t| t.title().len())
        .map(|t| (*t, text[t.title().len()..].trim()))
        .ok_or_else(|| {
            let names: Vec<_> = Panel::ALL.iter().map(|t| t.title()).collect();
            format!(
                "`show {text}`: no such panel (there are {})",
                names.join(", ")
            )
        })
}

/// One step of a lesson.
#[derive(Clone, Debug)]
pub struct Step {
    /// Its heading.
    pub title: String,
    /// Its text (Markdown), without the action block.
    pub text: String,
    /// What the workbench does for it.
    pub actions: Vec<Action>,
}

/// How the learner's file is used by an exercise's check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// It is the guest (`.wat`, `.wasm`).
    Program,
    /// It is a Run configuration (`.toml`) for the exercise's program.
    Config,
    /// It is a policy file (`.policy`) for the exercise's program.
    Policy,
}

/// A Gopher request to answer: the learner's handler is run as gopherd
/// would run it for this request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GopherRequest {
    /// The route's selector prefix.
    pub route: String,
    /// The request's selector.
    pub selector: String,
    /// The search query, for a type-7 request.
    pub query: Option<String>,
    /// The route's type: `menu`, `text` or `binary`.
    #[serde(default = "menu")]
    pub r#type: String,
}

fn menu() -> String {
    "menu".into()
}

/// An exercise as `lesson.toml` describes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Unique among all lessons.
    pub id: String,
    /// A few words.
    pub title: String,
    /// What to do, in a paragraph.
    pub task: String,
    /// The starter file, relative to the lesson's folder.
    pub starter: PathBuf,
    /// The program the learner's configuration or policy is for, from the
    /// repository's root (only when the learner's file is not the program).
    pub program: Option<PathBuf>,
    /// Folders of the lesson copied beside the learner's file (for grants).
    #[serde(default)]
    pub data: Vec<PathBuf>,
    /// How the program is run (HOST paths of `dirs` are relative to the
    /// lesson's folder).
    #[serde(default)]
    pub run: RunConfig,
    /// Run it as a gopherd handler answering this request instead.
    pub gopher: Option<GopherRequest>,
    /// What the check expects.
    pub expect: Expect,
}

impl Exercise {
    /// How the learner's file is used.
    pub fn role(&self) -> Role {
        match self.starter.extension().and_then(|e| e.to_str()) {
            Some("toml") => Role::Config,
            Some("policy") => Role::Policy,
            _ => Role::Program,
        }
    }

    /// The starter's file name, which the learner's copy keeps.
    pub fn file_name(&self) -> String {
        self.starter
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFile {
    #[serde(default, rename = "exercise")]
    exercises: Vec<Exercise>,
}

/// A lesson.
#[derive(Clone, Debug)]
pub struct Lesson {
    /// Its id: the folder's name without its number (`first-syscall`).
    pub id: String,
    /// Its place in the order.
    pub number: u32,
    /// Its title.
    pub title: String,
    /// Its folder.
    pub dir: PathBuf,
    /// Its steps, in order.
    pub steps: Vec<Step>,
    /// Its exercises.
    pub exercises: Vec<Exercise>,
}

impl Lesson {
    /// Reads the lesson in `dir`.
    pub fn load(dir: &Path) -> Result<Lesson, String> {
        let folder = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (number, id) = folder
            .split_once('-')
            .and_then(|(n, id)| Some((n.parse::<u32>().ok()?, id.to_string())))
            .ok_or_else(|| format!("lesson folder `{folder}` is not named NN-id"))?;
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let markdown = read("lesson.md")?;
        let (title, steps) = parse_markdown(&markdown)
            .map_err(|e| format!("{}: {e}", dir.join("lesson.md").display()))?;
        let file: LessonFile = toml::from_str(&read("lesson.toml")?)
            .map_err(|e| format!("{}: {e}", dir.join("lesson.toml").display()))?;
        Ok(Lesson {
            id,
            number,
            title,
            dir: dir.to_path_buf(),
            steps,
            exercises: file.exercises,
        })
    }

    /// An exercise by id.
    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }
}

/// Splits lesson Markdown into its title and steps. Text before the first
/// `## ` heading is a first step named "Introduction".
pub fn parse_markdown(text: &str) -> Result<(String, Vec<Step>), String> {
    let mut title = None;
    let mut steps: Vec<Step> = Vec::new();
    let mut current = Step {
        title: "Introduction".into(),
        text: String::new(),
        actions: Vec::new(),
    };
    let mut fence: Option<(String, bool)> = None;
    for (n, line) in text.lines().enumerate() {
        if let Some((marker, is_actions)) = &fence {
            if line.trim_start().starts_with(marker.as_str()) {
                if !is_actions {
                    current.text.push_str(line);
                    current.text.push('\n');
                }
                fence = None;
            } else if *is_actions {
                if !line.trim().is_empty() {
                    let action = Action::parse(line).map_err(|e| format!("line {}: {e}", n + 1))?;
                    current.actions.push(action);
                }
            } else {
                current.text.push_str(line);
                current.text.push('\n');
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let marker: String = trimmed
                .chars()
                .take_while(|c| *c == '`' || *c == '~')
                .collect();
            let info = trimmed[marker.len()..].trim();
            let is_actions = info == "workbench";
            if !is_actions {
                current.text.push_str(line);
                current.text.push('\n');
            }
            fence = Some((marker, is_actions));
            continue;
        }
        if let Some(h) = line.strip_prefix("# ") {
            if title.is_some() {
                return Err(format!("line {}: a second title", n + 1));
            }
            let h = h.trim();
            // "3. A guest's first syscall" is titled without its number.
            let h = match h.split_once(". ") {
                Some((num, rest)) if num.chars().all(|c| c.is_ascii_digit()) => rest,
                _ => h,
            };
            title = Some(h.to_string());
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            if !current.text.trim().is_empty() || !current.actions.is_empty() {
                steps.push(current);
            }
            current = Step {
                title: h.trim().to_string(),
                text: String::new(),
                actions: Vec::new(),
            };
            continue;
        }
        current.text.push_str(line);
        current.text.push('\n');
    }
    if fence.is_some() {
        return Err("a fenced block is not closed".into());
    }
    if !current.text.trim().is_empty() || !current.actions.is_empty() {
        steps.push(current);
    }
    let title = title.ok_or("no `# ` title")?;
    if steps.is_empty() {
        return Err("no steps".into());
    }
    for s in &mut steps {
        s.text = s.text.trim().to_string();
    }
    Ok((title, steps))
}

/// An argument's expected value: a number (compared with the raw value) or
/// text (compared with the decoded value: a string's text, a flag or enum
/// name, what a descriptor refers to).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum ArgExpect {
    /// The raw value (as a signed 32- or 64-bit number).
    Number(i64),
    /// The decoded value.
    Text(String),
}

/// One call the guest must make, in order after the previous one.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallExpect {
    /// The call's name.
    pub name: String,
    /// Arguments that must have these values.
    #[serde(default)]
    pub args: BTreeMap<String, ArgExpect>,
    /// The raw result it must return.
    pub result: Option<i64>,
    /// The error it must return.
    pub error: Option<String>,
    /// Whether it must succeed (`true`) or fail (`false`).
    pub ok: Option<bool>,
    /// Advice added to the message when this expectation is not met.
    pub hint: Option<String>,
}

/// Bytes memory must hold at exit.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryExpect {
    /// The address.
    pub at: u32,
    /// The bytes, as text.
    pub text: Option<String>,
    /// The bytes, as hex pairs (`19 00 00 00`).
    pub hex: Option<String>,
    /// A little-endian u32.
    pub u32: Option<u32>,
    /// Advice added to the message when it does not hold.
    pub hint: Option<String>,
}

/// What an exercise's check expects.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The exit status.
    pub exit: Option<i32>,
    /// How the run must be stopped instead: `trap`, `timeout`, `fuel`,
    /// `killed` or `output-limit`.
    pub failure: Option<String>,
    /// Standard output, exactly.
    pub stdout: Option<String>,
    /// Text standard output must contain.
    #[serde(default)]
    pub stdout_contains: Vec<String>,
    /// Text standard error must contain.
    #[serde(default)]
    pub stderr_contains: Vec<String>,
    /// Calls the guest must make, in this order (others may come between).
    #[serde(default)]
    pub calls: Vec<CallExpect>,
    /// How many times the guest must make a call, by name.
    #[serde(default)]
    pub times: BTreeMap<String, usize>,
    /// How many times at most the guest may make a call, by name.
    #[serde(default)]
    pub at_most: BTreeMap<String, usize>,
    /// Exactly the descriptors open when the guest ends.
    pub open_at_exit: Option<Vec<u32>>,
    /// Bytes in memory when the guest ends.
    #[serde(default)]
    pub memory: Vec<MemoryExpect>,
    /// Advice added when the exit status or failure is not the one expected.
    pub exit_hint: Option<String>,
    /// Advice added when standard output is not what was expected.
    pub stdout_hint: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_splits_into_steps_with_actions() {
        let text = "# 3. First call\n\nIntro text.\n\n## Watch\n\nRun it:\n\n```console\n$ wasmhole run x\n```\n\n```workbench\nopen samples/wasi/hello.wat\nrun to exit fd_write\nshow Memory the orange bytes\n```\n\n## Try\n\nMore.\n";
        let (title, steps) = parse_markdown(text).unwrap();
        assert_eq!(title, "First call");
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].title, "Introduction");
        assert_eq!(steps[1].title, "Watch");
        assert!(steps[1].text.contains("```console\n$ wasmhole run x\n```"));
        assert!(!steps[1].text.contains("workbench"));
        assert_eq!(
            steps[1].actions,
            vec![
                Action::Open("samples/wasi/hello.wat".into()),
                Action::RunTo(Goal::Exit(Some("fd_write".into()))),
                Action::Show {
                    panel: Panel::Memory,
                    note: "the orange bytes".into()
                },
            ]
        );
    }

    #[test]
    fn actions_are_checked_as_they_are_read() {
        assert_eq!(
            Action::parse("show Run configuration").unwrap(),
            Action::Show {
                panel: Panel::Configuration,
                note: String::new()
            }
        );
        assert_eq!(
            Action::parse("set stdin one\\ntwo").unwrap(),
            Action::Set {
                field: "stdin".into(),
                value: "one\ntwo".into()
            }
        );
        assert!(
            Action::parse("set colour red")
                .unwrap_err()
                .contains("no such field")
        );
        assert!(
            Action::parse("show Nowhere")
                .unwrap_err()
                .contains("no such panel")
        );
        assert!(Action::parse("run to lunch").is_err());
        assert!(
            parse_markdown("# T\n\n## S\n\n```workbench\nfly away\n```\n")
                .unwrap_err()
                .contains("line 6: unknown action")
        );
    }
}
