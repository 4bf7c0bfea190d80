//! `RedisEventStore` against a real Redis (a `redis-server` child per test, see `support`):
//! order, replay after a number, responses kept until delivered, sessions removed to the last
//! key, TTLs, and Redis dying or restarting under the store.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use redis::AsyncCommands;
use rmcp_core::transport::http::{EventKind, EventStore, StoredEvent};
use rmcp_redis::{RedisEventStore, RedisEventStoreOptions};

fn event(stream: u64, seq: u64, kind: EventKind) -> StoredEvent {
    StoredEvent { stream, seq, kind, data: Bytes::from(format!(r#"{{"stream":{stream},"seq":{seq}}}"#)) }
}

fn seqs(events: &[StoredEvent]) -> Vec<u64> {
    events.iter().map(|e| e.seq).collect()
}

fn store_on(redis: &support::RedisServer, options: RedisEventStoreOptions) -> RedisEventStore {
    RedisEventStore::connect(&redis.url(), options).expect("a valid URL")
}

/// Bounded: a store call that hangs fails the test instead of the run.
async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f).await.expect("the store answered within 10 s")
}

/// Every key of the test Redis.
async fn keys(conn: &mut redis::aio::MultiplexedConnection) -> Vec<String> {
    let mut keys: Vec<String> = conn.keys("*").await.unwrap();
    keys.sort();
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_and_replays_in_order_and_after_a_number() {
    let redis = redis_or_skip!();
    let store = store_on(&redis, RedisEventStoreOptions::default());
    for seq in 1..=5 {
        within(store.store("s1", event(7, seq, EventKind::Message))).await.unwrap();
    }
    within(store.store("s1", event(7, 6, EventKind::Response))).await.unwrap();
    within(store.store("s1", event(8, 1, EventKind::Message))).await.unwrap();

    let all = within(store.replay("s1", 7, 0)).await.unwrap();
    assert_eq!(seqs(&all), [1, 2, 3, 4, 5, 6]);
    assert_eq!(all[5], event(7, 6, EventKind::Response), "data and kind come back as stored");
    assert!(all[..5].iter().all(|e| e.kind == EventKind::Message && e.stream == 7));
    assert_eq!(seqs(&within(store.replay("s1", 7, 3)).await.unwrap()), [4, 5, 6]);
    assert!(within(store.replay("s1", 7, 6)).await.unwrap().is_empty());
    assert_eq!(seqs(&within(store.replay("s1", 8, 0)).await.unwrap()), [1], "streams are apart");
    assert!(within(store.replay("s2", 7, 0)).await.unwrap().is_empty(), "sessions are apart");
}

/// The transport hands a stream's events over in order but does not wait for one store before
/// the next: their futures are first polled in order, then complete in any order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_stores_of_a_stream_are_all_kept_in_order() {
    let redis = redis_or_skip!();
    let store = store_on(&redis, RedisEventStoreOptions::default());
    let stores = (1..=300).map(|seq| store.store("s", event(1, seq, EventKind::Message)));
    let results = within(futures::future::join_all(stores)).await;
    assert!(results.iter().all(Result::is_ok), "every event kept: {results:?}");
    assert_eq!(seqs(&within(store.replay("s", 1, 0)).await.unwrap()), (1..=300).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_survive_trimming_until_delivered() {
    let redis = redis_or_skip!();
    let store = store_on(&redis, RedisEventStoreOptions::default().with_max_stream_len(3).with_exact_trim(true));
    within(store.store("s", event(1, 1, EventKind::Response))).await.unwrap();
    for seq in 2..=10 {
        within(store.store("s", event(1, seq, EventKind::Message))).await.unwrap();
    }
    let kept = within(store.replay("s", 1, 0)).await.unwrap();
    assert_eq!(seqs(&kept), [1, 8, 9, 10], "the stream is trimmed, but not of its response");
    assert_eq!(kept[0].kind, EventKind::Response);
    assert_eq!(seqs(&within(store.replay("s", 1, 1)).await.unwrap()), [8, 9, 10], "replay after the response");

    // Delivered: the response goes the way of any other event (in the background).
    store.delivered("s", 1, 1);
    let mut conn = redis.inspect().await;
    let pending_key = "rmcp:events:{s}:p";
    for _ in 0..500 {
        if !conn.exists::<_, bool>(pending_key).await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!conn.exists::<_, bool>(pending_key).await.unwrap(), "delivered unpins the response");
    assert_eq!(seqs(&within(store.replay("s", 1, 0)).await.unwrap()), [8, 9, 10]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivered_response_stays_until_trimmed() {
    let redis = redis_or_skip!();
    let store = store_on(&redis, RedisEventStoreOptions::default().with_max_stream_len(3).with_exact_trim(true));
    within(store.store("s", event(1, 1, EventKind::Response))).await.unwrap();
    store.delivered("s", 1, 1);
    let mut conn = redis.inspect().await;
    for _ in 0..500 {
        if !conn.exists::<_, bool>("rmcp:events:{s}:p").await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Its client may not have read it yet, though it was written: it is still replayed.
    let kept = within(store.replay("s", 1, 0)).await.unwrap();
    assert_eq!(kept, [event(1, 1, EventKind::Response)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_session_removes_every_key_of_the_session() {
    let redis = redis_or_skip!();
    let store = store_on(&redis, RedisEventStoreOptions::default());
    for session in ["gone", "kept"] {
        for stream in 1..=3 {
            within(store.store(session, event(stream, 1, EventKind::Message))).await.unwrap();
            within(store.store(session, event(stream, 2, EventKind::Response))).await.unwrap();
        }
    }
    let mut conn = redis.inspect().await;
    assert_eq!(keys(&mut conn).await.len(), 2 * (3 + 2), "3 streams, an index and the pending responses each");
    within(store.remove_session("gone")).await;
    let left = keys(&mut conn).await;
    assert!(left.iter().all(|k| !k.contains("{gone}")), "nothing of the removed session is left: {left:?}");
    assert_eq!(left.len(), 5, "the other session is untouched: {left:?}");
    assert_eq!(seqs(&within(store.replay("kept", 2, 0)).await.unwrap()), [1, 2]);
    assert!(within(store.replay("gone", 2, 0)).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_key_has_the_session_ttl_refreshed_on_use() {
    let redis = redis_or_skip!();
    let ttl = Duration::from_secs(600);
    let store = store_on(&redis, RedisEventStoreOptions::default().with_session_ttl(ttl));
    within(store.store("s", event(1, 1, EventKind::Response))).await.unwrap();
    within(store.store("s", event(1, 2, EventKind::Message))).await.unwrap();
    let mut conn = redis.inspect().await;
    let all = keys(&mut conn).await;
    assert_eq!(all.len(), 3, "{all:?}");
    for key in &all {
        let left: i64 = conn.pttl(key).await.unwrap();
        assert!(left > 0 && left <= 600_000, "{key} expires within the TTL: {left} ms");
        // Nearly expired: the next replay gives it the whole TTL again.
        let _: bool = conn.pexpire(key, 5_000).await.unwrap();
    }
    within(store.replay("s", 1, 0)).await.unwrap();
    for key in &all {
        let left: i64 = conn.pttl(key).await.unwrap();
        assert!(left > 5_000, "{key}'s TTL was refreshed by a replay: {left} ms");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_test_gives_errors_not_hangs() {
    let mut redis = redis_or_skip!();
    let options = RedisEventStoreOptions::default().with_command_timeout(Duration::from_millis(500));
    let store = store_on(&redis, options);
    within(store.store("s", event(1, 1, EventKind::Message))).await.unwrap();
    redis.kill();
    // Each call gives up within its timeout; 10 s (in `within`) is the test's own bound.
    for seq in 2..=4 {
        assert!(within(store.store("s", event(1, seq, EventKind::Response))).await.is_err(), "refused");
        store.delivered("s", 1, seq);
    }
    assert!(within(store.replay("s", 1, 0)).await.is_err(), "a failed replay, not an empty one");
    within(store.remove_session("s")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_recovers_when_redis_is_back() {
    let mut redis = redis_or_skip!();
    let options = RedisEventStoreOptions::default().with_command_timeout(Duration::from_millis(500));
    let store = store_on(&redis, options);
    within(store.store("s", event(1, 1, EventKind::Message))).await.unwrap();
    redis.kill();
    assert!(within(store.store("s", event(1, 2, EventKind::Message))).await.is_err());
    // Back, empty (nothing persisted), and without the store's scripts.
    redis.restart();
    let mut stored = Err(());
    for _ in 0..50 {
        stored = within(store.store("s", event(1, 3, EventKind::Message))).await.map_err(drop);
        if stored.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(stored.is_ok(), "the store reconnected");
    within(store.store("s", event(1, 4, EventKind::Response))).await.unwrap();
    assert_eq!(seqs(&within(store.replay("s", 1, 0)).await.unwrap()), [3, 4], "what was stored since");
}

/// `INFO commandstats` as command → calls.
async fn command_calls(conn: &mut redis::aio::MultiplexedConnection) -> HashMap<String, u64> {
    let info: String = redis::cmd("INFO").arg("commandstats").query_async(conn).await.unwrap();
    info.lines()
        .filter_map(|line| {
            let (name, rest) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = rest.split(',').find_map(|kv| kv.strip_prefix("calls="))?.parse().ok()?;
            Some((name.to_owned(), calls))
        })
        .collect()
}

/// Redis commands per store and per replay, from `INFO commandstats`: one round trip (one
/// `EVALSHA`) each, and the commands the scripts run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_per_stored_event_and_per_replay() {
    let redis = redis_or_skip!();
    let store = store_on(&redis, RedisEventStoreOptions::default());
    let mut conn = redis.inspect().await;
    // Load the scripts first, so that the counts are those of a warm store.
    within(store.store("warm", event(1, 1, EventKind::Response))).await.unwrap();
    within(store.replay("warm", 1, 0)).await.unwrap();
    let n = 100u64;
    let reset = async |conn: &mut redis::aio::MultiplexedConnection| {
        let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query_async(conn).await.unwrap();
    };
    // Commands per operation, total and by name, and one round trip each.
    let per = async |conn: &mut redis::aio::MultiplexedConnection, what: &str| {
        let mut calls = command_calls(conn).await;
        calls.retain(|name, _| !name.starts_with("config"));
        let per = |c: u64| c as f64 / n as f64;
        let mut list: Vec<_> = calls.iter().map(|(k, v)| format!("{k} {}", per(*v))).collect();
        list.sort();
        let total = per(calls.values().sum());
        println!("per {what}: {total} Redis commands ({})", list.join(", "));
        assert_eq!(calls["evalsha"], n, "one round trip per {what}");
        total
    };
    reset(&mut conn).await;
    for seq in 1..=n {
        within(store.store("m", event(1, seq, EventKind::Message))).await.unwrap();
    }
    let message = per(&mut conn, "notification").await;
    reset(&mut conn).await;
    for stream in 1..=n {
        within(store.store("r", event(stream, 1, EventKind::Response))).await.unwrap();
    }
    let response = per(&mut conn, "response").await;
    reset(&mut conn).await;
    for after in 0..n {
        within(store.replay("m", 1, after)).await.unwrap();
    }
    let replay = per(&mut conn, "replay").await;
    assert_eq!((message, response, replay), (5.0, 7.0, 6.0), "commands per notification, response, replay");
}
