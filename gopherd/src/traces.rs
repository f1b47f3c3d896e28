//! The trace folder: one JSON-lines syscall trace per handler request,
//! named `<ms>-<seq>-<route>.jsonl`, kept outside the served root (a trace
//! holds the client's address and query, so it must never be published),
//! and capped: beyond `max_traces` files the oldest are deleted.

use anyhow::{Context, bail};
use std::collections::VecDeque;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use wasmhole_runtime::calls::sink::RecordSink;
use wasmhole_runtime::calls::trace::JsonLinesSink;

/// The folder traces are written to.
pub struct TraceDir {
    dir: PathBuf,
    max: usize,
    seq: AtomicU64,
    /// Trace files present, oldest first.
    kept: Mutex<VecDeque<PathBuf>>,
}

/// Whether `name` is a trace file gopherd writes (`<digits>-<digits>-….jsonl`).
fn is_trace_name(name: &str) -> bool {
    let mut parts = name.splitn(3, '-');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    name.ends_with(".jsonl") && digits(parts.next()) && digits(parts.next())
}

/// Where `dir` is or would be once created: its nearest existing ancestor
/// with links resolved, then the rest of its path.
fn resolved(dir: &Path) -> PathBuf {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut rest = Vec::new();
    let mut existing = absolute.as_path();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut path = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for part in rest.iter().rev() {
        if part == ".." {
            path.pop();
        } else if part != "." {
            path.push(part);
        }
    }
    path
}

/// Fails when `real` (where `dir` is) lies inside the served `root`.
fn refuse_inside_root(dir: &Path, real: &Path, root: Option<&Path>) -> anyhow::Result<()> {
    if let Some(root) = root
        && let Ok(real_root) = root.canonicalize()
        && real.starts_with(&real_root)
    {
        bail!(
            "the trace folder {} is inside the served root {}: traces hold clients' addresses and queries, so keep them outside it",
            dir.display(),
            root.display()
        );
    }
    Ok(())
}

impl TraceDir {
    /// Creates (if needed) and opens `dir`, refusing a folder inside the
    /// served `root` before making anything. Trace files already there
    /// count towards `max`.
    pub fn open(dir: &Path, root: Option<&Path>, max: usize) -> anyhow::Result<TraceDir> {
        if max == 0 {
            bail!("`max_traces` must be at least 1");
        }
        refuse_inside_root(dir, &resolved(dir), root)?;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the trace folder {}", dir.display()))?;
        let real = dir
            .canonicalize()
            .with_context(|| format!("cannot open the trace folder {}", dir.display()))?;
        refuse_inside_root(dir, &real, root)?;
        let mut existing: Vec<(String, PathBuf)> = std::fs::read_dir(&real)
            .with_context(|| format!("cannot list the trace folder {}", dir.display()))?
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                is_trace_name(&name).then(|| (name, e.path()))
            })
            .collect();
        existing.sort_by_key(|(name, _)| {
            let mut parts = name.splitn(3, '-');
            let ms: u128 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            let seq: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            (ms, seq)
        });
        let trace_dir = TraceDir {
            dir: dir.to_path_buf(),
            max,
            seq: AtomicU64::new(0),
            kept: Mutex::new(existing.into_iter().map(|(_, p)| p).collect()),
        };
        trace_dir.trim(0);
        Ok(trace_dir)
    }

    /// Deletes the oldest traces until at most `max - room` are left.
    fn trim(&self, room: usize) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        while kept.len() + room > self.max {
            let Some(oldest) = kept.pop_front() else {
                break;
            };
            if let Err(e) = std::fs::remove_file(&oldest)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!("cannot delete the old trace {}: {e}", oldest.display());
            }
        }
    }

    /// A new trace file for a request to `route`, and the sink writing it.
    pub fn create(&self, route: &str) -> Option<(PathBuf, Box<dyn RecordSink>)> {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let slug: String = route
            .trim_matches('/')
            .chars()
            .take(64)
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let path = self.dir.join(format!("{millis}-{seq:06}-{slug}.jsonl"));
        self.trim(1);
        match std::fs::File::create(&path) {
            Ok(f) => {
                self.kept
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_back(path.clone());
                Some((path, Box::new(JsonLinesSink::new(BufWriter::new(f)))))
            }
            Err(e) => {
                crate::throttle::warn(format_args!(
                    "cannot create trace file {}: {e}",
                    path.display()
                ));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_names_are_recognised() {
        assert!(is_trace_name("1700000000000-000001-wasi_fortune.jsonl"));
        assert!(is_trace_name("1-2-.jsonl"));
        assert!(!is_trace_name("notes.jsonl"));
        assert!(!is_trace_name("1-x-y.jsonl"));
        assert!(!is_trace_name("1-2-y.json"));
    }

    #[test]
    fn a_folder_inside_the_root_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let err = TraceDir::open(&root.path().join("traces"), Some(root.path()), 10)
            .err()
            .unwrap();
        assert!(
            format!("{err}").contains("is inside the served root"),
            "{err}"
        );
        assert!(
            !root.path().join("traces").exists(),
            "a refused folder is not made"
        );
        let deeper = root.path().join("a/../b/traces");
        assert!(TraceDir::open(&deeper, Some(root.path()), 10).is_err());
        assert!(!root.path().join("a").exists() && !root.path().join("b").exists());
        assert!(TraceDir::open(root.path(), Some(root.path()), 10).is_err());
        let elsewhere = tempfile::tempdir().unwrap();
        assert!(TraceDir::open(elsewhere.path(), Some(root.path()), 10).is_ok());
    }

    #[test]
    fn only_the_newest_traces_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("5-000001-old.jsonl"), "").unwrap();
        std::fs::write(dir.path().join("4-000009-older.jsonl"), "").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let traces = TraceDir::open(dir.path(), None, 3).unwrap();
        let mut made = Vec::new();
        for _ in 0..4 {
            made.push(traces.create("/r").unwrap().0);
        }
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left.len(), 4, "{left:?}");
        assert!(left.contains(&"notes.txt".to_string()), "other files stay");
        for path in &made[1..] {
            assert!(path.exists(), "{}", path.display());
        }
        assert!(!made[0].exists() && !dir.path().join("5-000001-old.jsonl").exists());
    }
}
