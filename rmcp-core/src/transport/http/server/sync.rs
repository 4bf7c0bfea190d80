//! Small mechanisms the server's parts share: poison-tolerant locking, and queues of boxed items.

use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};

use futures_util::Stream;
use tokio::sync::mpsc;

/// Lock `mutex`, even if a thread panicked while holding it.
///
/// Every `std` lock of the server guards maps and queues that each update leaves whole (one
/// insert, remove, push or pop), so the data is consistent after a panic: ignoring the poison
/// keeps one failed request from failing every later one.
pub(crate) fn lock_ignoring_poison<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The receiving end of a queue of boxed items, as a `Stream` of the items: what an engine reads
/// its input frames from.
///
/// The server's queues (an engine's input, the queue of each HTTP response) carry boxed items
/// for the reason the engine's own queues do (see `Engine` in `service/engine.rs`): a queue then
/// costs 8 bytes a slot instead of an item's size, which also keeps the queue a POST creates for
/// what is nearly always one answer out of the allocator's slow path.
pub(crate) struct UnboxingReceiver<T>(pub(crate) mpsc::Receiver<Box<T>>);

impl<T> Stream for UnboxingReceiver<T> {
    type Item = T;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.0.poll_recv(cx).map(|item| item.map(|boxed| *boxed))
    }
}
