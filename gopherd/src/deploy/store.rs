//! Where the handler service keeps what must outlive a restart: accounts,
//! deployed handlers with their versions, module bytes by content hash
//! (under the name they were deployed with, which the guest sees), and
//! the audit log. One interface, [`Store`]; [`FolderStore`] keeps it all in
//! a local folder (files replaced whole, by rename, so a crash leaves the
//! old state or the new, never half of one).

use super::accounts::Account;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One deployed handler, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployed {
    /// The account it belongs to.
    pub namespace: String,
    /// Its name within the namespace.
    pub name: String,
    /// The selector prefix it answers (under `/~NAMESPACE`).
    pub route: String,
    /// Its settings.
    pub settings: Settings,
    /// Versions, oldest first; the last is the newest.
    pub versions: Vec<Version>,
    /// The hash of the version serving now.
    pub live: String,
}

impl Deployed {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The version serving now.
    pub fn live_version(&self) -> Option<&Version> {
        self.versions.iter().find(|v| v.hash == self.live)
    }
}

/// How a deployed handler runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// `wasi`, `dagger`, `olin`, or none for the one its imports show.
    pub abi: Option<String>,
    /// The export to start at, if not the ABI's usual one.
    pub invoke: Option<String>,
    /// `menu`, `text` or `binary`.
    pub kind: String,
    /// Time limit, e.g. `2s`.
    pub timeout: Option<String>,
    /// Memory limit, e.g. `16M`.
    pub memory: Option<String>,
    /// Fuel budget.
    pub fuel: Option<u64>,
    /// Output limit, e.g. `64K`.
    pub max_output: Option<String>,
}

/// One version of a handler's module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// SHA-256 of the module's bytes, in hex.
    pub hash: String,
    /// `wasm` or `wat`.
    pub format: String,
    /// The file name it was deployed from.
    pub file: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was deployed (RFC 3339).
    pub deployed: String,
    /// Who deployed it.
    pub by: String,
}

/// A change to the deployed handlers, made by this server or another,
/// with its revision: changes to one handler apply in revision order,
/// whichever server sees them first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A handler was deployed, rolled back or changed.
    Put(Box<Deployed>, u64),
    /// A handler was deleted (by its id).
    Removed(String, u64),
}

/// What the handler service keeps.
pub trait Store: Send + Sync {
    /// Every account.
    fn accounts(&self) -> anyhow::Result<Vec<Account>>;
    /// Adds an account; fails if one has its name.
    fn add_account(&self, account: &Account) -> anyhow::Result<()>;
    /// Every deployed handler.
    fn handlers(&self) -> anyhow::Result<Vec<Deployed>>;
    /// Adds or replaces a handler (by its id); the change's revision (0
    /// where this server is the only writer).
    fn put_handler(&self, handler: &Deployed) -> anyhow::Result<u64>;
    /// Removes a handler (its module bytes stay until no handler needs
    /// them); the change's revision.
    fn remove_handler(&self, id: &str) -> anyhow::Result<u64>;
    /// Keeps module bytes deployed as `file`; their hash.
    fn put_module(&self, bytes: &[u8], file: &str) -> anyhow::Result<String>;
    /// A local file, named `file`, holding the module with this hash.
    fn module_file(&self, hash: &str, file: &str) -> anyhow::Result<PathBuf>;
    /// Appends one line to the audit log.
    fn audit(&self, line: &serde_json::Value) -> anyhow::Result<()>;
    /// Where it keeps things, for messages.
    fn describe(&self) -> String;
    /// Changes to the handlers as they happen, whoever made them (taken
    /// once); `None` for a store only this server changes.
    fn changes(&self) -> Option<std::sync::mpsc::Receiver<Change>> {
        None
    }
    /// Every server's invocations as they happen (taken once); `None` for
    /// a store whose invocation logs stay with the server that made them.
    fn invocations(&self) -> Option<std::sync::mpsc::Receiver<super::logs::Invocation>> {
        None
    }
    /// Shares `invocation` with every server (the others hear of it
    /// through [`Store::invocations`]); nothing where logs are not shared.
    fn share(&self, invocation: &super::logs::Invocation) {
        let _ = invocation;
    }
}

/// A [`Store`] in a local folder: `accounts.json`, `handlers.json`,
/// `modules/HASH/FILE` and `audit.log`.
pub struct FolderStore {
    dir: PathBuf,
    /// Changes happen one at a time.
    lock: Mutex<()>,
}

impl FolderStore {
    /// Opens (making it if need be) the folder.
    pub fn open(dir: &Path) -> anyhow::Result<FolderStore> {
        std::fs::create_dir_all(dir.join("modules"))
            .map_err(|e| anyhow::anyhow!("cannot make the state folder {}: {e}", dir.display()))?;
        Ok(FolderStore {
            dir: dir.to_path_buf(),
            lock: Mutex::new(()),
        })
    }

    fn read<T: for<'de> Deserialize<'de> + Default>(&self, name: &str) -> anyhow::Result<T> {
        let path = self.dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("{} is damaged: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    fn write<T: Serialize>(&self, name: &str, value: &T) -> anyhow::Result<()> {
        let path = self.dir.join(name);
        let temp = self.dir.join(format!(".{name}.new"));
        let bytes = serde_json::to_vec_pretty(value)?;
        std::fs::write(&temp, bytes)
            .and_then(|()| std::fs::rename(&temp, &path))
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Store for FolderStore {
    fn accounts(&self) -> anyhow::Result<Vec<Account>> {
        self.read("accounts.json")
    }

    fn add_account(&self, account: &Account) -> anyhow::Result<()> {
        let _guard = self.guard();
        let mut accounts: Vec<Account> = self.read("accounts.json")?;
        if accounts.iter().any(|a| a.name == account.name) {
            anyhow::bail!("there is already an account named {}", account.name);
        }
        accounts.push(account.clone());
        self.write("accounts.json", &accounts)
    }

    fn handlers(&self) -> anyhow::Result<Vec<Deployed>> {
        self.read("handlers.json")
    }

    fn put_handler(&self, handler: &Deployed) -> anyhow::Result<u64> {
        let _guard = self.guard();
        let mut handlers: Vec<Deployed> = self.read("handlers.json")?;
        match handlers.iter_mut().find(|h| h.id() == handler.id()) {
            Some(h) => *h = handler.clone(),
            None => handlers.push(handler.clone()),
        }
        self.write("handlers.json", &handlers)?;
        Ok(0)
    }

    fn remove_handler(&self, id: &str) -> anyhow::Result<u64> {
        let _guard = self.guard();
        let mut handlers: Vec<Deployed> = self.read("handlers.json")?;
        handlers.retain(|h| h.id() != id);
        self.write("handlers.json", &handlers)?;
        Ok(0)
    }

    fn put_module(&self, bytes: &[u8], file: &str) -> anyhow::Result<String> {
        let hash = hex::encode(Sha256::digest(bytes));
        let folder = self.dir.join("modules").join(&hash);
        let path = folder.join(file);
        if !path.exists() {
            let temp = folder.join(".new");
            std::fs::create_dir_all(&folder)
                .and_then(|()| std::fs::write(&temp, bytes))
                .and_then(|()| std::fs::rename(&temp, &path))
                .map_err(|e| anyhow::anyhow!("cannot keep the module: {e}"))?;
        }
        Ok(hash)
    }

    fn module_file(&self, hash: &str, file: &str) -> anyhow::Result<PathBuf> {
        let path = self.dir.join("modules").join(hash).join(file);
        if path.is_file() {
            Ok(path)
        } else {
            anyhow::bail!("module {hash} is missing from {}", self.dir.display())
        }
    }

    fn describe(&self) -> String {
        format!("the state folder {}", self.dir.display())
    }

    fn audit(&self, line: &serde_json::Value) -> anyhow::Result<()> {
        use std::io::Write;
        let _guard = self.guard();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("audit.log"))?;
        writeln!(file, "{line}")?;
        Ok(())
    }
}
