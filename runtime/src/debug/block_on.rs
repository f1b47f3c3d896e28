//! Drives the guest's async entry points on its own thread. Host calls are
//! synchronous and debug stops block the thread itself, so the futures only
//! ever wait on the guest: polling in a loop is enough.

use std::future::Future;
use std::task::{Context, Poll, Waker};

/// Runs a future to completion on the current thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}
