//! The admin API of the handler service: HTTP/1.1 and JSON on its own
//! address (loopback unless configured otherwise), every request carrying
//! an account's bearer token. [`serve`] is its one entry; [`client`] is
//! the command line that speaks to it (`gopherd handlers …`).
//!
//! | request | does |
//! |---|---|
//! | `GET /v1/whoami` | the token's account |
//! | `GET /v1/handlers` | the handlers the account may see |
//! | `PUT /v1/handlers/NAME` | deploys a version (JSON: route, file, module in base64, settings) |
//! | `GET /v1/handlers/NAME/versions` | its versions |
//! | `POST /v1/handlers/NAME/rollback[?version=HASH]` | makes an earlier version live |
//! | `DELETE /v1/handlers/NAME` | removes it |
//! | `GET /v1/handlers/NAME/logs[?follow=true]` | its invocations, as JSON lines; followed, as they happen |
//! | `POST /v1/handlers/NAME/recipe` | what it would run for one request (JSON: selector, query) |
//!
//! `NAME` is a handler of the caller's namespace, or `NAMESPACE/NAME`
//! (written `NAMESPACE%2FNAME` or as two path segments) for an admin.

pub mod client;

use crate::deploy::{Caller, Deployments, Refusal};
use crate::service::Gopherd;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::net::TcpListener;

/// The largest request body read: more than the largest module allowed,
/// in base64, and its settings (the deploy itself checks the module's size).
const MAX_BODY: usize = 64 << 20;

/// Answers admin requests on `listener` until `stop` turns true.
pub async fn serve(
    listener: TcpListener,
    service: Arc<Gopherd>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!("admin API: accepting failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        // Followed logs are many small writes: each goes at once.
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let answer = hyper::service::service_fn(move |request| {
                let service = service.clone();
                async move { Ok::<_, std::convert::Infallible>(answer(request, &service).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(std::time::Duration::from_secs(10))
                .serve_connection(io, answer);
            if let Err(e) = connection.await {
                tracing::debug!(%peer, "admin API connection ended: {e}");
            }
        });
    }
}

/// A response body: all at once, or invocations as they happen.
pub enum Body {
    /// Bytes known at once.
    Full(Full<Bytes>),
    /// Lines sent as they come.
    Stream(tokio::sync::mpsc::Receiver<Bytes>),
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            Body::Full(full) => Pin::new(full).poll_frame(cx),
            Body::Stream(rx) => rx
                .poll_recv(cx)
                .map(|line| line.map(|l| Ok(Frame::data(l)))),
        }
    }
}

fn json(status: StatusCode, value: &impl serde::Serialize) -> Response<Body> {
    let mut text = serde_json::to_vec_pretty(value).unwrap_or_default();
    text.push(b'\n');
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Full(Full::new(Bytes::from(text))))
        .expect("a valid response")
}

fn refused(refusal: &Refusal) -> Response<Body> {
    let status = match refusal {
        Refusal::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Refusal::Forbidden(_) => StatusCode::FORBIDDEN,
        Refusal::NotFound(_) => StatusCode::NOT_FOUND,
        Refusal::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Refusal::Conflict(_) => StatusCode::CONFLICT,
        Refusal::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Refusal::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    json(status, &serde_json::json!({ "error": refusal.to_string() }))
}

async fn answer(request: Request<Incoming>, service: &Arc<Gopherd>) -> Response<Body> {
    let Some(deployments) = service.deployments() else {
        return refused(&Refusal::NotFound("the handler service is off".into()));
    };
    let token = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let caller = match deployments.authenticate(token) {
        Ok(caller) => caller,
        Err(refusal) => return refused(&refusal),
    };
    let action = match *request.method() {
        Method::PUT => Some("deploy"),
        Method::POST => Some("rollback"),
        Method::DELETE => Some("delete"),
        _ => None,
    };
    let path = request.uri().path().to_string();
    match route(request, service, deployments, &caller).await {
        Ok(response) => response,
        Err(refusal) => {
            if let Some(action) = action {
                let name = path.trim_start_matches("/v1/handlers/");
                deployments.audit_refusal(&caller, action, name, &refusal);
            }
            refused(&refusal)
        }
    }
}

async fn route(
    request: Request<Incoming>,
    service: &Arc<Gopherd>,
    deployments: &Deployments,
    caller: &Caller,
) -> Result<Response<Body>, Refusal> {
    let path = request.uri().path().replace("%2F", "/").replace("%2f", "/");
    let query = request.uri().query().unwrap_or("").to_string();
    let param = |key: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = request.method().clone();
    let not_found = || Refusal::NotFound(format!("no such request: {method} {path}"));
    let (name, rest) = match parts.as_slice() {
        ["v1", "whoami"] if method == Method::GET => {
            return Ok(json(
                StatusCode::OK,
                &serde_json::json!({ "account": caller.name, "admin": caller.admin,
                    "namespace": format!("/~{}", caller.name) }),
            ));
        }
        ["v1", "handlers"] if method == Method::GET => {
            return Ok(json(StatusCode::OK, &deployments.list(caller)?));
        }
        ["v1", "handlers", rest @ ..] => split_name(rest).ok_or_else(not_found)?,
        _ => return Err(not_found()),
    };
    match (method.clone(), rest) {
        (Method::PUT, None) => {
            let body = Limited::new(request.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| Refusal::Invalid(format!("cannot read the request: {e}")))?
                .to_bytes();
            let deploy: crate::deploy::DeployRequest = serde_json::from_slice(&body)
                .map_err(|e| Refusal::Invalid(format!("the request is not a deploy: {e}")))?;
            let service = service.clone();
            let caller = caller.clone();
            let view = tokio::task::spawn_blocking(move || {
                let deployments = service.deployments().expect("on");
                deployments.deploy(&caller, &name, deploy, service.runtime())
            })
            .await
            .map_err(|e| Refusal::Failed(e.to_string()))??;
            Ok(json(StatusCode::OK, &view))
        }
        (Method::GET, Some("versions")) => {
            Ok(json(StatusCode::OK, &deployments.versions(caller, &name)?))
        }
        (Method::POST, Some("rollback")) => {
            let version = param("version");
            let service = service.clone();
            let caller = caller.clone();
            let view = tokio::task::spawn_blocking(move || {
                let deployments = service.deployments().expect("on");
                deployments.rollback(&caller, &name, version.as_deref(), service.runtime())
            })
            .await
            .map_err(|e| Refusal::Failed(e.to_string()))??;
            Ok(json(StatusCode::OK, &view))
        }
        (Method::POST, Some("recipe")) => {
            let body = Limited::new(request.into_body(), 64 * 1024)
                .collect()
                .await
                .map_err(|e| Refusal::Invalid(format!("cannot read the request: {e}")))?
                .to_bytes();
            let asked: RecipeRequest = serde_json::from_slice(&body)
                .map_err(|e| Refusal::Invalid(format!("the request is not a recipe's: {e}")))?;
            Ok(json(
                StatusCode::OK,
                &recipe(service, deployments, caller, &name, asked)?,
            ))
        }
        (Method::DELETE, None) => {
            deployments.delete(caller, &name)?;
            Ok(json(
                StatusCode::OK,
                &serde_json::json!({ "deleted": name }),
            ))
        }
        (Method::GET, Some("logs")) => {
            let kept = deployments.logs(caller, &name)?;
            let mut text = Vec::new();
            for invocation in &kept {
                text.extend(serde_json::to_vec(invocation).unwrap_or_default());
                text.push(b'\n');
            }
            if param("follow").as_deref() != Some("true") {
                return Ok(Response::builder()
                    .header("content-type", "application/x-ndjson")
                    .body(Body::Full(Full::new(Bytes::from(text))))
                    .expect("a valid response"));
            }
            let (id, mut live) = deployments.follow(caller, &name)?;
            let (tx, rx) = tokio::sync::mpsc::channel(64);
            let _ = tx.send(Bytes::from(text)).await;
            tokio::spawn(async move {
                use tokio::sync::broadcast::error::RecvError;
                loop {
                    let line = match live.recv().await {
                        Ok(invocation) if invocation.handler == id => {
                            let mut line = serde_json::to_vec(&invocation).unwrap_or_default();
                            line.push(b'\n');
                            line
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(n)) => format!("{{\"missed\":{n}}}\n").into_bytes(),
                        Err(RecvError::Closed) => break,
                    };
                    if tx.send(Bytes::from(line)).await.is_err() {
                        break;
                    }
                }
            });
            Ok(Response::builder()
                .header("content-type", "application/x-ndjson")
                .body(Body::Stream(rx))
                .expect("a valid response"))
        }
        _ => Err(not_found()),
    }
}

/// What a local run like production is asked for: one request.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
pub struct RecipeRequest {
    /// The selector, under the handler's route.
    pub selector: String,
    /// The search words, if any.
    pub query: Option<String>,
    /// The client address the run should see (default 127.0.0.1).
    pub client: Option<String>,
}

/// Everything a deployed handler gets for one request, so it can be run
/// elsewhere exactly so (`wasmhole run`, the workbench).
#[derive(Debug, serde::Deserialize, serde::Serialize)]
pub struct Recipe {
    /// The file name it was deployed from.
    pub file: String,
    /// Its live module, base64.
    pub module: String,
    /// Its ABI.
    pub abi: String,
    /// The export it starts at, if not the ABI's usual one.
    pub invoke: Option<String>,
    /// Its arguments, the program name first.
    pub args: Vec<String>,
    /// Its environment.
    pub env: Vec<(String, String)>,
    /// Its standard input, base64.
    pub stdin: String,
    /// Its time limit, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Its memory limit, in bytes.
    pub max_memory: Option<u64>,
    /// Its fuel budget.
    pub fuel: Option<u64>,
    /// Its output limit, in bytes.
    pub max_output: Option<u64>,
}

fn recipe(
    service: &Gopherd,
    deployments: &Deployments,
    caller: &Caller,
    name: &str,
    asked: RecipeRequest,
) -> Result<Recipe, Refusal> {
    use base64::Engine;
    // Refused as any other request for a handler not the caller's.
    deployments.versions(caller, name)?;
    let view = deployments
        .list(caller)?
        .into_iter()
        .find(|v| v.id == deployments.qualified(caller, name))
        .ok_or_else(|| Refusal::NotFound(format!("there is no handler {name}")))?;
    let request = crate::request::Request {
        query: asked.query,
        ..crate::request::Request::new(asked.selector.clone())
    };
    let client: std::net::IpAddr = asked
        .client
        .as_deref()
        .unwrap_or("127.0.0.1")
        .parse()
        .map_err(|_| Refusal::Invalid("`client` is not an IP address".into()))?;
    let recipe = service
        .handler_recipe(&request, std::net::SocketAddr::new(client, 0))
        .filter(|r| r.route == view.route)
        .ok_or_else(|| {
            Refusal::Invalid(format!(
                "{} is not under {}'s route {}",
                asked.selector, view.id, view.route
            ))
        })?;
    let module = std::fs::read(&recipe.module).map_err(|e| Refusal::Failed(e.to_string()))?;
    let stdin = match &recipe.config.stdin {
        wasmhole_runtime::InputSpec::Bytes(bytes) => bytes.to_vec(),
        _ => Vec::new(),
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let limits = &recipe.config.limits;
    Ok(Recipe {
        file: view.live.file.clone(),
        module: b64.encode(module),
        abi: recipe.abi.name().to_string(),
        invoke: recipe.config.entry.clone(),
        args: recipe.config.args.clone(),
        env: recipe.config.env.clone(),
        stdin: b64.encode(stdin),
        timeout_ms: limits.timeout.map(|t| t.as_millis() as u64),
        max_memory: limits.max_memory,
        fuel: limits.fuel,
        max_output: limits.max_output,
    })
}

/// `NAME`, `NAME/ACTION`, `NAMESPACE/NAME` or `NAMESPACE/NAME/ACTION`.
fn split_name<'a>(rest: &[&'a str]) -> Option<(String, Option<&'a str>)> {
    const ACTIONS: [&str; 4] = ["versions", "rollback", "logs", "recipe"];
    match rest {
        [name] => Some((name.to_string(), None)),
        [name, action] if ACTIONS.contains(action) => Some((name.to_string(), Some(action))),
        [ns, name] => Some((format!("{ns}/{name}"), None)),
        [ns, name, action] if ACTIONS.contains(action) => {
            Some((format!("{ns}/{name}"), Some(action)))
        }
        _ => None,
    }
}
