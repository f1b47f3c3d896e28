//! Fetching one Gopher resource: over TCP from any server, within a time
//! and size limit, or in-process from a gopherhole opened from its folder
//! or `gopherd.toml`, answered by the same code gopherd serves with. Both
//! block, so callers run them off the UI thread.

use super::url::GopherUrl;
use gopherd::{Config, Gopherd, HandlerRecipe, Request, Site};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most bytes read for one resource.
pub const MAX_RESPONSE: usize = 16 << 20;
/// How long one fetch may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// A fetched resource.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The response, as the server sent it.
    pub body: Vec<u8>,
    /// How an in-process gopherhole answered; `None` over the network.
    pub served: Option<Served>,
}

/// How an in-process gopherhole answered a request.
#[derive(Clone, Debug)]
pub struct Served {
    /// The route: a handler's selector prefix, or `static`.
    pub route: String,
    /// The outcome, as the access log writes it.
    pub outcome: String,
    /// What the wasm handler ran, when a handler answered.
    pub recipe: Option<HandlerRecipe>,
}

/// Fetches `url` from its server over TCP.
pub fn fetch_tcp(url: &GopherUrl, timeout: Duration, max: usize) -> Result<Vec<u8>, String> {
    let deadline = Instant::now() + timeout;
    let authority = url.authority();
    let addrs: Vec<SocketAddr> = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot find {}: {e}", url.host))?
        .collect();
    let mut last_error = format!("{} has no address", url.host);
    let mut stream = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        match TcpStream::connect_timeout(&addr, left.max(Duration::from_millis(1))) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_error = format!("cannot connect to {authority}: {e}"),
        }
    }
    let mut stream = stream.ok_or(last_error)?;
    let io = |e: std::io::Error| {
        if matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ) {
            format!("{authority} did not answer within {} s", timeout.as_secs())
        } else {
            format!("talking to {authority} failed: {e}")
        }
    };
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    stream.write_all(&url.request_line()).map_err(io)?;
    let mut body = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "{authority} did not finish within {} s",
                timeout.as_secs()
            ));
        }
        stream.set_read_timeout(Some(left)).map_err(io)?;
        let n = stream.read(&mut chunk).map_err(io)?;
        if n == 0 {
            return Ok(body);
        }
        if body.len() + n > max {
            return Err(format!(
                "the response from {authority} is larger than {} MiB; stopped reading",
                max >> 20
            ));
        }
        body.extend_from_slice(&chunk[..n]);
    }
}

/// A gopherhole served in-process: its static files and wasm handlers,
/// reached at the host and port its configuration advertises.
#[derive(Clone)]
pub struct Gopherhole {
    /// The folder or configuration file it was opened from.
    pub source: PathBuf,
    /// The host and port its menus advertise.
    pub site: Site,
    service: Arc<Gopherd>,
}

impl Gopherhole {
    /// Opens a gopherhole from a folder (served as it is) or a gopherd
    /// configuration file (routes, handlers and limits included).
    pub fn open(path: &Path) -> Result<Gopherhole, String> {
        let config = if path.is_dir() {
            Config::for_root(path)
        } else {
            Config::from_file(path).map_err(|e| format!("{}: {e:#}", path.display()))?
        };
        let port = config
            .port
            .or_else(|| config.listen.first().map(|a| a.port()))
            .unwrap_or(super::url::DEFAULT_PORT);
        let site = Site {
            host: config.host.clone(),
            port,
        };
        let service = Gopherd::new(&config, site.clone())
            .map_err(|e| format!("{}: {e:#}", path.display()))?;
        Ok(Gopherhole {
            source: path.to_path_buf(),
            site,
            service: Arc::new(service),
        })
    }

    /// Its root menu.
    pub fn home(&self) -> GopherUrl {
        GopherUrl::root(&self.site.host, self.site.port)
    }

    /// Whether it answers for `url`'s server.
    pub fn serves(&self, url: &GopherUrl) -> bool {
        url.is_on(&self.site.host, self.site.port)
    }

    /// Answers `url` as gopherd would, picking up changed handler modules
    /// first.
    pub fn fetch(&self, url: &GopherUrl) -> Result<Fetched, String> {
        let request = Request::parse(&url.request_line()).map_err(|e| e.to_string())?;
        let remote: SocketAddr = ([127, 0, 0, 1], 0).into();
        self.service.reload_changed();
        let recipe = self.service.handler_recipe(&request, remote);
        let response = self.service.respond_blocking(&request, remote);
        let served = Served {
            route: response.route.clone(),
            outcome: response.outcome.as_str().to_string(),
            recipe,
        };
        if response.body.len() > MAX_RESPONSE as u64 {
            return Err(format!(
                "the response is larger than {} MiB",
                MAX_RESPONSE >> 20
            ));
        }
        let body = response
            .body
            .into_bytes()
            .map_err(|e| format!("cannot read the response: {e}"))?;
        Ok(Fetched {
            body,
            served: Some(served),
        })
    }
}

/// Fetches `url`: from `local` when it serves that server, else over TCP.
pub fn fetch(url: &GopherUrl, local: Option<&Gopherhole>) -> Result<Fetched, String> {
    match local {
        Some(hole) if hole.serves(url) => hole.fetch(url),
        _ => fetch_tcp(url, TIMEOUT, MAX_RESPONSE).map(|body| Fetched { body, served: None }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A one-shot server: reads the request line, answers `reply`, and
    /// hands back the line it got.
    fn server(reply: Vec<u8>) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut line = Vec::new();
            let mut byte = [0u8; 1];
            while s.read(&mut byte).unwrap() == 1 {
                line.push(byte[0]);
                if byte[0] == b'\n' {
                    break;
                }
            }
            let _ = s.write_all(&reply);
            line
        });
        (port, handle)
    }

    #[test]
    fn a_menu_comes_back_over_tcp() {
        let (port, got) = server(b"1Docs\t/docs\tlocalhost\t70\r\n.\r\n".to_vec());
        let url = GopherUrl::parse(&format!("127.0.0.1:{port}/7/find%09wasm")).unwrap();
        let body = fetch(&url, None).unwrap().body;
        assert!(body.starts_with(b"1Docs\t/docs"));
        assert_eq!(got.join().unwrap(), b"/find\twasm\r\n");
    }

    #[test]
    fn an_endless_response_is_cut_off() {
        let (port, _got) = server(vec![b'x'; 300_000]);
        let url = GopherUrl::root("127.0.0.1", port);
        let err = fetch_tcp(&url, TIMEOUT, 100_000).unwrap_err();
        assert!(err.contains("larger than"), "{err}");
    }

    #[test]
    fn a_silent_server_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = GopherUrl::root("127.0.0.1", listener.local_addr().unwrap().port());
        let err = fetch_tcp(&url, Duration::from_millis(300), MAX_RESPONSE).unwrap_err();
        assert!(err.contains("did not answer within"), "{err}");
        drop(listener);
    }

    #[test]
    fn nobody_listening_is_named() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = fetch(&GopherUrl::root("127.0.0.1", port), None).unwrap_err();
        assert!(
            err.contains(&format!("cannot connect to 127.0.0.1:{port}")),
            "{err}"
        );
    }

    #[test]
    fn the_demo_gopherhole_answers_in_process() {
        let config =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/gopherhole/gopherd.toml");
        let hole = Gopherhole::open(&config).unwrap();
        assert_eq!(hole.home().to_string(), "gopher://localhost:7070/1");
        let root = hole.fetch(&hole.home()).unwrap();
        assert_eq!(root.served.as_ref().unwrap().route, "static");
        assert!(root.served.unwrap().recipe.is_none());
        let mut time = hole.home();
        time.kind = b'0';
        time.selector = "/wasi/time".into();
        let page = fetch(&time, Some(&hole)).unwrap();
        let served = page.served.unwrap();
        assert_eq!(
            (served.route.as_str(), served.outcome.as_str()),
            ("/wasi/time", "ok")
        );
        assert!(served.recipe.unwrap().module.ends_with("wasi/time.wat"));
        assert!(!page.body.is_empty());
    }
}
