//! The command line of the handler service: `gopherd handlers …` speaks
//! to a running gopherd's admin API with the token in `--token` or
//! `GOPHERD_TOKEN`, and prints what it answered for a person.

use crate::deploy::DeployRequest;
use crate::deploy::logs::Invocation;
use crate::deploy::store::{Settings, Version};
use std::io::BufRead;
use std::path::PathBuf;

/// What to ask the server.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Deploy FILE (.wasm or .wat) as handler NAME, serving it under
    /// /~ACCOUNT/ROUTE.
    Deploy {
        /// The handler's name (NAMESPACE/NAME for an admin).
        name: String,
        /// The module.
        file: PathBuf,
        /// The selector it answers, under the account's /~ACCOUNT
        /// (default: /NAME).
        #[arg(long)]
        route: Option<String>,
        /// wasi, dagger, olin or auto.
        #[arg(long)]
        abi: Option<String>,
        /// The export to start at.
        #[arg(long)]
        invoke: Option<String>,
        /// What it answers with: menu, text or binary.
        #[arg(long = "type", default_value = "text")]
        kind: String,
        /// Time limit of one run (e.g. 2s).
        #[arg(long)]
        timeout: Option<String>,
        /// Memory limit (e.g. 16M).
        #[arg(long)]
        memory: Option<String>,
        /// Fuel budget (instructions).
        #[arg(long)]
        fuel: Option<u64>,
        /// Most output of one run (e.g. 64K).
        #[arg(long)]
        max_output: Option<String>,
    },
    /// List the handlers this account may see.
    List,
    /// Show a handler's invocations (and, with --follow, new ones live).
    Logs {
        /// The handler.
        name: String,
        /// Keep showing invocations as they happen.
        #[arg(long)]
        follow: bool,
    },
    /// List a handler's versions, oldest first.
    Versions {
        /// The handler.
        name: String,
    },
    /// Make an earlier version live: VERSION (a hash or its start), or the
    /// one before the live one.
    Rollback {
        /// The handler.
        name: String,
        /// The version.
        version: Option<String>,
    },
    /// Remove a handler.
    Delete {
        /// The handler.
        name: String,
    },
    /// Show which account the token is.
    Whoami,
    /// Fetch what handler NAME would run for one request (its live module,
    /// arguments, environment, standard input and limits) into a folder,
    /// and print the `wasmhole run` command that runs it so, locally.
    Recipe {
        /// The handler.
        name: String,
        /// The request's selector (default: the handler's route).
        #[arg(long)]
        selector: Option<String>,
        /// The request's search words.
        #[arg(long)]
        query: Option<String>,
        /// The folder the module and its standard input go to.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

/// Where the admin API is and who asks.
pub struct Connection {
    /// `http://HOST:PORT`.
    pub server: String,
    /// The bearer token.
    pub token: Option<String>,
}

/// What a deploy says when it worked.
pub fn deployed(view: &crate::deploy::HandlerView) -> String {
    format!(
        "deployed {} version {} ({}, {} bytes): serving {}",
        view.id,
        short(&view.live.hash),
        view.live.file,
        view.live.size,
        view.route
    )
}

/// Deploys `bytes` (deployed from `file_name`) as handler `name`, served
/// at `route` (default `/NAME`) under the account's namespace.
pub fn deploy(
    connection: &Connection,
    name: &str,
    file_name: &str,
    bytes: &[u8],
    route: Option<String>,
    settings: Settings,
) -> anyhow::Result<crate::deploy::HandlerView> {
    use base64::Engine;
    let handler = name.rsplit('/').next().unwrap_or(name).to_string();
    let request = DeployRequest {
        route: route.unwrap_or_else(|| format!("/{handler}")),
        file: file_name.to_string(),
        module: base64::engine::general_purpose::STANDARD.encode(bytes),
        settings,
    };
    let text = answer(
        &connection.server,
        agent()
            .put(format!(
                "{}/v1/handlers/{name}",
                connection.server.trim_end_matches('/')
            ))
            .header("authorization", &connection.authorization())
            .header("content-type", "application/json")
            .send(serde_json::to_vec(&request)?),
    )?;
    Ok(serde_json::from_str(&text)?)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .new_agent()
}

impl Connection {
    fn authorization(&self) -> String {
        self.token
            .as_deref()
            .map(|t| format!("Bearer {t}"))
            .unwrap_or_default()
    }
}

/// The text of a successful answer, or why the request failed.
fn answer(
    server: &str,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> anyhow::Result<String> {
    let mut response =
        response.map_err(|e| anyhow::anyhow!("cannot reach the admin API at {server}: {e}"))?;
    let status = response.status();
    let text = response.body_mut().read_to_string()?;
    if !status.is_success() {
        let reason = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or(text);
        anyhow::bail!("refused ({}): {reason}", status.as_u16());
    }
    Ok(text)
}

/// Runs a command; what to print, or why it failed.
pub fn run(connection: &Connection, command: Command) -> anyhow::Result<()> {
    let agent = agent();
    let url = |path: &str| format!("{}/v1/{path}", connection.server.trim_end_matches('/'));
    let auth = connection.authorization();
    let answer = |response| answer(&connection.server, response);
    let get = |path: &str| answer(agent.get(url(path)).header("authorization", &auth).call());
    match command {
        Command::Deploy {
            name,
            file,
            route,
            abi,
            invoke,
            kind,
            timeout,
            memory,
            fuel,
            max_output,
        } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let file_name = file
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let settings = Settings {
                abi,
                invoke,
                kind,
                timeout,
                memory,
                fuel,
                max_output,
            };
            let view = deploy(connection, &name, &file_name, &bytes, route, settings)?;
            println!("{}", deployed(&view));
        }
        Command::List => {
            let text = get("handlers")?;
            let views: Vec<crate::deploy::HandlerView> = serde_json::from_str(&text)?;
            if views.is_empty() {
                println!("no handlers");
            }
            for v in views {
                println!(
                    "{:<24} {:<28} live {} ({} versions kept, {})",
                    v.id,
                    v.route,
                    short(&v.live.hash),
                    v.versions,
                    v.settings.kind
                );
            }
        }
        Command::Versions { name } => {
            let text = get(&format!("handlers/{name}/versions"))?;
            let versions: Vec<Version> = serde_json::from_str(&text)?;
            for v in versions {
                println!(
                    "{}  {}  {:>8} bytes  {}  by {}",
                    short(&v.hash),
                    v.deployed,
                    v.size,
                    v.file,
                    v.by
                );
            }
        }
        Command::Rollback { name, version } => {
            let query = version.map(|v| format!("?version={v}")).unwrap_or_default();
            let text = answer(
                agent
                    .post(url(&format!("handlers/{name}/rollback{query}")))
                    .header("authorization", &auth)
                    .send_empty(),
            )?;
            let view: crate::deploy::HandlerView = serde_json::from_str(&text)?;
            println!(
                "{} is back at version {} ({})",
                view.id,
                short(&view.live.hash),
                view.live.file
            );
        }
        Command::Delete { name } => {
            answer(
                agent
                    .delete(url(&format!("handlers/{name}")))
                    .header("authorization", &auth)
                    .call(),
            )?;
            println!("deleted {name}");
        }
        Command::Whoami => {
            let text = get("whoami")?;
            let me: serde_json::Value = serde_json::from_str(&text)?;
            println!(
                "{}{}, handlers under {}",
                me["account"].as_str().unwrap_or("?"),
                if me["admin"].as_bool() == Some(true) {
                    " (admin)"
                } else {
                    ""
                },
                me["namespace"].as_str().unwrap_or("?")
            );
        }
        Command::Recipe {
            name,
            selector,
            query,
            out,
        } => {
            use base64::Engine;
            let selector = match selector {
                Some(s) => s,
                None => {
                    let text = get("handlers")?;
                    let views: Vec<crate::deploy::HandlerView> = serde_json::from_str(&text)?;
                    let wanted = name.rsplit('/').next().unwrap_or(&name);
                    views
                        .into_iter()
                        .find(|v| v.id.rsplit('/').next() == Some(wanted))
                        .map(|v| v.route)
                        .ok_or_else(|| anyhow::anyhow!("there is no handler {name}"))?
                }
            };
            let text = answer(
                agent
                    .post(url(&format!("handlers/{name}/recipe")))
                    .header("authorization", &auth)
                    .header("content-type", "application/json")
                    .send(serde_json::to_vec(&super::RecipeRequest {
                        selector,
                        query,
                        client: None,
                    })?),
            )?;
            let recipe: super::Recipe = serde_json::from_str(&text)?;
            let b64 = base64::engine::general_purpose::STANDARD;
            std::fs::create_dir_all(&out)?;
            let file = std::path::Path::new(&recipe.file)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| "handler.wasm".into());
            let module = out.join(&file);
            std::fs::write(&module, b64.decode(&recipe.module)?)?;
            let stdin = b64.decode(&recipe.stdin)?;
            let stdin_file = out.join(format!("{file}.stdin"));
            std::fs::write(&stdin_file, &stdin)?;
            println!("{}", run_command(&recipe, &module, &stdin_file));
        }
        Command::Logs { name, follow } => {
            let query = if follow { "?follow=true" } else { "" };
            let response = agent
                .get(url(&format!("handlers/{name}/logs{query}")))
                .header("authorization", &auth)
                .call();
            let response = match response {
                Ok(r) if r.status().is_success() => r,
                other => {
                    answer(other)?;
                    return Ok(());
                }
            };
            let reader = std::io::BufReader::new(response.into_body().into_reader());
            for line in reader.lines() {
                let line = line?;
                match serde_json::from_str::<Invocation>(&line) {
                    Ok(i) => print_invocation(&i),
                    Err(_) => println!("{line}"),
                }
            }
        }
    }
    Ok(())
}

fn print_invocation(i: &Invocation) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{} {} {:?} from {} {} ({}) in {:.1} ms, version {}{}",
        i.time,
        i.handler,
        i.selector,
        i.client,
        i.outcome,
        i.status,
        i.ms,
        i.version,
        if i.server.is_empty() {
            String::new()
        } else {
            format!(", answered by {}", i.server)
        }
    );
    for line in i.stderr.lines() {
        let _ = writeln!(out, "  stderr: {line}");
    }
    for line in i.calls_table().lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = out.flush();
}

/// The `wasmhole run` command line that runs `recipe` as the server would.
fn run_command(
    recipe: &super::Recipe,
    module: &std::path::Path,
    stdin: &std::path::Path,
) -> String {
    let quote = |s: &str| {
        shlex::try_quote(s)
            .map(|q| q.into_owned())
            .unwrap_or_else(|_| format!("{s:?}"))
    };
    let mut words = vec!["wasmhole run".to_string(), format!("--abi {}", recipe.abi)];
    if let Some(invoke) = &recipe.invoke {
        words.push(format!("--invoke {}", quote(invoke)));
    }
    if let Some(ms) = recipe.timeout_ms {
        words.push(format!("--timeout {ms}ms"));
    }
    if let Some(m) = recipe.max_memory {
        words.push(format!("--max-memory {m}"));
    }
    if let Some(f) = recipe.fuel {
        words.push(format!("--fuel {f}"));
    }
    if let Some(o) = recipe.max_output {
        words.push(format!("--max-output {o}"));
    }
    for (k, v) in &recipe.env {
        words.push(format!("--env {}", quote(&format!("{k}={v}"))));
    }
    if let Some(argv0) = recipe.args.first() {
        words.push(format!("--argv0 {}", quote(argv0)));
    }
    words.push(quote(&module.display().to_string()));
    for arg in recipe.args.iter().skip(1) {
        words.push(quote(arg));
    }
    words.push(format!("< {}", quote(&stdin.display().to_string())));
    words.join(" \\\n    ")
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}
