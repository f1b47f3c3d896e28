//! Handlers on the HTTP face, CGI-style, in the convention their route
//! names: what the guest gets (variables, body on stdin) and how what it
//! writes becomes the response.
//!
//! - **WAGI**: CGI 1.1 variables, every header as `HTTP_*`, and WAGI's
//!   `X_MATCHED_ROUTE`, `X_FULL_URL`, `X_RAW_PATH_INFO`; the guest writes
//!   headers (`content-type`, `status`, `location`…), a blank line, then
//!   the body.
//! - **Olin's cwa-cgi**: `REQUEST_METHOD`, `REQUEST_URI`, `QUERY_STRING`,
//!   `RUN_ID`, `WORKER_ID`; the guest writes a whole HTTP/1.1 response.

use crate::config::{Convention, HttpRoute};

/// One HTTP request as a handler is given it.
pub struct HttpRequest {
    /// `GET`, `POST`…
    pub method: String,
    /// The path as sent (percent-encoded).
    pub raw_path: String,
    /// The query string, without `?`.
    pub query: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The client.
    pub remote: std::net::SocketAddr,
    /// The name and port the client asked for (the `Host` header, else
    /// this server's).
    pub server_name: String,
    /// The port.
    pub server_port: u16,
}

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response a handler made.
#[derive(Debug, PartialEq, Eq)]
pub struct HandlerResponse {
    /// The status code.
    pub status: u16,
    /// Headers, as the guest wrote them.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// The route's path as `SCRIPT_NAME` gives it (empty for the root).
fn script_name(route: &HttpRoute) -> &str {
    match route.route.selector.as_str() {
        "/" => "",
        path => path,
    }
}

/// The route as WAGI's `X_MATCHED_ROUTE` gives it: `/path`, or
/// `/path/...` for a route that also answers the paths below it.
fn matched_route(route: &HttpRoute) -> String {
    if route.exact {
        route.route.selector.clone()
    } else {
        format!("{}/...", script_name(route))
    }
}

/// The arguments a handler on `route` gets for a request with `query`:
/// WAGI's `argv` template (default `${SCRIPT_NAME} ${ARGS}`), where
/// `${ARGS}` is the query's search words as CGI 1.1 gives them (split at
/// `+` and decoded, only when the query has no `=`).
pub fn arguments(route: &HttpRoute, program: &str, query: &str) -> Vec<String> {
    let words: Vec<String> = if query.is_empty() || query.contains('=') {
        Vec::new()
    } else {
        query
            .split('+')
            .map(|w| {
                percent_encoding::percent_decode_str(w)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect()
    };
    let script = match script_name(route) {
        "" => program,
        name => name,
    };
    let template = route.argv.as_deref().unwrap_or("${SCRIPT_NAME} ${ARGS}");
    let mut args = Vec::new();
    for token in template.split_whitespace() {
        if token == "${ARGS}" {
            args.extend(words.iter().cloned());
        } else {
            args.push(token.replace("${SCRIPT_NAME}", script));
        }
    }
    if args.is_empty() {
        args.push(program.to_string());
    }
    args
}

/// The environment a handler on `route` gets for `request`, with the rest
/// of the path after the route in `raw_path_info`.
pub fn environment(
    route: &HttpRoute,
    request: &HttpRequest,
    raw_path_info: &str,
    run_id: &str,
    worker_id: usize,
) -> Vec<(String, String)> {
    let uri = if request.query.is_empty() {
        request.raw_path.clone()
    } else {
        format!("{}?{}", request.raw_path, request.query)
    };
    let mut env: Vec<(String, String)> = Vec::new();
    let mut set = |k: &str, v: String| env.push((k.to_string(), v));
    match route.convention {
        Convention::Cwagi => {
            set("REQUEST_METHOD", request.method.clone());
            set("REQUEST_URI", uri);
            set("QUERY_STRING", request.query.clone());
            set("RUN_ID", run_id.to_string());
            set("WORKER_ID", worker_id.to_string());
        }
        Convention::Wagi => {
            let decoded = percent_encoding::percent_decode_str(raw_path_info)
                .decode_utf8_lossy()
                .into_owned();
            set("AUTH_TYPE", String::new());
            set("CONTENT_LENGTH", request.body.len().to_string());
            set(
                "CONTENT_TYPE",
                request.header("content-type").unwrap_or("").to_string(),
            );
            set("GATEWAY_INTERFACE", "CGI/1.1".into());
            set("PATH_INFO", decoded.clone());
            set("PATH_TRANSLATED", decoded);
            set("QUERY_STRING", request.query.clone());
            set("REMOTE_ADDR", request.remote.ip().to_string());
            set("REMOTE_HOST", request.remote.ip().to_string());
            set("REMOTE_USER", String::new());
            set("REQUEST_METHOD", request.method.clone());
            set("SCRIPT_NAME", script_name(route).to_string());
            set("SERVER_NAME", request.server_name.clone());
            set("SERVER_PORT", request.server_port.to_string());
            set("SERVER_PROTOCOL", "HTTP/1.1".into());
            set("SERVER_SOFTWARE", crate::SERVER_SOFTWARE.to_string());
            set("X_MATCHED_ROUTE", matched_route(route));
            set(
                "X_FULL_URL",
                format!(
                    "http://{}:{}{uri}",
                    request.server_name, request.server_port
                ),
            );
            set("X_RAW_PATH_INFO", raw_path_info.to_string());
            for (name, value) in &request.headers {
                // RFC 3875 4.1.18: credentials are not passed on, and what
                // CONTENT_* already says is not repeated.
                if matches!(
                    name.as_str(),
                    "authorization" | "proxy-authorization" | "content-length" | "content-type"
                ) {
                    continue;
                }
                let key = format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_"));
                set(&key, value.clone());
            }
        }
    }
    env
}

/// What the guest wrote, as a response, or why it is not one.
pub fn response(convention: Convention, output: &[u8]) -> Result<HandlerResponse, String> {
    match convention {
        Convention::Wagi => wagi_response(output),
        Convention::Cwagi => cwagi_response(output),
    }
}

fn wagi_response(output: &[u8]) -> Result<HandlerResponse, String> {
    let (head, body) = split_head(output).ok_or(
        "the handler wrote no blank line after its headers (WAGI guests write headers, a blank line, then the body)",
    )?;
    let head = std::str::from_utf8(head).map_err(|_| "its headers are not UTF-8")?;
    let mut status = None;
    let mut headers = Vec::new();
    for line in head.lines().map(|l| l.trim_end_matches('\r')) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("`{line}` is not a header"))?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_string());
        if name == "status" {
            let code = value.split_whitespace().next().unwrap_or("");
            status = Some(
                code.parse::<u16>()
                    .ok()
                    .filter(|c| (100..600).contains(c))
                    .ok_or_else(|| format!("`status: {value}` is not a status"))?,
            );
        } else {
            headers.push((name, value));
        }
    }
    let has = |n: &str| headers.iter().any(|(h, _)| h == n);
    let status = match status {
        Some(s) => s,
        None if has("location") => 302,
        None if has("content-type") => 200,
        None => {
            return Err("the handler wrote neither `content-type` nor `location`".into());
        }
    };
    Ok(HandlerResponse {
        status,
        headers,
        body: body.to_vec(),
    })
}

/// The headers and the body of `output`, split at its first blank line.
fn split_head(output: &[u8]) -> Option<(&[u8], &[u8])> {
    let lf = output
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|i| (i, i + 2));
    let crlf = output
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4));
    let (end, start) = match (lf, crlf) {
        (Some(a), Some(b)) => {
            if a.0 < b.0 {
                a
            } else {
                b
            }
        }
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => return None,
    };
    Some((&output[..end], &output[start..]))
}

fn cwagi_response(output: &[u8]) -> Result<HandlerResponse, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Response::new(&mut headers);
    let head = match parsed.parse(output) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            return Err("the handler's response ends inside its headers".into());
        }
        Err(e) => return Err(format!("the handler's response is not HTTP: {e}")),
    };
    let status = parsed.code.ok_or("the handler's response has no status")?;
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let mut body = output[head..].to_vec();
    if let Some(len) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Ok(HandlerResponse {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ItemKind, RouteConfig, default_handler_limits};

    fn route(path: &str, exact: bool, argv: Option<&str>) -> HttpRoute {
        HttpRoute {
            convention: Convention::Wagi,
            exact,
            argv: argv.map(str::to_string),
            route: RouteConfig {
                selector: path.into(),
                module: "env.wasm".into(),
                abi: None,
                invoke: None,
                kind: ItemKind::Binary,
                args: Vec::new(),
                env: Vec::new(),
                dirs: Vec::new(),
                limits: default_handler_limits(),
            },
        }
    }

    fn request(query: &str) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            raw_path: "/env/a%20b".into(),
            query: query.into(),
            headers: vec![
                ("content-type".into(), "text/plain".into()),
                ("x-forwarded-for".into(), "10.0.0.9".into()),
                ("authorization".into(), "Bearer secret".into()),
            ],
            body: b"hi".to_vec(),
            remote: "127.0.0.1:5555".parse().unwrap(),
            server_name: "example.org".into(),
            server_port: 8080,
        }
    }

    #[test]
    fn wagi_variables_follow_cgi_and_name_the_route() {
        let env = environment(
            &route("/env", false, None),
            &request("x=1"),
            "/a%20b",
            "1",
            7,
        );
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("REQUEST_METHOD"), Some("POST"));
        assert_eq!(get("PATH_INFO"), Some("/a b"));
        assert_eq!(get("X_RAW_PATH_INFO"), Some("/a%20b"));
        assert_eq!(get("SCRIPT_NAME"), Some("/env"));
        assert_eq!(get("X_MATCHED_ROUTE"), Some("/env/..."));
        assert_eq!(
            get("X_FULL_URL"),
            Some("http://example.org:8080/env/a%20b?x=1")
        );
        assert_eq!(get("CONTENT_LENGTH"), Some("2"));
        assert_eq!(get("CONTENT_TYPE"), Some("text/plain"));
        assert_eq!(get("HTTP_X_FORWARDED_FOR"), Some("10.0.0.9"));
        assert_eq!(
            get("HTTP_AUTHORIZATION"),
            None,
            "credentials are not passed on"
        );
        assert_eq!(get("RUN_ID"), None);
        let exact = environment(&route("/", true, None), &request(""), "", "1", 7);
        assert!(exact.contains(&("X_MATCHED_ROUTE".into(), "/".into())));
        assert!(exact.contains(&("SCRIPT_NAME".into(), "".into())));
    }

    #[test]
    fn arguments_follow_the_argv_template_and_cgi_search_words() {
        let r = route("/env", false, None);
        assert_eq!(arguments(&r, "env.wasm", "a+b%21"), ["/env", "a", "b!"]);
        assert_eq!(arguments(&r, "env.wasm", "a=1"), ["/env"]);
        let r = route("/", true, Some("prog --name ${SCRIPT_NAME} ${ARGS} end"));
        assert_eq!(
            arguments(&r, "env.wasm", "x"),
            ["prog", "--name", "env.wasm", "x", "end"]
        );
    }

    #[test]
    fn wagi_output_is_headers_a_blank_line_and_a_body() {
        let r = response(
            Convention::Wagi,
            b"Content-Type: text/plain\nx-a: 1\n\nhello\n",
        )
        .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.headers[0], ("content-type".into(), "text/plain".into()));
        assert_eq!(r.body, b"hello\n");
        let r = response(
            Convention::Wagi,
            b"status: 404 Not Found\r\ncontent-type: text/html\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.status, 404);
        let r = response(Convention::Wagi, b"location: /elsewhere\n\n").unwrap();
        assert_eq!(r.status, 302);
        assert!(response(Convention::Wagi, b"just text, no headers").is_err());
        assert!(response(Convention::Wagi, b"x-only: 1\n\nbody").is_err());
        assert!(response(Convention::Wagi, b"status: teapot\n\n").is_err());
    }

    #[test]
    fn cwagi_output_is_a_whole_response() {
        let r = response(
            Convention::Cwagi,
            b"HTTP/1.1 201 Created\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nokEXTRA",
        )
        .unwrap();
        assert_eq!(r.status, 201);
        assert_eq!(r.body, b"ok");
        assert!(response(Convention::Cwagi, b"hello").is_err());
    }
}
