//! Resource subscriptions of 2025-era clients: the default `resources/subscribe` handling records
//! them in the handler's `ResourceSubscriptions`, and `notify_updated` tells exactly the
//! subscribers of a URI, forgetting connections that closed.

use std::time::Duration;

use rmcp_core::handler::{
    ClientHandler, ClientInfo, ProtocolPreference, ResourceSubscriptions, ServerHandler, ServerInfo,
};
use rmcp_core::model::{
    Implementation, ProtocolVersion, ResourceUpdatedNotificationParams, ServerCapabilities, SubscribeRequestParams,
    UnsubscribeRequestParams,
};
use rmcp_core::service::{NotificationContext, ServiceExt};
use rmcp_core::transport::duplex;
use rmcp_core::{RoleClient, RunningService};
use tokio::sync::mpsc;

#[derive(Clone)]
struct Server {
    subscriptions: ResourceSubscriptions,
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("watched", "1"), ServerCapabilities::default())
    }
    fn resource_subscriptions(&self) -> Option<&ResourceSubscriptions> {
        Some(&self.subscriptions)
    }
}

struct Client(mpsc::UnboundedSender<String>);

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }
    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(params.uri);
    }
}

async fn client_of(server: &Server) -> (RunningService<RoleClient, Client>, mpsc::UnboundedReceiver<String>) {
    let (a, b) = duplex(1 << 16);
    tokio::spawn(server.clone().serve(a).await.unwrap().waiting());
    let (tx, rx) = mpsc::unbounded_channel();
    (Client(tx).serve(b).await.unwrap(), rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<String>) -> Option<String> {
    tokio::time::timeout(Duration::from_millis(200), rx.recv()).await.ok().flatten()
}

#[tokio::test]
async fn updates_reach_exactly_the_subscribers() {
    let server = Server { subscriptions: ResourceSubscriptions::new() };
    let (alice, mut alice_rx) = client_of(&server).await;
    let (bob, mut bob_rx) = client_of(&server).await;
    let caps = alice.server_info().unwrap().capabilities.resources.clone().unwrap();
    assert_eq!(caps.subscribe, Some(true), "declared because the handler keeps subscriptions");

    alice.subscribe(SubscribeRequestParams::new("test://a")).await.unwrap();
    alice.subscribe(SubscribeRequestParams::new("test://a")).await.unwrap(); // once is enough
    bob.subscribe(SubscribeRequestParams::new("test://b")).await.unwrap();
    assert_eq!(server.subscriptions.subscribers("test://a"), 1);

    assert_eq!(server.subscriptions.notify_updated("test://a").await, 1);
    assert_eq!(next(&mut alice_rx).await.as_deref(), Some("test://a"));
    assert_eq!(next(&mut alice_rx).await, None, "one notification for two subscribe calls");
    assert_eq!(next(&mut bob_rx).await, None, "bob did not subscribe to test://a");

    alice.unsubscribe(UnsubscribeRequestParams::new("test://a")).await.unwrap();
    assert_eq!(server.subscriptions.notify_updated("test://a").await, 0);

    // A closed connection is forgotten.
    bob.cancel().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.subscriptions.notify_updated("test://b").await, 0);
    assert_eq!(server.subscriptions.subscribers("test://b"), 0);
}

/// Over Streamable HTTP, one process: `StreamableHttpService::notify_resource_updated` tells the
/// sessions that subscribed to the URI (through their GET stream), and not after they
/// unsubscribed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_service_tells_its_subscribed_sessions() {
    use rmcp_core::transport::http::{StreamableHttpClientTransport, StreamableHttpConfig, StreamableHttpService};

    let server = Server { subscriptions: ResourceSubscriptions::new() };
    let service = StreamableHttpService::new(move || server.clone(), StreamableHttpConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let stop = rmcp_core::CancellationToken::new();
    tokio::spawn(service.clone().serve_listener(listener, stop.clone()));

    let (tx, mut rx) = mpsc::unbounded_channel();
    let client = Client(tx).serve(StreamableHttpClientTransport::new(url)).await.unwrap();
    client.subscribe(SubscribeRequestParams::new("file:///a")).await.unwrap();
    // The client's GET stream opens in the background: announce until it hears one.
    let heard = async {
        loop {
            service.notify_resource_updated("file:///a").await;
            if let Ok(Some(uri)) = tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
                return uri;
            }
        }
    };
    let uri = tokio::time::timeout(Duration::from_secs(5), heard).await.expect("the update arrives");
    assert_eq!(uri, "file:///a");
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {}
    service.notify_resource_updated("file:///b").await;
    client.unsubscribe(UnsubscribeRequestParams::new("file:///a")).await.unwrap();
    service.notify_resource_updated("file:///a").await;
    assert_eq!(next(&mut rx).await, None, "nothing for another URI, nor after unsubscribing");
    stop.cancel();
}
