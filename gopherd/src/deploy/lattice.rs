//! The lattice: the handler service's state shared by every gopherd that
//! names the same NATS server (with JetStream) in `admin.lattice`.
//! Accounts and handlers are key-value buckets, module bytes an object
//! store, invocation logs and the audit log streams. Every server watches
//! the handlers bucket, so a deploy through any of them is loaded by all;
//! every server follows the invocation stream, so `logs` and `logs
//! --follow` on any show invocations answered by all.
//!
//! Module bytes are copied into the local state folder before they are
//! run, and live handlers stay loaded, so while NATS is away each server
//! goes on serving what it has; changes are refused with the reason
//! (nothing is half-applied: a handler's record is written last), and an
//! invocation that cannot be shared stays in the local log only.
//!
//! The rest of the service is synchronous: calls are run on this store's
//! own small runtime and waited for at most [`PATIENCE`].

use super::accounts::Account;
use super::logs::Invocation;
use super::store::{Change, Deployed, Store};
use async_nats::jetstream::{self, kv, object_store, stream};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

/// The key-value bucket of accounts (key: the account's name).
const ACCOUNTS: &str = "wasmhole_accounts";
/// The key-value bucket of deployed handlers (key: `namespace/name`).
const HANDLERS: &str = "wasmhole_handlers";
/// The object store of module bytes (name: their SHA-256).
const MODULES: &str = "wasmhole_modules";
/// The stream of invocation logs, and its subject.
const INVOCATIONS: (&str, &str) = ("WASMHOLE_INVOCATIONS", "wasmhole.invocations");
/// The stream of the audit log, and its subject.
const AUDIT: (&str, &str) = ("WASMHOLE_AUDIT", "wasmhole.audit");
/// How long a call to NATS may take before it counts as unreachable.
pub const PATIENCE: Duration = Duration::from_secs(3);

/// A [`Store`] on NATS JetStream, with module bytes cached in a local
/// folder.
pub struct NatsStore {
    url: String,
    runtime: tokio::runtime::Runtime,
    jetstream: jetstream::Context,
    accounts: kv::Store,
    handlers: kv::Store,
    modules: object_store::ObjectStore,
    /// Local copies of module bytes: `modules/HASH/FILE`.
    cache: PathBuf,
    changes: Mutex<Option<mpsc::Receiver<Change>>>,
    invocations: Mutex<Option<mpsc::Receiver<Invocation>>>,
    /// Invocations waiting to be published, in batches: taken every
    /// [`BATCH_WINDOW`] (a request wakes no thread to share its log).
    outbox: std::sync::Arc<Mutex<Vec<Invocation>>>,
}

/// Invocations waiting to be published before new ones are kept locally.
const OUTBOX: usize = 64 * 1024;
/// How often waiting invocations are published.
const BATCH_WINDOW: Duration = Duration::from_millis(20);
/// The most invocations published as one message.
const BATCH: usize = 256;

/// Runs `work` on `runtime` and waits at most [`PATIENCE`] for it; usable
/// from any thread, async or not.
fn wait<T: Send + 'static>(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    what: &str,
    work: impl Future<Output = anyhow::Result<T>> + Send + 'static,
) -> anyhow::Result<T> {
    let (done, result) = mpsc::channel();
    runtime.spawn(async move {
        let _ = done.send(tokio::time::timeout(PATIENCE, work).await);
    });
    match result.recv() {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(e))) => Err(anyhow::anyhow!("the lattice at {url} ({what}): {e:#}")),
        Ok(Err(_)) | Err(_) => Err(anyhow::anyhow!(
            "the lattice at {url} did not answer within {} s ({what})",
            PATIENCE.as_secs()
        )),
    }
}

/// Opens key-value bucket `name`, making it first if need be. The stream
/// under it is made here, as the key-value convention lays it out, rather
/// than by `create_key_value`, which asks the server for account fields
/// that nats-server 2.9 (Debian 12's) does not send.
async fn bucket(js: &jetstream::Context, name: &str) -> anyhow::Result<kv::Store> {
    js.get_or_create_stream(stream::Config {
        name: format!("KV_{name}"),
        subjects: vec![format!("$KV.{name}.>")],
        max_messages_per_subject: 1,
        storage: stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    })
    .await?;
    Ok(js.get_key_value(name).await?)
}

impl NatsStore {
    /// Connects to the NATS server at `url`, making the buckets and
    /// streams if they are not there, with module copies kept under
    /// `cache` and at most `keep_invocations` batches of invocations in the
    /// stream.
    pub fn connect(url: &str, cache: &Path, keep_invocations: usize) -> anyhow::Result<NatsStore> {
        std::fs::create_dir_all(cache.join("modules")).map_err(|e| {
            anyhow::anyhow!("cannot make the state folder {}: {e}", cache.display())
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("lattice")
            .enable_all()
            .build()?;
        let address = url.to_string();
        // Counts (re)connections: the watchers start over at each, since a
        // restarted nats-server may not know their consumers any more.
        let (connected, connections) = tokio::sync::watch::channel(0u64);
        let (client, js, accounts, handlers, modules) =
            wait(&runtime, url, "connecting", async move {
                let client = async_nats::ConnectOptions::new()
                    .event_callback(move |event| {
                        let connected = connected.clone();
                        async move {
                            if matches!(event, async_nats::Event::Connected) {
                                connected.send_modify(|n| *n += 1);
                            }
                        }
                    })
                    .connection_timeout(PATIENCE)
                    .retry_on_initial_connect()
                    .connect(address.as_str())
                    .await?;
                let js = jetstream::new(client.clone());
                let accounts = bucket(&js, ACCOUNTS).await?;
                let handlers = bucket(&js, HANDLERS).await?;
                let modules = match js.get_object_store(MODULES).await {
                    Ok(store) => store,
                    Err(_) => {
                        js.create_object_store(object_store::Config {
                            bucket: MODULES.to_string(),
                            storage: stream::StorageType::File,
                            ..Default::default()
                        })
                        .await?
                    }
                };
                // Invocations go in batches: the stream keeps the newest
                // `keep_invocations` batches, at most 64 MiB of them.
                for (name, subject, max, bytes) in [
                    (
                        INVOCATIONS.0,
                        INVOCATIONS.1,
                        keep_invocations as i64,
                        64 << 20,
                    ),
                    (AUDIT.0, AUDIT.1, -1, -1),
                ] {
                    js.get_or_create_stream(stream::Config {
                        name: name.to_string(),
                        subjects: vec![subject.to_string()],
                        max_messages: max,
                        max_bytes: bytes,
                        storage: stream::StorageType::File,
                        ..Default::default()
                    })
                    .await?;
                }
                Ok((client, js, accounts, handlers, modules))
            })?;
        let (change_tx, change_rx) = mpsc::channel();
        runtime.spawn(watch_handlers(
            handlers.clone(),
            change_tx,
            connections.clone(),
            url.to_string(),
        ));
        let (invocation_tx, invocation_rx) = mpsc::channel();
        runtime.spawn(follow_invocations(
            client,
            js.clone(),
            invocation_tx,
            connections,
            url.to_string(),
        ));
        let outbox = std::sync::Arc::new(Mutex::new(Vec::new()));
        runtime.spawn(publish_invocations(
            js.clone(),
            outbox.clone(),
            url.to_string(),
        ));
        tracing::info!("handler service on the lattice at {url}");
        Ok(NatsStore {
            url: url.to_string(),
            runtime,
            jetstream: js,
            accounts,
            handlers,
            modules,
            cache: cache.to_path_buf(),
            changes: Mutex::new(Some(change_rx)),
            invocations: Mutex::new(Some(invocation_rx)),
            outbox,
        })
    }

    fn wait<T: Send + 'static>(
        &self,
        what: &str,
        work: impl Future<Output = anyhow::Result<T>> + Send + 'static,
    ) -> anyhow::Result<T> {
        wait(&self.runtime, &self.url, what, work)
    }

    /// Every value in `bucket`, decoded.
    fn all<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        bucket: &kv::Store,
        what: &str,
    ) -> anyhow::Result<Vec<T>> {
        let bucket = bucket.clone();
        let what_owned = what.to_string();
        self.wait(what, async move {
            let mut keys = bucket.keys().await?;
            let mut names = Vec::new();
            while let Some(key) = keys.next().await {
                names.push(key?);
            }
            let mut values = Vec::new();
            for key in names {
                if let Some(bytes) = bucket.get(key.as_str()).await? {
                    values.push(
                        serde_json::from_slice(&bytes)
                            .map_err(|e| anyhow::anyhow!("{what_owned}: {key} is damaged: {e}"))?,
                    );
                }
            }
            Ok(values)
        })
    }

    fn local_module(&self, hash: &str, file: &str) -> PathBuf {
        self.cache.join("modules").join(hash).join(file)
    }
}

/// Sends every change to the handlers bucket to `changes`, watching again
/// (from the current values) after NATS comes back.
async fn watch_handlers(
    handlers: kv::Store,
    changes: mpsc::Sender<Change>,
    mut connections: tokio::sync::watch::Receiver<u64>,
    url: String,
) {
    loop {
        connections.borrow_and_update();
        // From every handler's current value on (a change made while no
        // watch was open is not missed; applying one twice changes
        // nothing). A watch asked for as the connection drops may never be
        // answered.
        let watch = tokio::time::timeout(PATIENCE, handlers.watch_with_history(">")).await;
        match watch.unwrap_or_else(|_| Err(kv::WatchError::new(kv::WatchErrorKind::TimedOut))) {
            Ok(mut watch) => {
                tracing::debug!("lattice: watching handlers");
                while let Some(entry) = tokio::select! {
                    entry = watch.next() => entry,
                    _ = connections.changed() => None,
                } {
                    tracing::debug!("lattice: handler change {entry:?}");
                    let entry = match entry {
                        Ok(entry) => entry,
                        Err(e) => {
                            tracing::warn!("lattice at {url}: watching handlers: {e}");
                            break;
                        }
                    };
                    let change = match entry.operation {
                        kv::Operation::Put => match serde_json::from_slice(&entry.value) {
                            Ok(deployed) => Change::Put(Box::new(deployed), entry.revision),
                            Err(e) => {
                                tracing::warn!("lattice: handler {} is damaged: {e}", entry.key);
                                continue;
                            }
                        },
                        kv::Operation::Delete | kv::Operation::Purge => {
                            Change::Removed(entry.key, entry.revision)
                        }
                    };
                    if changes.send(change).is_err() {
                        return;
                    }
                }
            }
            Err(e) => tracing::warn!("lattice at {url}: cannot watch handlers: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Sends every invocation in the stream (those kept, then new ones) to
/// `invocations`, going on after the last one seen when NATS comes back.
async fn follow_invocations(
    client: async_nats::Client,
    js: jetstream::Context,
    invocations: mpsc::Sender<Invocation>,
    mut connections: tokio::sync::watch::Receiver<u64>,
    url: String,
) {
    use jetstream::consumer::{DeliverPolicy, push};
    let mut next = None;
    loop {
        connections.borrow_and_update();
        let consumer = async {
            let stream = js.get_stream(INVOCATIONS.0).await?;
            let consumer = stream
                .create_consumer(push::OrderedConfig {
                    deliver_subject: client.new_inbox(),
                    deliver_policy: match next {
                        Some(start_sequence) => DeliverPolicy::ByStartSequence { start_sequence },
                        None => DeliverPolicy::All,
                    },
                    ..Default::default()
                })
                .await?;
            anyhow::Ok(consumer.messages().await?)
        };
        let consumer = tokio::time::timeout(PATIENCE, consumer)
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer")));
        match consumer {
            Ok(mut messages) => {
                while let Some(message) = tokio::select! {
                    message = messages.next() => message,
                    _ = connections.changed() => None,
                } {
                    let message = match message {
                        Ok(message) => message,
                        Err(e) => {
                            tracing::warn!("lattice at {url}: following invocations: {e}");
                            break;
                        }
                    };
                    if let Ok(info) = message.info() {
                        next = Some(info.stream_sequence + 1);
                    }
                    let batch: Vec<Invocation> =
                        lz4_flex::decompress_size_prepended(&message.payload)
                            .ok()
                            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
                            .unwrap_or_default();
                    for invocation in batch {
                        if invocations.send(invocation).is_err() {
                            return;
                        }
                    }
                }
            }
            Err(e) => tracing::warn!("lattice at {url}: cannot follow invocations: {e:#}"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

impl Store for NatsStore {
    fn accounts(&self) -> anyhow::Result<Vec<Account>> {
        self.all(&self.accounts, "reading accounts")
    }

    fn add_account(&self, account: &Account) -> anyhow::Result<()> {
        let accounts = self.accounts.clone();
        let value = serde_json::to_vec(account)?;
        let name = account.name.clone();
        self.wait("adding an account", async move {
            match accounts.create(name.as_str(), value.into()).await {
                Ok(_) => Ok(()),
                Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => {
                    anyhow::bail!("there is already an account named {name}")
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    fn handlers(&self) -> anyhow::Result<Vec<Deployed>> {
        self.all(&self.handlers, "reading handlers")
    }

    fn put_handler(&self, handler: &Deployed) -> anyhow::Result<u64> {
        let handlers = self.handlers.clone();
        let (key, value) = (handler.id(), serde_json::to_vec(handler)?);
        self.wait("writing a handler", async move {
            Ok(handlers.put(key, value.into()).await?)
        })
    }

    fn remove_handler(&self, id: &str) -> anyhow::Result<u64> {
        let handlers = self.handlers.clone();
        let key = id.to_string();
        self.wait("removing a handler", async move {
            handlers.delete(key.as_str()).await?;
            // The delete's revision: its marker's, else the bucket's last.
            match handlers.entry(key).await? {
                Some(marker) => Ok(marker.revision),
                None => Ok(handlers.status().await?.info.state.last_sequence),
            }
        })
    }

    fn put_module(&self, bytes: &[u8], file: &str) -> anyhow::Result<String> {
        let hash = hex::encode(Sha256::digest(bytes));
        let modules = self.modules.clone();
        let (name, data) = (hash.clone(), bytes.to_vec());
        self.wait("storing a module", async move {
            if modules.info(name.as_str()).await.is_err() {
                modules.put(name.as_str(), &mut data.as_slice()).await?;
            }
            Ok(())
        })?;
        keep_locally(&self.local_module(&hash, file), bytes)?;
        Ok(hash)
    }

    fn module_file(&self, hash: &str, file: &str) -> anyhow::Result<PathBuf> {
        let path = self.local_module(hash, file);
        if path.is_file() {
            return Ok(path);
        }
        let modules = self.modules.clone();
        let name = hash.to_string();
        let bytes = self.wait("fetching a module", async move {
            use tokio::io::AsyncReadExt;
            let mut object = modules.get(name.as_str()).await?;
            let mut bytes = Vec::new();
            object.read_to_end(&mut bytes).await?;
            Ok(bytes)
        })?;
        if hex::encode(Sha256::digest(&bytes)) != hash {
            anyhow::bail!("module {hash} came from the lattice damaged");
        }
        keep_locally(&path, &bytes)?;
        Ok(path)
    }

    fn audit(&self, line: &serde_json::Value) -> anyhow::Result<()> {
        let js = self.jetstream.clone();
        let payload = line.to_string();
        self.wait("writing the audit log", async move {
            js.publish(AUDIT.1, payload.into()).await?.await?;
            Ok(())
        })
    }

    fn describe(&self) -> String {
        format!("the lattice at {}", self.url)
    }

    fn changes(&self) -> Option<mpsc::Receiver<Change>> {
        self.changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    fn invocations(&self) -> Option<mpsc::Receiver<Invocation>> {
        self.invocations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    fn share(&self, invocation: &Invocation) {
        // A full outbox (NATS slow or away for long): local only.
        let mut outbox = self.outbox.lock().unwrap_or_else(|e| e.into_inner());
        if outbox.len() < OUTBOX {
            outbox.push(invocation.clone());
        }
    }
}

/// Publishes the invocations waiting in `outbox` every [`BATCH_WINDOW`],
/// [`BATCH`] to a message; a batch NATS does not take stays in this
/// server's own log only.
async fn publish_invocations(
    js: jetstream::Context,
    outbox: std::sync::Arc<Mutex<Vec<Invocation>>>,
    url: String,
) {
    let mut ticks = tokio::time::interval(BATCH_WINDOW);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let waiting = std::mem::take(&mut *outbox.lock().unwrap_or_else(|e| e.into_inner()));
        // Each record's stderr is bounded: 256 of them fit NATS's 1 MiB
        // payload unless most are full; then they go in smaller parts.
        let mut parts: Vec<Vec<Invocation>> = Vec::new();
        let mut waiting = waiting.into_iter().peekable();
        while waiting.peek().is_some() {
            parts.push(waiting.by_ref().take(BATCH).collect());
        }
        parts.reverse();
        while let Some(part) = parts.pop() {
            // postcard, compressed: small and quick, for a stream only
            // gopherds read (a batch's records repeat most of their text).
            let Ok(payload) =
                postcard::to_allocvec(&part).map(|bytes| lz4_flex::compress_prepend_size(&bytes))
            else {
                continue;
            };
            if payload.len() > 900 * 1024 && part.len() > 1 {
                let mut part = part;
                let rest = part.split_off(part.len() / 2);
                parts.push(part);
                parts.push(rest);
                continue;
            }
            let sent = tokio::time::timeout(PATIENCE, async {
                anyhow::Ok(js.publish(INVOCATIONS.1, payload.into()).await?.await?)
            })
            .await;
            if !matches!(sent, Ok(Ok(_))) {
                // The rest would wait as long: this tick's go unshared.
                let unshared = part.len() + parts.iter().map(Vec::len).sum::<usize>();
                crate::throttle::warn(format_args!(
                    "lattice at {url}: {unshared} invocation(s) kept in this server's log only: NATS did not take them"
                ));
                break;
            }
        }
    }
}

/// Writes module bytes to `path` (through a temporary file) unless there.
fn keep_locally(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if path.is_file() {
        return Ok(());
    }
    let folder = path.parent().expect("a module file has a folder");
    let temp = folder.join(".new");
    std::fs::create_dir_all(folder)
        .and_then(|()| std::fs::write(&temp, bytes))
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| anyhow::anyhow!("cannot keep the module in {}: {e}", folder.display()))
}
