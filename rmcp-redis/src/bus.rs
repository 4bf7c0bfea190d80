//! [`RedisMessageBus`]: the instances of a server reach each other over Redis pub/sub, and tell
//! each other they are alive.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use rmcp_core::transport::http::{BusError, BusMessage, BusTarget, InstanceId, MessageBus};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::connect::{connection, with_timeout};

/// How often an instance renews its liveness key.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// How long a liveness key lives unrenewed: an instance that stopped renewing it for this long
/// is dead to the others.
const LIVENESS_TTL: Duration = Duration::from_secs(3);
/// How long a command may take.
const TIMEOUT: Duration = Duration::from_secs(2);
/// At most this many messages received and not yet read by the service; beyond, the newest
/// are dropped (the bus delivers at most once).
const MAX_BUFFERED: usize = 4096;

/// A [`MessageBus`] on Redis: each instance takes a number from a counter (`INCR
/// <prefix>instances`), keeps `<prefix>alive:<n>` alive (renewed every second, gone three
/// seconds after the instance stops), and listens on two channels, `<prefix>bus:<n>` and
/// `<prefix>bus:all`, on a connection of its own that reconnects by itself. Messages are
/// JSON.
///
/// ```no_run
/// use std::sync::Arc;
///
/// use rmcp_core::transport::http::StreamableHttpConfig;
/// use rmcp_redis::{RedisMessageBus, RedisSessionStore};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let url = "redis://127.0.0.1:6379/";
/// let config = StreamableHttpConfig::default()
///     .with_session_store(Some(Arc::new(RedisSessionStore::connect(url)?)))
///     .with_message_bus(Some(Arc::new(RedisMessageBus::connect(url).await?)));
/// # let _ = config;
/// # Ok(())
/// # }
/// ```
pub struct RedisMessageBus {
    instance: InstanceId,
    conn: ConnectionManager,
    client: redis::Client,
    prefix: String,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// What the listener received, until the service takes it ([`MessageBus::subscribe`]).
    incoming: Mutex<Option<mpsc::Receiver<BusMessage>>>,
}

impl fmt::Debug for RedisMessageBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisMessageBus").field("instance", &self.instance).field("prefix", &self.prefix).finish()
    }
}

impl RedisMessageBus {
    /// Join the instances using the Redis at `url`, keys and channels under `rmcp:`: take an
    /// instance number and start renewing its liveness. Fails when Redis cannot be reached.
    pub async fn connect(url: &str) -> Result<Self, redis::RedisError> {
        Self::connect_with_prefix(url, "rmcp:").await
    }

    /// [`connect`](Self::connect), with keys and channels under `prefix`.
    pub async fn connect_with_prefix(url: &str, prefix: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let mut conn = connection(url, TIMEOUT)?;
        let counter = format!("{prefix}instances");
        let n: u64 = with_timeout(TIMEOUT, conn.incr(&counter, 1)).await?;
        // Numbers wrap within the range tagged ids allow; one still alive is skipped.
        let mut candidate = n;
        let instance = loop {
            let number = (candidate % u64::from(InstanceId::MAX)) as u32 + 1;
            let key = format!("{prefix}alive:{number}");
            let taken: bool = with_timeout(
                TIMEOUT,
                redis::cmd("SET")
                    .arg(&key)
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(LIVENESS_TTL.as_millis() as u64)
                    .query_async(&mut conn),
            )
            .await
            .map(|v: Option<String>| v.is_some())?;
            if taken {
                break InstanceId::new(number).expect("in range");
            }
            candidate = with_timeout(TIMEOUT, conn.incr(&counter, 1)).await?;
        };
        let mut bus = Self {
            instance,
            conn,
            client,
            prefix: prefix.to_owned(),
            tasks: Mutex::new(Vec::new()),
            incoming: Mutex::new(None),
        };
        // Subscribed before this returns: a message sent to the instance as soon as it serves
        // is not lost (pub/sub keeps nothing for a subscriber that is not there yet).
        let channels = vec![bus.channel(BusTarget::Instance(instance)), bus.channel(BusTarget::All)];
        let first = subscribed(&bus.client, &channels).await?;
        let (tx, rx) = mpsc::channel(MAX_BUFFERED);
        let listener = tokio::spawn(listen(bus.client.clone(), channels, tx, Some(first)));
        let heartbeat = tokio::spawn(heartbeat(bus.conn.clone(), bus.alive_key(instance)));
        *bus.incoming.get_mut().unwrap_or_else(|e| e.into_inner()) = Some(rx);
        bus.tasks.get_mut().unwrap_or_else(|e| e.into_inner()).extend([listener, heartbeat]);
        Ok(bus)
    }

    fn alive_key(&self, instance: InstanceId) -> String {
        format!("{}alive:{instance}", self.prefix)
    }

    fn channel(&self, to: BusTarget) -> String {
        match to {
            BusTarget::Instance(i) => format!("{}bus:{i}", self.prefix),
            BusTarget::All => format!("{}bus:all", self.prefix),
        }
    }

    /// Stop renewing this instance's liveness and listening, as a crashed instance would: the
    /// others find it dead once its key expires. For tests of what survives an instance.
    pub fn stop(&self) {
        for task in self.tasks.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            task.abort();
        }
    }
}

impl Drop for RedisMessageBus {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Renew `key` every [`HEARTBEAT`] for as long as the task runs.
async fn heartbeat(mut conn: ConnectionManager, key: String) {
    let mut tick = tokio::time::interval(HEARTBEAT);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let renewed = with_timeout(TIMEOUT, conn.pset_ex::<_, _, ()>(&key, 1, LIVENESS_TTL.as_millis() as u64)).await;
        if let Err(e) = renewed {
            tracing::warn!(error = %e, "could not renew this instance's liveness in Redis");
        }
    }
}

/// Listen on `channels` for ever, reconnecting after a failure, and pass what comes to `tx`.
async fn listen(
    client: redis::Client,
    channels: Vec<String>,
    tx: mpsc::Sender<BusMessage>,
    mut first: Option<redis::aio::PubSub>,
) {
    let mut backoff = Duration::from_millis(50);
    loop {
        let pubsub = match first.take() {
            Some(pubsub) => Ok(pubsub),
            None => subscribed(&client, &channels).await,
        };
        match pubsub {
            Ok(pubsub) => {
                backoff = Duration::from_millis(50);
                let mut messages = pubsub.into_on_message();
                while let Some(msg) = messages.next().await {
                    let Ok(payload) = msg.get_payload::<String>() else { continue };
                    match serde_json::from_str::<BusMessage>(&payload) {
                        Ok(message) => {
                            if tx.try_send(message).is_err() && tx.is_closed() {
                                return;
                            }
                        }
                        Err(e) => tracing::debug!(error = %e, "a malformed message on the bus; dropped"),
                    }
                }
                tracing::warn!("the bus connection to Redis closed; reconnecting");
            }
            Err(e) => tracing::warn!(error = %e, "could not listen on the bus; retrying"),
        }
        if tx.is_closed() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

async fn subscribed(client: &redis::Client, channels: &[String]) -> Result<redis::aio::PubSub, redis::RedisError> {
    let mut pubsub = with_timeout(TIMEOUT, client.get_async_pubsub()).await?;
    for channel in channels {
        with_timeout(TIMEOUT, pubsub.subscribe(channel)).await?;
    }
    Ok(pubsub)
}

impl MessageBus for RedisMessageBus {
    fn instance(&self) -> InstanceId {
        self.instance
    }

    fn publish(&self, to: BusTarget, message: BusMessage) -> BoxFuture<'_, Result<(), BusError>> {
        let channel = self.channel(to);
        Box::pin(async move {
            let payload = serde_json::to_string(&message).map_err(|e| BusError(e.into()))?;
            let mut conn = self.conn.clone();
            with_timeout(TIMEOUT, conn.publish::<_, _, ()>(channel, payload)).await.map_err(|e| BusError(e.into()))
        })
    }

    /// The messages received since [`connect`](RedisMessageBus::connect); a second call gets an
    /// empty stream (the service calls it once).
    fn subscribe(&self) -> BoxStream<'static, BusMessage> {
        match self.incoming.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(rx) => futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|m| (m, rx)) }).boxed(),
            None => futures::stream::empty().boxed(),
        }
    }

    fn is_alive(&self, instance: InstanceId) -> BoxFuture<'_, Result<bool, BusError>> {
        let key = self.alive_key(instance);
        Box::pin(async move {
            let mut conn = self.conn.clone();
            with_timeout(TIMEOUT, conn.exists(key)).await.map_err(|e| BusError(e.into()))
        })
    }
}
