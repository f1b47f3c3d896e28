//! Compiled modules kept on disk between runs, so a large guest is compiled
//! once rather than at every start (as `wasmtime run` keeps its own).
//!
//! An entry is keyed by a SHA-256 of the bytes compiled and of everything
//! about the engine that changes the machine code (its configuration, the
//! target, the wasmtime version), and lives in the user's cache folder
//! (`$XDG_CACHE_HOME/wasmhole`, else `~/.cache/wasmhole`) unless a front end
//! names another or turns caching off. Deserializing compiled code is
//! trusted code loading, so an entry is never believed on sight: its file
//! holds a SHA-256 of its contents, checked before wasmtime sees a byte; a
//! damaged, truncated or stale entry is ignored, compiled afresh and
//! rewritten. Files are written to a temporary name and renamed into place,
//! so no reader ever sees half an entry. The folder is kept under a size
//! limit, the least recently used entries going first.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};
use wasmtime::{Engine, Module};

/// What every entry file starts with.
const MAGIC: &[u8; 16] = b"wasmhole-cwasm1\n";
/// Bytes of the checksum after the magic.
const SUM: usize = 32;
/// The folder's size limit, past which the oldest entries are removed.
pub const DEFAULT_LIMIT: u64 = 1 << 30;
/// Temporary files older than this were left by a process that died.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// The cache folder front ends chose for this process (`None`: no caching).
static CONFIGURED: RwLock<Option<PathBuf>> = RwLock::new(None);

/// Sets the cache folder this process's front end chose, `None` to turn
/// caching off. Engines made afterwards that ask [`configured`] use it.
pub fn configure(dir: Option<PathBuf>) {
    *CONFIGURED.write().unwrap_or_else(|e| e.into_inner()) = dir;
}

/// The cache folder set with [`configure`], if any.
pub fn configured() -> Option<PathBuf> {
    CONFIGURED.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The user's cache folder for wasmhole: `$XDG_CACHE_HOME/wasmhole`, else
/// `~/.cache/wasmhole`.
pub fn default_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::home_dir().map(|h| h.join(".cache")))
        .map(|p| p.join("wasmhole"))
}

/// What happened to lookups, for tests and curious people.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Modules loaded from the cache.
    pub hits: u64,
    /// Modules compiled because no entry existed.
    pub misses: u64,
    /// Entries found damaged or stale, compiled afresh and rewritten.
    pub rejected: u64,
    /// Entries that could not be written (the run went on without).
    pub write_failures: u64,
}

/// A cache folder.
#[derive(Debug)]
pub struct CompileCache {
    dir: PathBuf,
    limit: u64,
    hits: AtomicU64,
    misses: AtomicU64,
    rejected: AtomicU64,
    write_failures: AtomicU64,
}

/// Feeds `Hash` output into SHA-256.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        0
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl CompileCache {
    /// A cache in `dir` (created when first written), kept under `limit` bytes.
    pub fn new(dir: impl Into<PathBuf>, limit: u64) -> CompileCache {
        CompileCache {
            dir: dir.into(),
            limit,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            write_failures: AtomicU64::new(0),
        }
    }

    /// Its folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What lookups did so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            write_failures: self.write_failures.load(Ordering::Relaxed),
        }
    }

    /// The file an entry for `bytes` compiled by `engine` lives in.
    pub fn entry_path(&self, engine: &Engine, bytes: &[u8]) -> PathBuf {
        let mut h = ShaHasher(Sha256::new());
        h.write(MAGIC);
        h.write(env!("CARGO_PKG_VERSION").as_bytes());
        engine.precompile_compatibility_hash().hash(&mut h);
        h.write(&(bytes.len() as u64).to_le_bytes());
        h.write(bytes);
        self.dir
            .join(format!("{}.cwasm", hex(&h.0.finalize()[..20])))
    }

    /// `bytes` compiled by `engine`: from the cache when a sound entry is
    /// there, else compiled and written for next time.
    pub fn module(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Module> {
        let path = self.entry_path(engine, bytes);
        match std::fs::read(&path) {
            Ok(file) => match payload(&file) {
                // SAFETY: the payload is, byte for byte (its SHA-256 was
                // checked), what `Module::serialize` wrote for exactly these
                // module bytes and an engine configured as this one (both
                // are in the file's name). wasmtime checks its own version
                // and settings again and refuses what does not match.
                Some(serialized) => match unsafe { Module::deserialize(engine, serialized) } {
                    Ok(module) => {
                        self.hits.fetch_add(1, Ordering::Relaxed);
                        touch(&path);
                        return Ok(module);
                    }
                    Err(_) => self.rejected.fetch_add(1, Ordering::Relaxed),
                },
                None => self.rejected.fetch_add(1, Ordering::Relaxed),
            },
            Err(_) => self.misses.fetch_add(1, Ordering::Relaxed),
        };
        let module = Module::new(engine, bytes)?;
        let stored = module
            .serialize()
            .map_err(std::io::Error::other)
            .and_then(|serialized| self.store(&path, &serialized));
        if stored.is_err() {
            self.write_failures.fetch_add(1, Ordering::Relaxed);
        }
        Ok(module)
    }

    /// Writes an entry atomically, then trims the folder to its limit.
    fn store(&self, path: &Path, serialized: &[u8]) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        let mut file = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(&self.dir)?;
        file.write_all(MAGIC)?;
        file.write_all(&Sha256::digest(serialized))?;
        file.write_all(serialized)?;
        // No fsync: an entry a crash left half-written fails its checksum
        // and is rewritten.
        file.persist(path).map_err(|e| e.error)?;
        self.trim();
        Ok(())
    }

    /// Removes the least recently used entries while the folder is over its
    /// limit, and temporary files a dead process left.
    fn trim(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        let mut files = Vec::new();
        let mut total = 0u64;
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".tmp-") {
                if now.duration_since(modified).unwrap_or_default() > STALE_TEMP {
                    let _ = std::fs::remove_file(entry.path());
                }
                continue;
            }
            if name.ends_with(".cwasm") {
                total += meta.len();
                files.push((modified, meta.len(), entry.path()));
            }
        }
        if total <= self.limit {
            return;
        }
        files.sort();
        for (_, len, path) in files {
            if total <= self.limit / 4 * 3 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

/// The serialized module in an entry file, if the file is whole.
fn payload(file: &[u8]) -> Option<&[u8]> {
    let rest = file.strip_prefix(MAGIC)?;
    if rest.len() < SUM {
        return None;
    }
    let (sum, serialized) = rest.split_at(SUM);
    (Sha256::digest(serialized).as_slice() == sum).then_some(serialized)
}

/// Marks an entry as just used, for the size limit's eviction order.
fn touch(path: &Path) {
    if let Ok(f) = std::fs::File::options().write(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// Creates the folder readable only by its owner: it holds machine code.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(fuel: bool) -> Engine {
        let mut config = wasmtime::Config::new();
        config.consume_fuel(fuel);
        Engine::new(&config).unwrap()
    }

    fn module_bytes(n: i32) -> Vec<u8> {
        wat::parse_str(format!(
            r#"(module (func (export "f") (result i32) (i32.const {n})))"#
        ))
        .unwrap()
    }

    fn call_f(engine: &Engine, module: &Module) -> i32 {
        let mut store = wasmtime::Store::new(engine, ());
        // Engines that count fuel need some; the others refuse it.
        let _ = store.set_fuel(1000);
        let instance = wasmtime::Instance::new(&mut store, module, &[]).unwrap();
        instance
            .get_typed_func::<(), i32>(&mut store, "f")
            .unwrap()
            .call(&mut store, ())
            .unwrap()
    }

    #[test]
    fn a_second_lookup_is_a_hit_and_runs_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(false);
        let bytes = module_bytes(7);
        let cache = CompileCache::new(dir.path(), DEFAULT_LIMIT);
        let first = cache.module(&e, &bytes).unwrap();
        assert_eq!(cache.stats().misses, 1);
        assert!(cache.entry_path(&e, &bytes).exists());
        let again = CompileCache::new(dir.path(), DEFAULT_LIMIT);
        let second = again.module(&e, &bytes).unwrap();
        assert_eq!(again.stats().hits, 1);
        assert_eq!(call_f(&e, &first), 7);
        assert_eq!(call_f(&e, &second), 7);
    }

    #[test]
    fn different_modules_and_engines_have_different_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CompileCache::new(dir.path(), DEFAULT_LIMIT);
        let (plain, fueled) = (engine(false), engine(true));
        let a = cache.entry_path(&plain, &module_bytes(1));
        assert_ne!(a, cache.entry_path(&plain, &module_bytes(2)));
        assert_ne!(a, cache.entry_path(&fueled, &module_bytes(1)));
        assert_eq!(a, cache.entry_path(&engine(false), &module_bytes(1)));
    }

    #[test]
    fn damaged_entries_are_ignored_and_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(false);
        let bytes = module_bytes(9);
        CompileCache::new(dir.path(), DEFAULT_LIMIT)
            .module(&e, &bytes)
            .unwrap();
        let path = CompileCache::new(dir.path(), DEFAULT_LIMIT).entry_path(&e, &bytes);
        let good = std::fs::read(&path).unwrap();
        let damages: Vec<Vec<u8>> = vec![
            {
                let mut flipped = good.clone();
                let last = flipped.len() - 1;
                flipped[last] ^= 0x40;
                flipped
            },
            good[..good.len() / 2].to_vec(),
            Vec::new(),
            b"not a cache entry".to_vec(),
        ];
        for damaged in damages {
            std::fs::write(&path, &damaged).unwrap();
            let cache = CompileCache::new(dir.path(), DEFAULT_LIMIT);
            let module = cache.module(&e, &bytes).unwrap();
            assert_eq!(cache.stats().rejected, 1, "a damaged entry is not trusted");
            assert_eq!(call_f(&e, &module), 9);
            assert_eq!(std::fs::read(&path).unwrap(), good, "and it was rewritten");
        }
    }

    #[test]
    fn a_sound_entry_from_an_incompatible_engine_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let (plain, fueled) = (engine(false), engine(true));
        let bytes = module_bytes(3);
        let cache = CompileCache::new(dir.path(), DEFAULT_LIMIT);
        cache.module(&fueled, &bytes).unwrap();
        // The fueled engine's entry, whole and checksummed, where the plain
        // engine looks: wasmtime refuses it, and it is replaced.
        std::fs::copy(
            cache.entry_path(&fueled, &bytes),
            cache.entry_path(&plain, &bytes),
        )
        .unwrap();
        let fresh = CompileCache::new(dir.path(), DEFAULT_LIMIT);
        let module = fresh.module(&plain, &bytes).unwrap();
        assert_eq!(fresh.stats().rejected, 1);
        assert_eq!(call_f(&plain, &module), 3);
        let again = CompileCache::new(dir.path(), DEFAULT_LIMIT);
        again.module(&plain, &bytes).unwrap();
        assert_eq!(again.stats().hits, 1);
    }

    #[test]
    fn the_folder_is_kept_under_its_limit_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(false);
        let cache = CompileCache::new(dir.path(), DEFAULT_LIMIT);
        cache.module(&e, &module_bytes(1)).unwrap();
        let one = std::fs::metadata(cache.entry_path(&e, &module_bytes(1)))
            .unwrap()
            .len();
        let old = SystemTime::now() - Duration::from_secs(100);
        std::fs::File::options()
            .write(true)
            .open(cache.entry_path(&e, &module_bytes(1)))
            .unwrap()
            .set_modified(old)
            .unwrap();
        // Room for about two entries: writing a third evicts the oldest.
        let small = CompileCache::new(dir.path(), one * 2 + one / 2);
        small.module(&e, &module_bytes(2)).unwrap();
        small.module(&e, &module_bytes(3)).unwrap();
        assert!(!small.entry_path(&e, &module_bytes(1)).exists());
        assert!(small.entry_path(&e, &module_bytes(3)).exists());
    }

    #[test]
    fn an_unwritable_folder_only_costs_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let blocked = dir.path().join("file-not-folder");
        std::fs::write(&blocked, b"").unwrap();
        let e = engine(false);
        let cache = CompileCache::new(&blocked, DEFAULT_LIMIT);
        let module = cache.module(&e, &module_bytes(5)).unwrap();
        assert_eq!(call_f(&e, &module), 5);
        assert_eq!(cache.stats().write_failures, 1);
    }
}
