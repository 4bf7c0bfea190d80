//! Listen streams (`Peer::listen`) over real transports: over HTTP on 127.0.0.1 a 2026-07-28
//! stream gets the tool list changes and the updates of the resources it watches (and not of
//! others), reconnects when the server restarts on the same port and keeps delivering, and
//! closes on the server when dropped; on a 2025-11-25 session (HTTP, or an in-process pair) the
//! same call works through `resources/subscribe`; over an in-process pair a server without
//! `subscriptions/listen` ends a 2026 stream with its refusal.

mod catalog_support;

use std::time::Duration;

use catalog_support::{Catalog, Quiet, eventually, serve, serve_at};
use futures::StreamExt;
use rmcp_core::client::{ListenEvent, ListenOptions, ListenStream};
use rmcp_core::handler::ServerHandler;
use rmcp_core::model::{CallToolRequestParams, ErrorCode, SubscriptionFilter};
use rmcp_core::service::{ServiceError, ServiceExt};
use rmcp_core::transport::duplex;
use rmcp_core::transport::http::StreamableHttpClientTransport;

/// The next event, within 10 s.
async fn next(stream: &mut ListenStream) -> Result<ListenEvent, ServiceError> {
    tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("an event within 10 s")
        .expect("the stream goes on")
}

fn watching(uri: &str) -> SubscriptionFilter {
    SubscriptionFilter::new().with_tools_list_changed().with_resource_subscription(uri)
}

#[tokio::test]
async fn a_listen_stream_gets_what_it_asked_for_over_http() {
    let server = serve(Catalog::new(None)).await;
    let client = Quiet::stateless().serve(StreamableHttpClientTransport::new(&server.url)).await.unwrap();
    let mut events = client.listen(watching("doc://watched"));
    assert_eq!(next(&mut events).await.unwrap(), ListenEvent::Acknowledged(watching("doc://watched")));

    client.call_tool(CallToolRequestParams::new("change")).await.unwrap();
    assert_eq!(next(&mut events).await.unwrap(), ListenEvent::ToolListChanged);

    // The unwatched URI's update comes first if it comes at all: the next event is the other's.
    server.service.notify_resource_updated("doc://unwatched").await;
    server.service.notify_resource_updated("doc://watched").await;
    match next(&mut events).await.unwrap() {
        ListenEvent::ResourceUpdated(updated) => assert_eq!(updated.uri, "doc://watched"),
        other => panic!("expected the watched resource's update, got {other:?}"),
    }
    assert_eq!(server.service.stats().listen_streams, 1);
}

#[tokio::test]
async fn a_listen_stream_survives_two_restarts_on_the_same_port() {
    let catalog = Catalog::new(None);
    let mut server = serve(catalog.clone()).await;
    let client = Quiet::stateless().serve(StreamableHttpClientTransport::new(&server.url)).await.unwrap();
    // The first try comes a second after the break: the new server is up by then.
    let options = ListenOptions::new().with_backoff(Duration::from_secs(1), Duration::from_secs(2));
    let mut events = client.listen_with(watching("doc://watched"), options);
    assert!(matches!(next(&mut events).await.unwrap(), ListenEvent::Acknowledged(_)));

    for round in 0..2 {
        let addr = server.stop().await;
        server = serve_at(catalog.clone(), addr).await;
        match next(&mut events).await.unwrap() {
            ListenEvent::Reconnected(filter) => assert_eq!(filter, watching("doc://watched")),
            other => panic!("round {round}: expected the new acknowledgement, got {other:?}"),
        }
        eventually("the new server holds the stream", || server.service.stats().listen_streams == 1).await;
        server.service.notify_resource_updated("doc://watched").await;
        assert!(
            matches!(next(&mut events).await.unwrap(), ListenEvent::ResourceUpdated(u) if u.uri == "doc://watched")
        );
        client.call_tool(CallToolRequestParams::new("change")).await.unwrap();
        assert_eq!(next(&mut events).await.unwrap(), ListenEvent::ToolListChanged);
    }
}

#[tokio::test]
async fn dropping_a_listen_stream_closes_it_on_the_server() {
    let server = serve(Catalog::new(None)).await;
    let client = Quiet::stateless().serve(StreamableHttpClientTransport::new(&server.url)).await.unwrap();
    let mut first = client.listen(watching("doc://a"));
    let mut second = client.listen(watching("doc://b"));
    assert!(matches!(next(&mut first).await.unwrap(), ListenEvent::Acknowledged(_)));
    assert!(matches!(next(&mut second).await.unwrap(), ListenEvent::Acknowledged(_)));
    assert_eq!(server.service.stats().listen_streams, 2);
    assert_eq!(server.service.stats().listen_uris, 2);

    drop(first);
    eventually("the server closed the dropped stream", || server.service.stats().listen_streams == 1).await;
    assert_eq!(server.service.stats().listen_uris, 1);
    // The other one is untouched, and the connection still serves calls.
    server.service.notify_resource_updated("doc://b").await;
    assert!(matches!(next(&mut second).await.unwrap(), ListenEvent::ResourceUpdated(u) if u.uri == "doc://b"));
    client.list_tools(None).await.unwrap();
}

#[tokio::test]
async fn a_2025_session_listens_through_resources_subscribe() {
    let catalog = Catalog::new(None);
    let server = serve(catalog.clone()).await;
    let client = Quiet::stateful().serve(StreamableHttpClientTransport::new(&server.url)).await.unwrap();
    let mut first = client.listen(watching("doc://watched"));
    assert_eq!(next(&mut first).await.unwrap(), ListenEvent::Acknowledged(watching("doc://watched")));
    let mut second = client.listen(SubscriptionFilter::new().with_resource_subscription("doc://watched"));
    assert!(matches!(next(&mut second).await.unwrap(), ListenEvent::Acknowledged(_)));
    assert_eq!(catalog.subscriptions.subscribers("doc://watched"), 1);

    client.call_tool(CallToolRequestParams::new("change")).await.unwrap();
    assert_eq!(next(&mut first).await.unwrap(), ListenEvent::ToolListChanged);
    server.service.notify_resource_updated("doc://unwatched").await;
    server.service.notify_resource_updated("doc://watched").await;
    assert!(matches!(next(&mut first).await.unwrap(), ListenEvent::ResourceUpdated(u) if u.uri == "doc://watched"));
    // The second stream did not ask for tool list changes.
    assert!(matches!(next(&mut second).await.unwrap(), ListenEvent::ResourceUpdated(u) if u.uri == "doc://watched"));

    // The subscription stays while a stream watches the URI, and goes with the last one.
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(catalog.subscriptions.subscribers("doc://watched"), 1);
    drop(second);
    eventually("the last stream unsubscribed", || catalog.subscriptions.subscribers("doc://watched") == 0).await;
}

/// A server with no `subscriptions/listen` of its own (the trait's default).
#[derive(Clone)]
struct Plain;

impl ServerHandler for Plain {}

#[tokio::test]
async fn a_server_without_listen_ends_the_stream_with_its_refusal_over_a_duplex_pair() {
    let (client_side, server_side) = duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(server) = Plain.serve(server_side).await {
            let _ = server.waiting().await;
        }
    });
    let client = Quiet::stateless().serve(client_side).await.unwrap();
    let mut events = client.listen(watching("doc://watched"));
    match next(&mut events).await {
        Err(ServiceError::ErrorResponse(e)) => assert_eq!(e.code, ErrorCode::METHOD_NOT_FOUND),
        other => panic!("expected the refusal, got {other:?}"),
    }
    let end = tokio::time::timeout(Duration::from_secs(5), events.next()).await.expect("the stream ends");
    assert!(end.is_none(), "{end:?}");
}

#[tokio::test]
async fn a_2025_connection_over_a_duplex_pair_listens_too() {
    let catalog = Catalog::new(None);
    let (client_side, server_side) = duplex(64 * 1024);
    let served = catalog.clone();
    tokio::spawn(async move {
        if let Ok(server) = served.serve(server_side).await {
            let _ = server.waiting().await;
        }
    });
    let client = Quiet::stateful().serve(client_side).await.unwrap();
    let mut events = client.listen(watching("doc://watched"));
    assert_eq!(next(&mut events).await.unwrap(), ListenEvent::Acknowledged(watching("doc://watched")));
    catalog.subscriptions.notify_updated("doc://unwatched").await;
    catalog.subscriptions.notify_updated("doc://watched").await;
    assert!(matches!(next(&mut events).await.unwrap(), ListenEvent::ResourceUpdated(u) if u.uri == "doc://watched"));
    client.call_tool(CallToolRequestParams::new("change")).await.unwrap();
    assert_eq!(next(&mut events).await.unwrap(), ListenEvent::ToolListChanged);
    drop(events);
    eventually("the stream unsubscribed", || catalog.subscriptions.subscribers("doc://watched") == 0).await;
}
