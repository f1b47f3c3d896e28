//! Invocation logs: one record per request a deployed handler answered
//! (time, route, client, duration, how it ended and what that means, its
//! stderr, its calls as `strace -c` counts them), kept per namespace up to
//! a count, each record bounded, and sent to whoever follows them.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use tokio::sync::broadcast;

/// The most stderr one record keeps; the rest is counted.
pub const MAX_STDERR: usize = 4096;

/// One invocation of a deployed handler.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    /// When it was answered (RFC 3339).
    pub time: String,
    /// `namespace/name`.
    pub handler: String,
    /// The version that answered (its hash's first 12 digits).
    pub version: String,
    /// The selector asked for.
    pub selector: String,
    /// The client's address.
    pub client: String,
    /// How long the run took, in milliseconds.
    pub ms: f64,
    /// One word: `ok`, `exit`, `trap`, `timeout`, `fuel`, `output-limit`…
    pub outcome: String,
    /// What that means, in a sentence.
    pub status: String,
    /// What it wrote to stderr (at most [`MAX_STDERR`] bytes).
    pub stderr: String,
    /// Its calls, counted as `strace -c` does.
    pub calls: Vec<CallCount>,
    /// The server that answered (`admin.instance`).
    #[serde(default)]
    pub server: String,
}

/// How often one call was made, how often it failed, and its time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCount {
    /// The call.
    pub name: std::borrow::Cow<'static, str>,
    /// Times made.
    pub calls: u64,
    /// Times failed.
    pub errors: u64,
    /// Time spent in it, in nanoseconds.
    pub ns: u64,
}

impl Invocation {
    /// Its calls as an `strace -c` table.
    pub fn calls_table(&self) -> String {
        wasmhole_runtime::calls::summary::table_of(self.calls.iter().map(|c| {
            (
                c.name.as_ref(),
                wasmhole_runtime::calls::summary::CallTotals {
                    calls: c.calls,
                    errors: c.errors,
                    total_ns: c.ns,
                },
            )
        }))
    }
}

impl Invocation {
    /// Cuts `stderr` to [`MAX_STDERR`] bytes, saying how much was left out.
    pub fn bounded_stderr(stderr: &str) -> String {
        if stderr.len() <= MAX_STDERR {
            return stderr.to_string();
        }
        let cut = stderr.floor_char_boundary(MAX_STDERR);
        format!("{}… ({} more bytes)", &stderr[..cut], stderr.len() - cut)
    }
}

/// The logs of every namespace.
pub struct InvocationLogs {
    kept: Mutex<HashMap<String, VecDeque<Invocation>>>,
    per_namespace: usize,
    live: broadcast::Sender<Invocation>,
}

impl InvocationLogs {
    /// Logs keeping `per_namespace` invocations for each namespace.
    pub fn new(per_namespace: usize) -> InvocationLogs {
        InvocationLogs {
            kept: Mutex::new(HashMap::new()),
            per_namespace: per_namespace.max(1),
            live: broadcast::channel(1024).0,
        }
    }

    /// Keeps one invocation and sends it to followers.
    pub fn record(&self, invocation: Invocation) {
        let namespace = invocation
            .handler
            .split_once('/')
            .map_or("", |(ns, _)| ns)
            .to_string();
        if self.live.receiver_count() > 0 {
            let _ = self.live.send(invocation.clone());
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let queue = kept.entry(namespace).or_default();
        if queue.len() == self.per_namespace {
            queue.pop_front();
        }
        queue.push_back(invocation);
    }

    /// The kept invocations of handler `id` (`namespace/name`), oldest first.
    pub fn of(&self, id: &str) -> Vec<Invocation> {
        let namespace = id.split_once('/').map_or("", |(ns, _)| ns);
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(namespace)
            .map(|q| q.iter().filter(|i| i.handler == id).cloned().collect())
            .unwrap_or_default()
    }

    /// Invocations as they happen (a follower that falls behind by more
    /// than 1,024 hears how many it missed).
    pub fn follow(&self) -> broadcast::Receiver<Invocation> {
        self.live.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invocation(handler: &str, n: usize) -> Invocation {
        Invocation {
            time: n.to_string(),
            handler: handler.into(),
            version: "abc".into(),
            selector: "/~ann/x".into(),
            client: "127.0.0.1".into(),
            ms: 1.0,
            outcome: "ok".into(),
            status: "exited 0".into(),
            stderr: String::new(),
            calls: Vec::new(),
            server: "test".into(),
        }
    }

    #[test]
    fn each_namespace_keeps_its_newest_invocations() {
        let logs = InvocationLogs::new(3);
        let mut live = logs.follow();
        for n in 0..5 {
            logs.record(invocation("ann/x", n));
        }
        logs.record(invocation("bob/y", 9));
        let times: Vec<String> = logs.of("ann/x").into_iter().map(|i| i.time).collect();
        assert_eq!(times, ["2", "3", "4"]);
        assert_eq!(logs.of("bob/y").len(), 1);
        assert_eq!(live.try_recv().unwrap().time, "0");
    }

    #[test]
    fn stderr_is_bounded() {
        let long = "é".repeat(3000);
        let cut = Invocation::bounded_stderr(&long);
        assert!(cut.len() < MAX_STDERR + 40);
        assert!(cut.ends_with("more bytes)"));
    }
}
