//! `RedisSessionStore` and `RedisMessageBus` against a real `redis-server`: records round-trip,
//! expire and go; instances get distinct numbers, messages reach whom they are for, liveness
//! ends with an instance; errors (never panics) while Redis is down, and recovery after.

mod support;

use std::time::Duration;

use futures::StreamExt;
use rmcp_core::ProtocolVersion;
use rmcp_core::model::{ClientCapabilities, Implementation, InitializeRequestParams, LoggingLevel};
use rmcp_core::transport::http::{BusMessage, BusMessageKind, BusTarget, MessageBus, SessionRecord, SessionStore};
use rmcp_redis::{RedisMessageBus, RedisSessionStore};

fn record() -> SessionRecord {
    let client = InitializeRequestParams::new(
        ProtocolVersion::V2025_11_25,
        ClientCapabilities::default(),
        Implementation::new("store-test", "1"),
    );
    let mut record = SessionRecord::new(ProtocolVersion::V2025_11_25, client);
    record.log_level = Some(LoggingLevel::Warning);
    record.owner_subject = Some("alice".to_owned());
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_round_trip_live_as_long_as_asked_and_go() {
    let redis = redis_or_skip!();
    let store = RedisSessionStore::connect(&redis.url()).unwrap();
    let hour = Duration::from_secs(3600);
    assert_eq!(store.load("nope").await.unwrap(), None);
    store.save("s1", &record(), hour).await.unwrap();
    assert_eq!(store.load("s1").await.unwrap(), Some(record()), "every field comes back");

    let mut conn = redis.inspect().await;
    let pttl = |conn: &mut redis::aio::MultiplexedConnection| {
        let mut conn = conn.clone();
        async move { redis::cmd("PTTL").arg("rmcp:session:s1").query_async::<i64>(&mut conn).await.unwrap() }
    };
    store.touch("s1", Duration::from_secs(10)).await.unwrap();
    assert!((9_000..=10_000).contains(&pttl(&mut conn).await), "touch sets the TTL");

    store.save("short", &record(), Duration::from_millis(100)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(store.load("short").await.unwrap(), None, "expired");

    store.remove("s1").await.unwrap();
    assert_eq!(store.load("s1").await.unwrap(), None, "removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_down_the_store_fails_in_time_and_recovers() {
    let mut redis = redis_or_skip!();
    let store = RedisSessionStore::connect(&redis.url()).unwrap().with_command_timeout(Duration::from_millis(300));
    store.save("s", &record(), Duration::from_secs(60)).await.unwrap();
    redis.kill();
    let started = std::time::Instant::now();
    assert!(store.load("s").await.is_err(), "an error, not a hang or a panic");
    assert!(store.save("s", &record(), Duration::from_secs(60)).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(3), "each within its timeout");
    redis.restart();
    let back = async {
        loop {
            if store.save("s", &record(), Duration::from_secs(60)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), back).await.expect("the store reconnects");
    assert_eq!(store.load("s").await.unwrap(), Some(record()));
}

fn message(from: &RedisMessageBus, text: &str) -> BusMessage {
    BusMessage {
        from: from.instance(),
        session: "s".to_owned(),
        kind: BusMessageKind::FromClient,
        message: text.to_owned(),
    }
}

async fn next(stream: &mut futures::stream::BoxStream<'static, BusMessage>) -> Option<String> {
    tokio::time::timeout(Duration::from_secs(2), stream.next()).await.ok().flatten().map(|m| m.message)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_the_instances_they_are_for_and_liveness_ends_with_an_instance() {
    let redis = redis_or_skip!();
    let a = RedisMessageBus::connect(&redis.url()).await.unwrap();
    let b = RedisMessageBus::connect(&redis.url()).await.unwrap();
    assert_ne!(a.instance(), b.instance(), "distinct numbers");
    let (mut to_a, mut to_b) = (a.subscribe(), b.subscribe());
    // Subscriptions are made in the background: publish until the first one arrives.
    let ready = async {
        loop {
            b.publish(BusTarget::Instance(a.instance()), message(&b, "hello")).await.unwrap();
            if let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(100), to_a.next()).await {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), ready).await.expect("a listens");
    b.publish(BusTarget::Instance(a.instance()), message(&b, "for a")).await.unwrap();
    a.publish(BusTarget::All, message(&a, "for all")).await.unwrap();
    assert_eq!(next(&mut to_a).await.as_deref(), Some("for a"));
    assert_eq!(next(&mut to_a).await.as_deref(), Some("for all"), "a sees its own broadcast (and ignores it)");
    assert_eq!(next(&mut to_b).await.as_deref(), Some("for all"), "b got nothing meant for a");

    assert!(b.is_alive(a.instance()).await.unwrap());
    a.stop();
    let dead = async {
        while b.is_alive(a.instance()).await.unwrap() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), dead).await.expect("a is dead within its liveness TTL");
    assert!(b.is_alive(b.instance()).await.unwrap(), "b renews its own");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bus_listens_again_after_redis_comes_back() {
    let mut redis = redis_or_skip!();
    let a = RedisMessageBus::connect(&redis.url()).await.unwrap();
    let mut to_a = a.subscribe();
    redis.restart();
    let back = async {
        loop {
            let _ = a.publish(BusTarget::Instance(a.instance()), message(&a, "again")).await;
            if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(200), to_a.next()).await {
                return m.message;
            }
        }
    };
    let got = tokio::time::timeout(Duration::from_secs(10), back).await.expect("the subscription comes back");
    assert_eq!(got, "again");
}
