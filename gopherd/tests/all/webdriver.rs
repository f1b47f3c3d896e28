//! A small W3C WebDriver client driving Debian's headless Chromium through
//! `chromedriver`, for testing the HTTP face as a person reads it: open a
//! page, follow a link, fill in and submit a form, take a screenshot.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key W3C WebDriver names an element by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium session, closed (and its driver killed) when dropped.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

/// An element of the page.
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

impl Browser {
    /// Starts `chromedriver` and a headless Chromium session.
    pub fn start() -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver, installed by .ci/run)");
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            _profile: profile,
        };
        let started = Instant::now();
        while send(port, "GET", "/status", None).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not answer within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1100,800",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!(
            "--user-data-dir={}",
            browser._profile.path().display()
        )])
        .collect::<Vec<_>>();
        let created = browser.call(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium(), "args": args}
            }}})),
        );
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        browser
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = send(self.port, method, path, body.as_ref())
            .unwrap_or_else(|e| panic!("chromedriver {method} {path}: {e}"));
        let value: Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("chromedriver {method} {path}: {e}: {answer}"));
        if let Some(error) = value["value"]["error"].as_str() {
            panic!(
                "chromedriver {method} {path}: {error}: {}",
                value["value"]["message"]
            );
        }
        value["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    /// Opens `url` and waits for it to load.
    pub fn open(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The address of the page shown.
    pub fn url(&self) -> String {
        self.session_call("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The page's title.
    pub fn title(&self) -> String {
        self.session_call("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The text a person sees on the page.
    pub fn text(&self) -> String {
        self.find("css selector", "body").text()
    }

    /// The first element `using` (`link text`, `css selector`…) finds.
    pub fn find(&self, using: &str, value: &str) -> Element<'_> {
        let found = self.session_call(
            "POST",
            "/element",
            Some(json!({ "using": using, "value": value })),
        );
        Element {
            browser: self,
            id: found[ELEMENT].as_str().expect("an element id").to_string(),
        }
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let data = self.session_call("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(data.as_str().expect("base64 PNG"))
            .expect("a valid screenshot")
    }
}

impl Element<'_> {
    fn call(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        self.browser
            .session_call(method, &format!("/element/{}{what}", self.id), body)
    }

    /// Clicks it (and waits for a page it leads to).
    pub fn click(&self) {
        self.call("POST", "/click", Some(json!({})));
    }

    /// Types `text` into it.
    pub fn type_text(&self, text: &str) {
        self.call("POST", "/value", Some(json!({ "text": text })));
    }

    /// Its visible text.
    pub fn text(&self) -> String {
        self.call("GET", "/text", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = send(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Debian's Chromium.
fn chromium() -> &'static str {
    if std::path::Path::new("/usr/bin/chromium").exists() {
        "/usr/bin/chromium"
    } else {
        "chromium"
    }
}

/// One HTTP/1.1 exchange with the driver; the body of its answer.
fn send(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // The driver keeps the connection open: read the head, then as many
    // bytes as it announces.
    let mut answer = Vec::new();
    let mut byte = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut byte)?;
        if n == 0 {
            return Err(std::io::Error::other("the driver closed the connection"));
        }
        answer.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&answer[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let mut body = answer[head_end..].to_vec();
    match length {
        Some(n) => {
            while body.len() < n {
                let got = stream.read(&mut byte)?;
                if got == 0 {
                    break;
                }
                body.extend_from_slice(&byte[..got]);
            }
            body.truncate(n);
        }
        None => {
            stream.read_to_end(&mut body)?;
        }
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    if head.contains("transfer-encoding: chunked") {
        return Ok(unchunk(&text));
    }
    Ok(text)
}

fn unchunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}
