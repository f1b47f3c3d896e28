//! The Gopher browser's model: the address being typed, the page shown,
//! back and forward history, the fetch in flight (on its own thread,
//! polled each frame and never waited on), the search query being asked
//! for, and the gopherhole served in-process.

use crate::gopher::fetch;
use crate::gopher::menu::{self, Item, Presentation};
use crate::gopher::{Fetched, GopherUrl, Gopherhole, Served};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

/// What a page holds, read according to its item type.
#[derive(Clone, Debug)]
pub enum Content {
    /// A menu (or search results).
    Menu(Vec<Item>),
    /// A text document, by lines.
    Text(Vec<String>),
    /// Bytes to save.
    Binary(Vec<u8>),
    /// The fetch failed.
    Failed(String),
}

/// One fetched page.
#[derive(Clone, Debug)]
pub struct Page {
    /// Its address.
    pub url: GopherUrl,
    /// What it holds.
    pub content: Content,
    /// How an in-process gopherhole answered (route, outcome, handler).
    pub served: Option<Served>,
    /// Bytes received.
    pub size: usize,
    /// How long the fetch took.
    pub elapsed: Duration,
}

/// A search item waiting for its query.
#[derive(Clone, Debug)]
pub struct SearchPrompt {
    /// The search's address.
    pub url: GopherUrl,
    /// Its display text.
    pub display: String,
    /// The query being typed.
    pub query: String,
}

struct Pending {
    url: GopherUrl,
    started: Instant,
    result: Receiver<Result<Fetched, String>>,
}

/// The browser.
#[derive(Default)]
pub struct Browser {
    /// The address field's text.
    pub address: String,
    /// The page shown.
    pub page: Option<Page>,
    /// Where Back leads, most recent last.
    pub back: Vec<GopherUrl>,
    /// Where Forward leads, most recent last.
    pub forward: Vec<GopherUrl>,
    /// A search asking for its query.
    pub search: Option<SearchPrompt>,
    /// The gopherhole answered in-process, if one was opened.
    pub gopherhole: Option<Gopherhole>,
    /// A problem with what was typed or opened.
    pub message: Option<String>,
    pending: Option<Pending>,
}

impl Browser {
    /// Goes to `url`, remembering the current page for Back.
    pub fn navigate(&mut self, url: GopherUrl) {
        if let Some(page) = &self.page
            && page.url != url
        {
            self.back.push(page.url.clone());
        }
        self.forward.clear();
        self.fetch(url);
    }

    /// Goes to the address typed in the address field.
    pub fn go_to_address(&mut self) {
        match GopherUrl::parse(&self.address) {
            Ok(url) => self.navigate(url),
            Err(e) => self.message = Some(format!("{}: {e}", self.address.trim())),
        }
    }

    /// Follows a menu item: searches ask for a query first, web links are
    /// left to the caller, everything else is fetched.
    pub fn follow(&mut self, item: &Item) {
        let Some(url) = item.url() else { return };
        if menu::presentation(item.kind) == Presentation::Search {
            self.search = Some(SearchPrompt {
                url,
                display: item.display.clone(),
                query: String::new(),
            });
        } else {
            self.navigate(url);
        }
    }

    /// Sends the search being asked for.
    pub fn submit_search(&mut self) {
        if let Some(prompt) = self.search.take() {
            self.navigate(prompt.url.with_query(prompt.query.trim()));
        }
    }

    /// Goes back a page.
    pub fn go_back(&mut self) {
        if let Some(url) = self.back.pop() {
            if let Some(page) = &self.page {
                self.forward.push(page.url.clone());
            }
            self.fetch(url);
        }
    }

    /// Goes forward a page.
    pub fn go_forward(&mut self) {
        if let Some(url) = self.forward.pop() {
            if let Some(page) = &self.page {
                self.back.push(page.url.clone());
            }
            self.fetch(url);
        }
    }

    /// Fetches the current page again.
    pub fn reload(&mut self) {
        if let Some(page) = &self.page {
            let url = page.url.clone();
            self.fetch(url);
        }
    }

    /// The home page: the in-process gopherhole's root menu.
    pub fn home(&self) -> Option<GopherUrl> {
        self.gopherhole.as_ref().map(Gopherhole::home)
    }

    /// Serves a gopherhole in-process (from its folder or `gopherd.toml`)
    /// and shows its root menu. Requests to its advertised host and port
    /// are answered in-process from then on.
    pub fn open_gopherhole(&mut self, path: &Path) -> bool {
        match Gopherhole::open(path) {
            Ok(hole) => {
                let home = hole.home();
                self.gopherhole = Some(hole);
                self.navigate(home);
                true
            }
            Err(e) => {
                self.message = Some(format!("cannot open the gopherhole: {e}"));
                false
            }
        }
    }

    /// The address being fetched and for how long, if one is.
    pub fn loading(&self) -> Option<(&GopherUrl, Duration)> {
        self.pending.as_ref().map(|p| (&p.url, p.started.elapsed()))
    }

    /// Stops the fetch in flight (its result is dropped when it comes).
    pub fn stop(&mut self) {
        self.pending = None;
    }

    fn fetch(&mut self, url: GopherUrl) {
        self.message = None;
        self.search = None;
        self.address = url.to_string();
        let (tx, rx) = mpsc::channel();
        let local = self.gopherhole.clone();
        let target = url.clone();
        let spawned = std::thread::Builder::new()
            .name("gopher-fetch".into())
            .spawn(move || {
                let _ = tx.send(fetch::fetch(&target, local.as_ref()));
            });
        match spawned {
            Ok(_) => {
                self.pending = Some(Pending {
                    url,
                    started: Instant::now(),
                    result: rx,
                })
            }
            Err(e) => self.message = Some(format!("cannot start fetching: {e}")),
        }
    }

    /// Takes the page fetched since the last frame, if it arrived. Never
    /// waits.
    pub fn poll(&mut self) {
        let Some(p) = &self.pending else { return };
        let result = match p.result.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err("the fetch ended without an answer".into()),
        };
        let Some(p) = self.pending.take() else { return };
        let elapsed = p.started.elapsed();
        self.page = Some(match result {
            Ok(fetched) => Page {
                size: fetched.body.len(),
                content: read(&p.url, fetched.body),
                served: fetched.served,
                url: p.url,
                elapsed,
            },
            Err(e) => Page {
                url: p.url,
                content: Content::Failed(e),
                served: None,
                size: 0,
                elapsed,
            },
        });
    }

    /// Waits (for tests and scripts) until no fetch is in flight.
    pub fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.pending.is_some() {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
            self.poll();
        }
        true
    }
}

/// Reads a response as its address's item type says. A text route that
/// failed answers with a one-line error menu; it is shown as one.
fn read(url: &GopherUrl, body: Vec<u8>) -> Content {
    let presentation = match menu::presentation(url.kind) {
        Presentation::Search if url.query.is_some() => Presentation::Menu,
        Presentation::Text if is_error_menu(&body) => Presentation::Menu,
        p => p,
    };
    match presentation {
        Presentation::Menu | Presentation::Search => Content::Menu(menu::parse_menu(&body)),
        Presentation::Text | Presentation::None => Content::Text(menu::parse_text(&body)),
        Presentation::Binary => Content::Binary(body),
    }
}

fn is_error_menu(body: &[u8]) -> bool {
    let first = body.split(|&b| b == b'\n').next().unwrap_or_default();
    first.starts_with(b"3") && first.iter().filter(|&&b| b == b'\t').count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> GopherUrl {
        GopherUrl::parse(text).unwrap()
    }

    fn page(u: &str) -> Page {
        Page {
            url: url(u),
            content: Content::Text(Vec::new()),
            served: None,
            size: 0,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn responses_are_read_by_item_type() {
        let menu = b"1Docs\t/docs\th\t70\r\n.\r\n".to_vec();
        assert!(matches!(read(&url("h/1/"), menu.clone()), Content::Menu(m) if m.len() == 1));
        assert!(matches!(read(&url("h/7/s%09q"), menu), Content::Menu(_)));
        assert!(
            matches!(read(&url("h/0/a"), b"hi\r\n.\r\n".to_vec()), Content::Text(t) if t == ["hi"])
        );
        assert!(matches!(read(&url("h/9/a"), vec![0, 1]), Content::Binary(b) if b == [0, 1]));
        let failed = b"3handler crashed\t\terror.host\t1\r\n.\r\n".to_vec();
        assert!(matches!(read(&url("h/0/t"), failed), Content::Menu(m) if m[0].kind == b'3'));
    }

    #[test]
    fn history_goes_back_and_forward() {
        let mut b = Browser {
            page: Some(page("a/1/")),
            ..Browser::default()
        };
        b.navigate(url("b/1/"));
        assert_eq!(b.back, [url("a/1/")]);
        b.page = Some(page("b/1/"));
        b.go_back();
        assert_eq!(b.loading().unwrap().0, &url("a/1/"));
        assert_eq!(b.forward, [url("b/1/")]);
        b.page = Some(page("a/1/"));
        b.go_forward();
        assert_eq!(b.loading().unwrap().0, &url("b/1/"));
        assert_eq!(b.back, [url("a/1/")]);
        b.stop();
        assert!(b.loading().is_none());
    }

    #[test]
    fn search_items_ask_for_a_query_first() {
        let mut b = Browser::default();
        let item = Item {
            kind: b'7',
            display: "Find".into(),
            selector: "/find".into(),
            host: "127.0.0.1".into(),
            port: 1,
        };
        b.follow(&item);
        assert!(b.loading().is_none());
        b.search.as_mut().unwrap().query = " wasm ".into();
        b.submit_search();
        assert_eq!(b.loading().unwrap().0.query.as_deref(), Some("wasm"));
    }

    #[test]
    fn a_typo_in_the_address_is_reported() {
        let mut b = Browser {
            address: "http://example.org".into(),
            ..Browser::default()
        };
        b.go_to_address();
        assert!(
            b.message
                .as_deref()
                .unwrap()
                .contains("not a Gopher address")
        );
        assert!(b.loading().is_none());
    }
}
