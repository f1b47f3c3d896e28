//! The threads requests are worked on (handlers run, files opened, folders
//! listed): a pool that starts a thread only when every thread it has is
//! busy, never has more than its cap, and lets a thread go after a minute
//! without work. Under a steady load its size is the most requests ever
//! worked on at once, so threads and memory stay flat (a pool that counts
//! a thread finishing its job as busy grows a little on every race).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long a thread waits for work before it ends.
const IDLE: Duration = Duration::from_secs(60);

type Job = Box<dyn FnOnce(&Shared) + Send>;

/// A pool of worker threads.
pub struct Workers {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    cap: usize,
    name: &'static str,
}

#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    /// Threads alive.
    threads: usize,
    /// Jobs queued or running.
    busy: usize,
}

impl Workers {
    /// A pool of at most `cap` threads named `name`.
    pub fn new(name: &'static str, cap: usize) -> Workers {
        Workers {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                wake: Condvar::new(),
                cap: cap.max(1),
                name,
            }),
        }
    }

    /// Runs `job` on a worker thread; its result comes through the
    /// receiver (closed without a value if the job panicked).
    pub fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> tokio::sync::oneshot::Receiver<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        // The job counts as done before its answer goes out, so a caller
        // that answers with the next job finds this thread free.
        let job: Job = Box::new(move |shared: &Shared| {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            shared.lock().busy -= 1;
            // A panicking job drops its sender: the caller hears of it.
            if let Ok(out) = out {
                let _ = tx.send(out);
            }
        });
        let mut state = self.shared.lock();
        state.jobs.push_back(job);
        state.busy += 1;
        if state.busy > state.threads && state.threads < self.shared.cap {
            let shared = self.shared.clone();
            let spawned = std::thread::Builder::new()
                .name(self.shared.name.into())
                .spawn(move || work(&shared));
            if spawned.is_ok() {
                state.threads += 1;
            }
        }
        drop(state);
        self.shared.wake.notify_one();
        rx
    }

    /// Threads alive now.
    pub fn threads(&self) -> usize {
        self.shared.lock().threads
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn work(shared: &Shared) {
    let mut state = shared.lock();
    loop {
        if let Some(job) = state.jobs.pop_front() {
            drop(state);
            job(shared);
            state = shared.lock();
            continue;
        }
        let (next, timeout) = shared
            .wake
            .wait_timeout(state, IDLE)
            .unwrap_or_else(|e| e.into_inner());
        state = next;
        if timeout.timed_out() && state.jobs.is_empty() {
            state.threads -= 1;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn threads_grow_only_to_the_jobs_running_at_once() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let workers = Workers::new("test-worker", 64);
        for _ in 0..1000 {
            let rx = workers.run(|| 2 + 2);
            assert_eq!(rt.block_on(rx).unwrap(), 4);
        }
        assert_eq!(workers.threads(), 1, "one job at a time needs one thread");
        let ran = Arc::new(AtomicUsize::new(0));
        for _ in 0..50 {
            let batch: Vec<_> = (0..4)
                .map(|_| {
                    let ran = ran.clone();
                    workers.run(move || {
                        std::thread::sleep(Duration::from_millis(1));
                        ran.fetch_add(1, Ordering::SeqCst);
                    })
                })
                .collect();
            for rx in batch {
                rt.block_on(rx).unwrap();
            }
        }
        assert_eq!(ran.load(Ordering::SeqCst), 200);
        assert_eq!(workers.threads(), 4, "four at once need four threads");
    }

    #[test]
    fn the_cap_holds_and_work_beyond_it_waits() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let workers = Workers::new("test-worker", 3);
        let jobs: Vec<_> = (0..20)
            .map(|i| {
                workers.run(move || {
                    std::thread::sleep(Duration::from_millis(2));
                    i
                })
            })
            .collect();
        assert_eq!(workers.threads(), 3);
        let results: Vec<i32> = jobs
            .into_iter()
            .map(|rx| rt.block_on(rx).unwrap())
            .collect();
        assert_eq!(results, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn a_panicking_job_closes_its_answer_and_the_pool_goes_on() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let workers = Workers::new("test-worker", 2);
        let failed = workers.run(|| -> u8 { panic!("a job failed") });
        assert!(rt.block_on(failed).is_err());
        assert_eq!(rt.block_on(workers.run(|| 7)).unwrap(), 7);
    }
}
