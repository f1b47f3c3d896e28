//! The wasmtime side: engines configured for fast runs, a linker per ABI, and
//! `InstancePre`s cached per program so repeated runs (gopherd requests,
//! restarts) skip compiling and linking.

use crate::execution::host::{self, Host};
use crate::module::abi::Abi;
use crate::module::compile_cache::{CacheStats, CompileCache};
use crate::module::program::Program;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use wasmtime::{Config, Engine, InstancePre, Linker, Module};

/// Most elements a table may have in a pooling allocator unless told.
pub const DEFAULT_POOL_TABLE_ELEMENTS: usize = 20_000;

/// A module whose table starts larger than the pooling allocator's slots
/// hold; the embedder names its own setting for `limit`.
#[derive(Debug, thiserror::Error)]
#[error("its table starts with {elements} elements, more than the {limit} an instance slot holds")]
pub struct TableTooLarge {
    /// Elements the module's largest table starts with.
    pub elements: u64,
    /// Elements a slot holds.
    pub limit: usize,
}

/// How often the epoch ticks; deadlines are counted in these.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// How the engine is set up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngineOptions {
    /// Count instructions so runs can have a fuel budget.
    pub fuel: bool,
    /// Keep this many instance slots ready in a pooling allocator (servers);
    /// `None` allocates on demand (one-shot command-line runs).
    pub pooling: Option<u32>,
    /// Largest linear memory any guest may have, for the pooling allocator.
    pub pool_max_memory: Option<u64>,
    /// Most elements a guest's table may have, for the pooling allocator
    /// (`None`: [`DEFAULT_POOL_TABLE_ELEMENTS`]).
    pub pool_max_table_elements: Option<usize>,
    /// Instrument code for the debugger (stepping, breakpoints, frames).
    pub debug: bool,
    /// Leave out the checks time limits need (epoch interruption): code
    /// compiles in about half the time and runs faster, but no run on this
    /// runtime can have a time limit. For one-shot runs without one.
    pub without_time_limits: bool,
    /// Keep compiled modules in this folder between runs (see
    /// `compile_cache`); `None` compiles every time.
    pub cache_dir: Option<PathBuf>,
}

/// An engine, its linkers, and compiled programs ready to instantiate.
pub struct Runtime {
    engine: Engine,
    options: EngineOptions,
    linkers: Mutex<HashMap<Abi, Arc<Linker<Host>>>>,
    cache: Option<CompileCache>,
    prepared: Mutex<HashMap<(u64, usize, Abi), InstancePre<Host>>>,
    ticker: OnceLock<()>,
}

impl Runtime {
    /// A runtime with the given engine options.
    pub fn new(options: EngineOptions) -> wasmtime::Result<Runtime> {
        let mut config = Config::new();
        config.epoch_interruption(!options.without_time_limits);
        // No ABI here uses 64-bit memories; `Program` explains the refusal.
        config.wasm_memory64(false);
        config.consume_fuel(options.fuel);
        config.guest_debug(options.debug);
        if options.debug {
            config.cranelift_opt_level(wasmtime::OptLevel::None);
            config.cranelift_regalloc_algorithm(wasmtime::RegallocAlgorithm::SinglePass);
        }
        config.wasm_backtrace_max_frames(std::num::NonZeroUsize::new(20));
        if let Some(slots) = options.pooling {
            let mut pool = wasmtime::PoolingAllocationConfig::default();
            pool.total_core_instances(slots)
                .total_memories(slots)
                .total_tables(slots)
                .max_memories_per_module(1)
                .table_elements(
                    options
                        .pool_max_table_elements
                        .unwrap_or(DEFAULT_POOL_TABLE_ELEMENTS),
                )
                .max_memory_size(options.pool_max_memory.unwrap_or(256 << 20) as usize);
            config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        }
        let engine = Engine::new(&config)?;
        let cache = options
            .cache_dir
            .as_ref()
            .map(|dir| CompileCache::new(dir, crate::module::compile_cache::DEFAULT_LIMIT));
        Ok(Runtime {
            engine,
            options,
            linkers: Mutex::new(HashMap::new()),
            cache,
            prepared: Mutex::new(HashMap::new()),
            ticker: OnceLock::new(),
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The options it was made with.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    fn linker(&self, abi: Abi) -> wasmtime::Result<Arc<Linker<Host>>> {
        let mut linkers = self.linkers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = linkers.get(&abi) {
            return Ok(l.clone());
        }
        let mut linker = Linker::new(&self.engine);
        host::link(&mut linker, abi)?;
        let linker = Arc::new(linker);
        linkers.insert(abi, linker.clone());
        Ok(linker)
    }

    /// Compiles and links a program for an ABI, or returns the cached result.
    pub fn prepare(&self, program: &Program, abi: Abi) -> wasmtime::Result<InstancePre<Host>> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        program.bytes().hash(&mut hasher);
        let key = (hasher.finish(), program.bytes().len(), abi);
        if let Some(pre) = self
            .prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(pre.clone());
        }
        crate::execution::start::check_imports(program, abi)?;
        if self.options.pooling.is_some() {
            let limit = self
                .options
                .pool_max_table_elements
                .unwrap_or(DEFAULT_POOL_TABLE_ELEMENTS);
            let elements = program.largest_table();
            if elements > limit as u64 {
                return Err(wasmtime::Error::new(TableTooLarge { elements, limit }));
            }
        }
        let bytes = program.compiled_bytes();
        let compiled = match &self.cache {
            Some(cache) => cache.module(&self.engine, bytes),
            None => Module::new(&self.engine, bytes),
        };
        // A module that does not compile is most often invalid: say where,
        // in the user's own bytes.
        let module = compiled.map_err(|e| match program.validate_code() {
            Err(invalid) => wasmtime::Error::new(invalid),
            Ok(()) => e,
        })?;
        let pre = self.linker(abi)?.instantiate_pre(&module)?;
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, pre.clone());
        Ok(pre)
    }

    /// What the on-disk compilation cache did, if there is one.
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.cache.as_ref().map(CompileCache::stats)
    }

    /// Forgets every prepared program (after modules changed on disk).
    pub fn clear_cache(&self) {
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Starts the thread that advances the epoch, once per runtime.
    pub(crate) fn ensure_ticker(&self) {
        self.ticker.get_or_init(|| {
            let weak = self.engine.weak();
            std::thread::Builder::new()
                .name("wasmhole-epoch".into())
                .spawn(move || {
                    while let Some(engine) = weak.upgrade() {
                        engine.increment_epoch();
                        drop(engine);
                        std::thread::sleep(EPOCH_TICK);
                    }
                })
                .expect("spawn the epoch thread");
        });
    }
}
