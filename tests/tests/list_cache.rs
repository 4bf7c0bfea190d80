//! The client's list cache over real HTTP on 127.0.0.1, counting the `tools/list` requests that
//! reach the server: a list asked again within the server's `ttlMs` is served from the cache; a
//! tool list change (on a listen stream, 2026; on the session, 2025) drops it; its expiry
//! refetches; `public` results are shared between connections given one `SharedListCache` and
//! `private` ones are not; without hints (2025, `ttlMs: 0`) or with the cache off, every call
//! goes to the server.

mod catalog_support;

use std::time::Duration;

use catalog_support::{Catalog, Quiet, serve};
use futures::StreamExt;
use rmcp_core::client::ListenEvent;
use rmcp_core::model::{CacheScope, CallToolRequestParams, SubscriptionFilter};
use rmcp_core::service::{ListCaching, ServiceExt, SharedListCache};
use rmcp_core::transport::http::StreamableHttpClientTransport;
use rmcp_core::{Peer, RoleClient, RunningService};

type Client = RunningService<RoleClient, Quiet>;

async fn stateless(url: &str) -> Client {
    Quiet::stateless().serve(StreamableHttpClientTransport::new(url)).await.unwrap()
}

/// The name of the first tool listed (`tool-<version>`).
async fn first_tool(client: &Peer<RoleClient>) -> String {
    client.list_tools(None).await.unwrap().tools.iter().next().unwrap().name.to_string()
}

const MINUTE_MS: u64 = 60_000;

#[tokio::test]
async fn a_second_list_within_the_ttl_does_not_reach_the_server() {
    let catalog = Catalog::new(Some((MINUTE_MS, CacheScope::Private)));
    let server = serve(catalog.clone()).await;
    let client = stateless(&server.url).await;
    let first = client.list_tools(None).await.unwrap();
    assert_eq!(first.ttl_ms, Some(MINUTE_MS));
    let second = client.list_tools(None).await.unwrap();
    assert_eq!(catalog.lists(), 1);
    assert_eq!(
        first.tools.iter().map(|t| &t.name).collect::<Vec<_>>(),
        second.tools.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
    // The `list_all_*` walk reads the same pages.
    assert_eq!(client.list_all_tools().await.unwrap().len(), 2);
    assert_eq!(catalog.lists(), 1);
    let stats = client.list_cache_stats();
    assert_eq!((stats.hits, stats.misses), (2, 1));
}

#[tokio::test]
async fn a_tool_list_change_on_a_listen_stream_drops_the_cached_list() {
    let catalog = Catalog::new(Some((MINUTE_MS, CacheScope::Private)));
    let server = serve(catalog.clone()).await;
    let client = stateless(&server.url).await;
    let mut events = client.listen(SubscriptionFilter::new().with_tools_list_changed());
    let ack = tokio::time::timeout(Duration::from_secs(10), events.next()).await.expect("acknowledged within 10 s");
    assert!(matches!(ack, Some(Ok(ListenEvent::Acknowledged(_)))), "{ack:?}");
    assert_eq!(first_tool(&client).await, "tool-0");
    assert_eq!(first_tool(&client).await, "tool-0");
    assert_eq!(catalog.lists(), 1);

    client.call_tool(CallToolRequestParams::new("change")).await.unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), events.next()).await.expect("an event within 10 s");
    assert!(matches!(event, Some(Ok(ListenEvent::ToolListChanged))), "{event:?}");
    // Dropped by the time the event is seen: the next list reaches the server.
    assert_eq!(first_tool(&client).await, "tool-1");
    assert_eq!(catalog.lists(), 2);
    assert_eq!(first_tool(&client).await, "tool-1");
    assert_eq!(catalog.lists(), 2);
}

#[tokio::test]
async fn a_tool_list_change_on_a_2025_session_drops_a_list_cached_up_to_a_limit() {
    let catalog = Catalog::new(None);
    let server = serve(catalog.clone()).await;
    let client = Quiet::stateful().serve(StreamableHttpClientTransport::new(&server.url)).await.unwrap();
    // A 2025 result has no hints: by default nothing is cached.
    first_tool(&client).await;
    first_tool(&client).await;
    assert_eq!(catalog.lists(), 2);

    client.set_list_caching(ListCaching::UpTo(Duration::from_secs(60)));
    assert_eq!(first_tool(&client).await, "tool-0");
    assert_eq!(first_tool(&client).await, "tool-0");
    assert_eq!(catalog.lists(), 3);
    // The change is announced on the call's own stream, before its answer: no handler involved.
    client.call_tool(CallToolRequestParams::new("change")).await.unwrap();
    assert_eq!(first_tool(&client).await, "tool-1");
    assert_eq!(catalog.lists(), 4);
}

#[tokio::test]
async fn an_expired_list_is_fetched_again() {
    let catalog = Catalog::new(Some((300, CacheScope::Private)));
    let server = serve(catalog.clone()).await;
    let client = stateless(&server.url).await;
    first_tool(&client).await;
    first_tool(&client).await;
    assert_eq!(catalog.lists(), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    first_tool(&client).await;
    assert_eq!(catalog.lists(), 2);
    first_tool(&client).await;
    assert_eq!(catalog.lists(), 2);
}

#[tokio::test]
async fn public_lists_are_shared_between_connections_and_private_ones_are_not() {
    for (scope, lists) in [(CacheScope::Public, 1), (CacheScope::Private, 2)] {
        let catalog = Catalog::new(Some((MINUTE_MS, scope)));
        let server = serve(catalog.clone()).await;
        let shared = SharedListCache::new();
        let (alice, bob) = (stateless(&server.url).await, stateless(&server.url).await);
        alice.share_list_cache(&shared);
        bob.share_list_cache(&shared);
        first_tool(&alice).await;
        first_tool(&bob).await;
        first_tool(&bob).await;
        assert_eq!(catalog.lists(), lists, "{scope:?}");
        // Each connection keeps its own results whatever their scope.
        first_tool(&alice).await;
        assert_eq!(catalog.lists(), lists, "{scope:?}");
    }
}

#[tokio::test]
async fn nothing_is_cached_without_hints_or_with_the_cache_off() {
    let catalog = Catalog::new(None);
    let server = serve(catalog.clone()).await;
    let client = stateless(&server.url).await;
    // `ttlMs: 0`: stale at once.
    assert_eq!(client.list_tools(None).await.unwrap().ttl_ms, Some(0));
    client.list_tools(None).await.unwrap();
    assert_eq!(catalog.lists(), 2);

    let hinted = Catalog::new(Some((MINUTE_MS, CacheScope::Public)));
    let server = serve(hinted.clone()).await;
    let client = stateless(&server.url).await;
    client.set_list_caching(ListCaching::Off);
    first_tool(&client).await;
    first_tool(&client).await;
    assert_eq!(hinted.lists(), 2);
    client.set_list_caching(ListCaching::Hints);
    first_tool(&client).await;
    first_tool(&client).await;
    assert_eq!(hinted.lists(), 3);
    client.clear_list_cache();
    first_tool(&client).await;
    assert_eq!(hinted.lists(), 4);
}
