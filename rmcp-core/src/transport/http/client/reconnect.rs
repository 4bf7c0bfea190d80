//! How long to wait before reconnecting: resuming an SSE stream, reopening the standalone GET
//! stream, or sending a request again that could not connect. The server names the delay
//! (`retry`), but a server is not trusted with it: `retry: 0` would have the client reconnect
//! in a busy loop, and hours would silence the stream for as long. Consecutive attempts that
//! bring nothing new back off exponentially, with full jitter above the server's `retry`: every
//! client of a server that restarts loses its streams at the same moment, and without jitter
//! they would all come back at the same moments too.

use std::hash::BuildHasher;
use std::time::Duration;

/// The shortest wait before a resumption, whatever the server asks: at most ten attempts a
/// second on a stream.
pub(crate) const MIN_RETRY_DELAY: Duration = Duration::from_millis(100);

/// Doubling stops here: 2^6 = 64 times the base delay (then the ceiling applies anyway).
const MAX_DOUBLINGS: usize = 6;

/// The wait before the next attempt: the server's `retry` (else `default`) for the first of
/// `failures` in a row that brought no new event; after that a random wait between that base
/// and the base doubled once per further failure; always within [`MIN_RETRY_DELAY`] and `max`
/// (a `max` below the floor counts as the floor).
pub(crate) fn delay(server_retry_ms: Option<u64>, default: Duration, max: Duration, failures: usize) -> Duration {
    jittered(server_retry_ms, default, max, failures, random_fraction())
}

/// [`delay`] with the random draw `unit` (in `[0, 1]`) given: the base plus `unit` of the room
/// the backoff leaves above it. The first attempt is not jittered: it honours the server's
/// `retry` (a stream the server closed on purpose, to be resumed then).
fn jittered(server_retry_ms: Option<u64>, default: Duration, max: Duration, failures: usize, unit: f64) -> Duration {
    let max = max.max(MIN_RETRY_DELAY);
    let base = server_retry_ms.map_or(default, Duration::from_millis).clamp(MIN_RETRY_DELAY, max);
    let doublings = failures.saturating_sub(1).min(MAX_DOUBLINGS) as u32;
    let ceiling = base.saturating_mul(1 << doublings).min(max);
    base + (ceiling - base).mul_f64(unit.clamp(0.0, 1.0))
}

/// A number in `[0, 1)` that differs between calls and processes: std's hasher keys are random
/// per process (and per call here), which is all jitter needs; no RNG crate for this.
fn random_fraction() -> f64 {
    let bits = std::collections::hash_map::RandomState::new().hash_one(0u8);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);
    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn the_server_retry_is_kept_within_bounds() {
        for unit in [0.0, 0.5, 1.0] {
            let d = |retry, default, max, n| jittered(retry, default, max, n, unit);
            assert_eq!(d(Some(500), SECOND, MINUTE, 0), Duration::from_millis(500));
            assert_eq!(d(Some(500), SECOND, MINUTE, 1), Duration::from_millis(500), "the first wait is the server's");
            assert_eq!(d(Some(0), SECOND, MINUTE, 0), MIN_RETRY_DELAY, "no busy loop");
            assert_eq!(d(Some(3_600_000), SECOND, MINUTE, 0), MINUTE, "no hour of silence");
            assert_eq!(d(Some(u64::MAX), SECOND, MINUTE, 9), MINUTE);
            assert_eq!(d(None, SECOND, MINUTE, 1), SECOND);
            assert_eq!(d(None, SECOND, Duration::ZERO, 5), MIN_RETRY_DELAY, "a ceiling below the floor");
        }
    }

    #[test]
    fn attempts_in_a_row_back_off_with_jitter_above_the_server_retry() {
        let lowest: Vec<_> = (1..=9).map(|n| jittered(Some(200), SECOND, MINUTE, n, 0.0).as_millis()).collect();
        assert_eq!(lowest, [200; 9], "never sooner than the server asked");
        let highest: Vec<_> = (1..=9).map(|n| jittered(Some(200), SECOND, MINUTE, n, 1.0).as_millis()).collect();
        assert_eq!(highest, [200, 400, 800, 1600, 3200, 6400, 12800, 12800, 12800]);
        assert_eq!(jittered(Some(200), SECOND, MINUTE, 3, 0.5), Duration::from_millis(500));
        assert_eq!(jittered(Some(20_000), SECOND, MINUTE, 9, 1.0), MINUTE, "the ceiling holds");
    }

    #[test]
    fn the_draws_vary_and_stay_in_range() {
        let draws: Vec<f64> = (0..64).map(|_| random_fraction()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)), "{draws:?}");
        assert!(draws.windows(2).any(|w| w[0] != w[1]), "{draws:?}");
        let waits: Vec<_> = (0..64).map(|_| delay(Some(100), SECOND, MINUTE, 5)).collect();
        assert!(waits.iter().all(|w| (Duration::from_millis(100)..=Duration::from_millis(1600)).contains(w)));
    }
}
