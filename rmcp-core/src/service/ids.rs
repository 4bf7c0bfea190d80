//! Where request ids and progress tokens come from.

use std::fmt::Debug;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::model::{ProgressToken, RequestId};

/// Hands out the ids of outgoing requests. Ids must be unique per connection.
pub trait RequestIdProvider: Debug + Send + Sync + 'static {
    /// The next id.
    fn next_request_id(&self) -> RequestId;
}

/// Hands out progress tokens for outgoing requests that want progress.
pub trait ProgressTokenProvider: Debug + Send + Sync + 'static {
    /// The next token.
    fn next_progress_token(&self) -> ProgressToken;
}

/// The default provider: an atomic counter counting up from 0.
#[derive(Debug, Default)]
pub struct AtomicCounter(AtomicI64);

impl AtomicCounter {
    /// A counter starting at `start`.
    pub fn starting_at(start: i64) -> Self {
        Self(AtomicI64::new(start))
    }

    fn next(&self) -> i64 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

impl RequestIdProvider for AtomicCounter {
    fn next_request_id(&self) -> RequestId {
        RequestId::Number(self.next())
    }
}

impl ProgressTokenProvider for AtomicCounter {
    fn next_progress_token(&self) -> ProgressToken {
        ProgressToken::Number(self.next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_without_repeats() {
        let c = AtomicCounter::default();
        assert_eq!(c.next_request_id(), RequestId::Number(0));
        assert_eq!(c.next_request_id(), RequestId::Number(1));
        assert_eq!(c.next_progress_token(), ProgressToken::Number(2));
    }
}
