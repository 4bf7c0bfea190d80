//! How long to wait before resuming an SSE stream. The server names the delay (`retry`), but a
//! server is not trusted with it: `retry: 0` would have the client reconnect in a busy loop,
//! and hours would silence the stream for as long. Consecutive attempts that bring nothing new
//! wait longer and longer (doubling), so a server that fails every resumption is not hammered.

use std::time::Duration;

/// The shortest wait before a resumption, whatever the server asks: at most ten attempts a
/// second on a stream.
pub(crate) const MIN_RETRY_DELAY: Duration = Duration::from_millis(100);

/// Doubling stops here: 2^6 = 64 times the base delay (then the ceiling applies anyway).
const MAX_DOUBLINGS: usize = 6;

/// The wait before the next resumption of a stream: the server's `retry` (else `default`),
/// doubled for each attempt after the first of `failures` in a row that brought no new event,
/// and kept within [`MIN_RETRY_DELAY`] and `max` (a `max` below the floor counts as the floor).
pub(crate) fn delay(server_retry_ms: Option<u64>, default: Duration, max: Duration, failures: usize) -> Duration {
    let base = server_retry_ms.map_or(default, Duration::from_millis);
    let doublings = failures.saturating_sub(1).min(MAX_DOUBLINGS) as u32;
    base.saturating_mul(1 << doublings).clamp(MIN_RETRY_DELAY, max.max(MIN_RETRY_DELAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);
    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn the_server_retry_is_kept_within_bounds() {
        assert_eq!(delay(Some(500), SECOND, MINUTE, 0), Duration::from_millis(500));
        assert_eq!(delay(Some(0), SECOND, MINUTE, 0), MIN_RETRY_DELAY, "no busy loop");
        assert_eq!(delay(Some(3_600_000), SECOND, MINUTE, 0), MINUTE, "no hour of silence");
        assert_eq!(delay(Some(u64::MAX), SECOND, MINUTE, 9), MINUTE);
        assert_eq!(delay(None, SECOND, MINUTE, 1), SECOND);
        assert_eq!(delay(None, SECOND, Duration::ZERO, 1), MIN_RETRY_DELAY, "a ceiling below the floor");
    }

    #[test]
    fn attempts_in_a_row_back_off() {
        let waits: Vec<_> = (1..=9).map(|n| delay(Some(200), SECOND, MINUTE, n).as_millis()).collect();
        assert_eq!(waits, [200, 400, 800, 1600, 3200, 6400, 12800, 12800, 12800]);
    }
}
