//! Keeping the server log bounded whatever clients send: warnings caused
//! by requests are limited in rate (the rest are counted and summed up in
//! one line), and text from clients is shortened before it is logged.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Warnings allowed per window before the rest are only counted.
const BURST: u32 = 20;
/// The window.
const WINDOW: Duration = Duration::from_secs(10);
/// The most bytes of client text a log line shows.
const SHOWN: usize = 120;

/// A rate limit: at most `burst` events per `window`.
pub struct Throttle {
    burst: u32,
    window: Duration,
    state: Mutex<Window>,
}

struct Window {
    start: Option<Instant>,
    allowed: u32,
    suppressed: u64,
}

/// What the throttle says about one event.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Let it through; this many were held back in the window before.
    Allow(u64),
    /// Hold it back.
    Suppress,
}

impl Throttle {
    /// At most `burst` events per `window`.
    pub const fn new(burst: u32, window: Duration) -> Throttle {
        Throttle {
            burst,
            window,
            state: Mutex::new(Window {
                start: None,
                allowed: 0,
                suppressed: 0,
            }),
        }
    }

    /// Counts one event at `now`.
    pub fn check(&self, now: Instant) -> Verdict {
        let mut w = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let expired = w
            .start
            .is_none_or(|start| now.duration_since(start) >= self.window);
        if expired {
            let held = std::mem::take(&mut w.suppressed);
            w.start = Some(now);
            w.allowed = 1;
            return Verdict::Allow(held);
        }
        if w.allowed < self.burst {
            w.allowed += 1;
            return Verdict::Allow(0);
        }
        w.suppressed += 1;
        Verdict::Suppress
    }
}

static WARNINGS: Throttle = Throttle::new(BURST, WINDOW);

/// Logs a warning caused by a request, within the shared rate limit.
pub fn warn(message: fmt::Arguments<'_>) {
    match WARNINGS.check(Instant::now()) {
        Verdict::Allow(0) => tracing::warn!("{message}"),
        Verdict::Allow(held) => {
            tracing::warn!(
                "{held} similar warnings were not logged (more than {BURST} in {WINDOW:?})"
            );
            tracing::warn!("{message}");
        }
        Verdict::Suppress => {}
    }
}

/// Messages said by [`warn_once`]; past this many, it only throttles.
const REMEMBERED: usize = 4096;

/// Logs a warning about the hole's own files (a gophermap line it does not
/// honour) the first time it happens, within the shared rate limit.
pub fn warn_once(message: String) {
    static SAID: Mutex<Option<std::collections::HashSet<String>>> = Mutex::new(None);
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    let said = said.get_or_insert_with(Default::default);
    if said.contains(&message) {
        return;
    }
    if said.len() < REMEMBERED {
        said.insert(message.clone());
    }
    warn(format_args!("{message}"));
}

/// Client text for a log line: at most [`SHOWN`] bytes (cut on a character
/// boundary), with the full length said when it was cut.
pub fn shorten(text: &str) -> String {
    if text.len() <= SHOWN {
        return text.to_string();
    }
    format!(
        "{}… ({} bytes)",
        &text[..text.floor_char_boundary(SHOWN)],
        text.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_pass_then_the_rest_are_counted() {
        let t = Throttle::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(t.check(t0), Verdict::Allow(0));
        assert_eq!(t.check(t0), Verdict::Allow(0));
        assert_eq!(t.check(t0), Verdict::Allow(0));
        for _ in 0..5 {
            assert_eq!(t.check(t0 + Duration::from_secs(1)), Verdict::Suppress);
        }
        assert_eq!(t.check(t0 + Duration::from_secs(10)), Verdict::Allow(5));
        assert_eq!(t.check(t0 + Duration::from_secs(11)), Verdict::Allow(0));
    }

    #[test]
    fn long_client_text_is_cut_on_a_character_boundary() {
        assert_eq!(shorten("/short"), "/short");
        let long = "é".repeat(100);
        let shown = shorten(&long);
        assert!(shown.ends_with("… (200 bytes)"), "{shown}");
        assert!(shown.len() < 140);
    }
}
