//! The layers of the code, kept by reading the sources (the rules are
//! written in ARCHITECTURE.md):
//!
//! - the runtime's folders are layers, each importing only the layers below
//!   it: module < sandbox < abis < calls < replay < execution < debug <
//!   fuzzing;
//! - gopherd's files (and folders, each one capability) follow the request
//!   path, each importing only the files below it: config, request, router, gophermap, admission, throttle,
//!   workers < framing, traces, access log, gph, caps < static files,
//!   handler, gopher_plus < reload, deploy < service < send, open files,
//!   admin, http < connection < server < fuzzing;
//! - the app's model and what the headless commands share with it (`model`,
//!   `lessons`, `gopher`, `cli`) import nothing that draws (egui and its
//!   companions) and nothing of the window (`crate::workbench`);
//! - in every crate, no two files import each other round a circle, but for
//!   a folder's `mod.rs` and its own files, which are one module.
//!
//! Code under `#[cfg(test)]` is not counted: a test may build what it
//! checks from any layer. A failure names the file and line of each import
//! that breaks a rule.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Crates that draw: only the window may use them.
const DRAWING: [&str; 6] = [
    "egui",
    "eframe",
    "egui_extras",
    "egui_tiles",
    "egui_commonmark",
    "egui_kittest",
];

/// The runtime's layers, lowest first.
const RUNTIME: [&str; 8] = [
    "module",
    "sandbox",
    "abis",
    "calls",
    "replay",
    "execution",
    "debug",
    "fuzzing",
];

/// gopherd's files by layer, lowest first.
const GOPHERD: [&[&str]; 9] = [
    &[
        "config",
        "request",
        "router",
        "gophermap",
        "admission",
        "throttle",
        "workers",
    ],
    &["framing", "traces", "access_log", "gph", "caps"],
    &["static_files", "handler", "gopher_plus"],
    &["reload", "deploy"],
    &["service"],
    &["send", "open_files", "admin", "http"],
    &["connection"],
    &["server"],
    &["fuzzing"],
];

/// One source file: its module path (`["abis", "wasi", "fd"]`) and the code
/// outside its tests, line by line.
struct Source {
    file: String,
    module: Vec<String>,
    is_mod_rs: bool,
    lines: Vec<String>,
}

/// Where a file imports a module of its crate.
#[derive(Clone, Debug)]
struct Import {
    line: usize,
    text: String,
    target: Vec<String>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate's source files, read.
fn sources(krate: &str) -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&root).unwrap();
            let mut module: Vec<String> = rel
                .with_extension("")
                .iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect();
            let is_mod_rs = module.last().is_some_and(|m| m == "mod");
            if is_mod_rs || module == ["lib"] {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let lines = text
                .lines()
                .take_while(|l| l.trim() != "#[cfg(test)]")
                .map(str::to_string)
                .collect();
            Source {
                file: format!("{krate}/src/{}", rel.display()),
                module,
                is_mod_rs,
                lines,
            }
        })
        .collect()
}

/// The paths a `use` tree names: `a::{b, c::{d, e}}` is `a::b`, `a::c::d`,
/// `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or(tree).trim().to_string()];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(expand)
        .map(|p| {
            if p == "self" {
                prefix.to_string()
            } else {
                format!("{prefix}::{p}")
            }
        })
        .collect()
}

/// A path written in `source` (`crate::a::b`, `super::c`, `self::d`) as an
/// absolute module path, if it names something of the crate.
fn absolute(source: &Source, path: &str) -> Option<Vec<String>> {
    let mut segments = path.split("::").map(str::trim);
    let first = segments.next()?;
    let mut at: Vec<String> = match first {
        "crate" => Vec::new(),
        "self" => source.module.clone(),
        "super" => {
            let mut m = source.module.clone();
            m.pop()?;
            m
        }
        _ => return None,
    };
    for s in segments {
        if s == "super" {
            at.pop()?;
        } else if !s.is_empty() && s != "*" {
            at.push(s.to_string());
        }
    }
    Some(at)
}

/// Every place `source` imports a module of its crate, with the module
/// named (the longest known module the path starts with).
fn imports(source: &Source, modules: &BTreeSet<Vec<String>>) -> Vec<Import> {
    let mut found = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    let inline = |line: &str| -> Vec<String> {
        let mut paths = Vec::new();
        for start in ["crate::", "super::", "self::"] {
            let mut rest = line;
            while let Some(i) = rest.find(start) {
                let before = rest[..i].chars().next_back();
                let tail = &rest[i..];
                let end = tail
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(tail.len());
                if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
                    paths.push(tail[..end].trim_end_matches(':').to_string());
                }
                rest = &tail[end.max(1)..];
            }
        }
        paths
    };
    for (i, raw) in source.lines.iter().enumerate() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let text = match pending.take() {
            Some((first, mut text)) => {
                text.push(' ');
                text.push_str(line);
                if !line.contains(';') {
                    pending = Some((first, text));
                    continue;
                }
                (first, text)
            }
            None => {
                let stmt = line
                    .trim_start_matches("pub(crate) ")
                    .trim_start_matches("pub(super) ")
                    .trim_start_matches("pub ");
                if let Some(tree) = stmt.strip_prefix("use ") {
                    if !tree.contains(';') {
                        pending = Some((i, tree.to_string()));
                        continue;
                    }
                    (i, tree.to_string())
                } else {
                    for path in inline(line) {
                        if let Some(target) = absolute(source, &path) {
                            found.push(Import {
                                line: i + 1,
                                text: raw.trim().to_string(),
                                target,
                            });
                        }
                    }
                    continue;
                }
            }
        };
        let (first, tree) = text;
        for path in expand(tree.trim_end_matches(';')) {
            if let Some(target) = absolute(source, &path) {
                found.push(Import {
                    line: first + 1,
                    text: source.lines[first].trim().to_string(),
                    target,
                });
            }
        }
    }
    for import in &mut found {
        while !import.target.is_empty() && !modules.contains(&import.target) {
            import.target.pop();
        }
    }
    found.retain(|i| i.target != source.module && modules.contains(&i.target));
    found
}

/// A crate's files and who imports whom.
struct Graph {
    sources: Vec<Source>,
    imports: Vec<Vec<Import>>,
}

impl Graph {
    fn of(krate: &str) -> Graph {
        let sources = sources(krate);
        let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
        let imports = sources.iter().map(|s| imports(s, &modules)).collect();
        Graph { sources, imports }
    }

    /// Imports that run up: `rank` gives a module's layer (`None`: not in
    /// any, such as the crate root).
    fn upward(&self, rank: impl Fn(&[String]) -> Option<usize>) -> Vec<String> {
        let mut found = Vec::new();
        for (source, imports) in self.sources.iter().zip(&self.imports) {
            let Some(own) = rank(&source.module) else {
                continue;
            };
            for import in imports {
                if rank(&import.target).is_some_and(|theirs| theirs > own) {
                    found.push(format!(
                        "{}:{}: imports `{}`, a layer above: {}",
                        source.file,
                        import.line,
                        import.target.join("::"),
                        import.text
                    ));
                }
            }
        }
        found
    }

    /// Circles of imports between files, each said with the imports that
    /// make it (a folder's `mod.rs` and its own files are one module).
    fn circles(&self) -> Vec<String> {
        let index: BTreeMap<&[String], usize> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.module.as_slice(), i))
            .collect();
        let one_module = |a: &Source, b: &Source| {
            let child_of = |child: &Source, parent: &Source| {
                parent.is_mod_rs
                    && child.module.len() == parent.module.len() + 1
                    && child.module.starts_with(&parent.module)
            };
            child_of(a, b) || child_of(b, a)
        };
        let n = self.sources.len();
        let mut edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for (i, imports) in self.imports.iter().enumerate() {
            for import in imports {
                if let Some(&j) = index.get(import.target.as_slice())
                    && i != j
                    && !one_module(&self.sources[i], &self.sources[j])
                {
                    edges[i].insert(j);
                }
            }
        }
        // Files that reach each other, by their reach.
        let reach = |from: usize| {
            let mut seen = BTreeSet::from([from]);
            let mut todo = vec![from];
            while let Some(x) = todo.pop() {
                for &y in &edges[x] {
                    if seen.insert(y) {
                        todo.push(y);
                    }
                }
            }
            seen
        };
        let reached: Vec<BTreeSet<usize>> = (0..n).map(reach).collect();
        let mut done = BTreeSet::new();
        let mut found = Vec::new();
        for i in 0..n {
            if done.contains(&i) {
                continue;
            }
            let circle: Vec<usize> = (0..n)
                .filter(|&j| j != i && reached[i].contains(&j) && reached[j].contains(&i))
                .chain([i])
                .collect();
            done.extend(circle.iter().copied());
            if circle.len() < 2 {
                continue;
            }
            let members: BTreeSet<usize> = circle.iter().copied().collect();
            let mut lines = vec![format!("a circle of {} files:", members.len())];
            for &a in &members {
                for import in &self.imports[a] {
                    if let Some(&b) = index.get(import.target.as_slice())
                        && members.contains(&b)
                        && edges[a].contains(&b)
                    {
                        lines.push(format!(
                            "  {}:{}: {}",
                            self.sources[a].file, import.line, import.text
                        ));
                    }
                }
            }
            found.push(lines.join("\n"));
        }
        found
    }
}

fn runtime_rank(module: &[String]) -> Option<usize> {
    RUNTIME
        .iter()
        .position(|l| module.first() == Some(&l.to_string()))
}

fn gopherd_rank(module: &[String]) -> Option<usize> {
    let name = module.first()?;
    GOPHERD
        .iter()
        .position(|layer| layer.contains(&name.as_str()))
}

fn say(found: &[String]) -> String {
    found.join("\n")
}

#[test]
fn the_runtime_imports_only_down_its_layers_and_in_no_circle() {
    let graph = Graph::of("runtime");
    for s in &graph.sources {
        assert!(
            s.module.is_empty() || runtime_rank(&s.module).is_some(),
            "{} is in no layer: put it in one of {RUNTIME:?}",
            s.file
        );
    }
    let upward = graph.upward(runtime_rank);
    assert!(upward.is_empty(), "{}", say(&upward));
    let circles = graph.circles();
    assert!(circles.is_empty(), "{}", say(&circles));
}

#[test]
fn gopherd_reads_one_way_along_the_request_path() {
    let graph = Graph::of("gopherd");
    for s in &graph.sources {
        // A folder (a capability such as `deploy/`) is one layer entry.
        assert!(
            s.module.is_empty() || s.module == ["main"] || gopherd_rank(&s.module).is_some(),
            "{} is in no layer",
            s.file
        );
    }
    let upward = graph.upward(gopherd_rank);
    assert!(upward.is_empty(), "{}", say(&upward));
    let circles = graph.circles();
    assert!(circles.is_empty(), "{}", say(&circles));
}

#[test]
fn the_model_and_the_headless_code_know_nothing_of_the_window() {
    let graph = Graph::of("app");
    let mut found = Vec::new();
    for (source, imports) in graph.sources.iter().zip(&graph.imports) {
        let headless = matches!(
            source.module.first().map(String::as_str),
            Some("model" | "lessons" | "gopher" | "cli")
        );
        if !headless {
            continue;
        }
        for import in imports {
            if import.target.first().is_some_and(|m| m == "workbench") {
                found.push(format!(
                    "{}:{}: imports the window: {}",
                    source.file, import.line, import.text
                ));
            }
        }
        for (i, line) in source.lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in DRAWING {
                let draws = code.match_indices(name).any(|(at, _)| {
                    let before = code[..at].chars().next_back();
                    let after = &code[at + name.len()..];
                    before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                        && (after.starts_with("::") || after.starts_with(';'))
                });
                if draws {
                    found.push(format!(
                        "{}:{}: uses `{name}`, which draws: {}",
                        source.file,
                        i + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", say(&found));
    let circles = graph.circles();
    assert!(circles.is_empty(), "{}", say(&circles));
}

#[test]
fn an_upward_import_and_a_circle_are_found_with_their_lines() {
    let source = |module: &[&str], text: &str| Source {
        file: format!("x/src/{}.rs", module.join("/")),
        module: module.iter().map(|m| m.to_string()).collect(),
        is_mod_rs: false,
        lines: text.lines().map(str::to_string).collect(),
    };
    let sources = vec![
        source(
            &["sandbox", "process"],
            "//! A process.\nuse std::path::Path;\nuse crate::abis::{wasi::setup, call::Fatal};\n",
        ),
        source(
            &["abis", "wasi"],
            "use super::call::{\n    Fatal,\n};\nfn f() { crate::sandbox::process::Process::new(); }\n",
        ),
        source(&["abis", "call"], "// crate::abis::wasi in a comment\n"),
    ];
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let imports: Vec<Vec<Import>> = sources.iter().map(|s| imports(s, &modules)).collect();
    let graph = Graph { sources, imports };
    assert_eq!(
        graph.upward(runtime_rank),
        vec![
            "x/src/sandbox/process.rs:3: imports `abis::wasi`, a layer above: use crate::abis::{wasi::setup, call::Fatal};",
            "x/src/sandbox/process.rs:3: imports `abis::call`, a layer above: use crate::abis::{wasi::setup, call::Fatal};",
        ]
    );
    assert_eq!(
        graph.circles(),
        vec![
            "a circle of 2 files:\n  x/src/sandbox/process.rs:3: use crate::abis::{wasi::setup, call::Fatal};\n  x/src/abis/wasi.rs:4: fn f() { crate::sandbox::process::Process::new(); }"
        ]
    );
}
