//! The OAuth client against scripted hostile servers (`hostile_support`, real HTTP on
//! 127.0.0.1): metadata naming another issuer, redirects, documents without end, and names
//! that resolve to this machine. Every attempt ends within a bound with an [`AuthError`], and
//! nothing is sent where it must not go. `client_trust.rs` has the cases of resource metadata
//! on another origin and of literal private issuers.

mod hostile_support;

use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hostile_support::{HostileServer, Reply, Request, bounded, eventually};
use rmcp_core::auth::{AuthError, FetchRedirect, OAuthClient, OAuthConfig};
use serde_json::json;

const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn oauth(url: &str, http: Option<reqwest::Client>) -> OAuthClient {
    let mut config = OAuthConfig::new("hostile-oauth");
    if let Some(http) = http {
        config.http = http;
    }
    OAuthClient::new(url, FetchRedirect::new(REDIRECT), config).expect("a client")
}

/// Authorization server metadata for `issuer`, with every endpoint under `base`.
fn as_metadata(issuer: &str, base: &str) -> serde_json::Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "registration_endpoint": format!("{base}/register"),
        "code_challenge_methods_supported": ["S256"],
    })
}

/// A server whose resource metadata names `issuer(origin)`, and which answers every other
/// request with `rest(origin, request)`.
async fn protected(
    issuer: impl Fn(&str) -> String + Send + Sync + 'static,
    rest: impl Fn(&str, &Request) -> Reply + Send + Sync + 'static,
) -> HostileServer {
    // The origin is known once the listener is bound: the script reads it from the Host header.
    HostileServer::start(move |r| {
        let origin = format!("http://{}", r.header("host").unwrap_or_default());
        if r.path.starts_with("/.well-known/oauth-protected-resource") {
            Reply::json(&json!({"resource": format!("{origin}/mcp"), "authorization_servers": [issuer(&origin)]}))
        } else {
            rest(&origin, r)
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_naming_another_issuer_is_refused() {
    // RFC 8414 §3.3: the comparison is exact; a trailing slash or another path is another issuer.
    for found in ["{origin}/other", "{origin}/as/", "https://as.example/as"] {
        let server = protected(
            |origin| format!("{origin}/as"),
            move |origin, r| {
                if r.path.contains("/.well-known/") {
                    let issuer = found.replace("{origin}", origin);
                    Reply::json(&as_metadata(&issuer, origin))
                } else {
                    Reply::status(404)
                }
            },
        )
        .await;
        let refused = bounded("authorizing", oauth(&server.url(), None).authorize()).await;
        let expected = format!("{}/as", server.origin);
        assert!(
            matches!(&refused, Err(AuthError::IssuerMismatch { expected: e, .. }) if *e == expected),
            "{found}: {refused:?}"
        );
        assert!(!server.requests().iter().any(|r| r.path.contains("register")), "registered with a wrong issuer");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_follows_no_redirect() {
    let elsewhere = HostileServer::start(|_| Reply::json(&json!({}))).await;
    let target = elsewhere.origin.clone();
    // Every well-known document moved to another origin.
    let server =
        HostileServer::start(move |r| Reply::status(302).header("location", format!("{target}{}", r.path))).await;
    let refused = bounded("authorizing", oauth(&server.url(), None).authorize()).await;
    assert!(matches!(refused, Err(AuthError::Discovery(_))), "{refused:?}");
    // The resource metadata's two places, the issuer's (its origin here) two.
    assert!(server.hits.load(Ordering::SeqCst) <= 4, "{:?}", server.requests());
    assert_eq!(elsewhere.hits.load(Ordering::SeqCst), 0, "a redirect was followed");

    // Authorization server metadata that moved: not followed either.
    let target = elsewhere.origin.clone();
    let server = protected(
        |origin| origin.to_owned(),
        move |_, r| Reply::status(307).header("location", format!("{target}{}", r.path)),
    )
    .await;
    let refused = bounded("authorizing", oauth(&server.url(), None).authorize()).await;
    assert!(matches!(refused, Err(AuthError::Discovery(_))), "{refused:?}");
    assert_eq!(elsewhere.hits.load(Ordering::SeqCst), 0, "a redirect was followed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_documents_are_cut_off() {
    // Every document is an endless JSON string: the client reads at most its limit of each.
    let server = HostileServer::start(|_| {
        let mut reply = Reply::sse_stream(Duration::ZERO, |n| {
            Some(if n == 0 { b"{\"issuer\": \"".to_vec() } else { vec![b'x'; 64 * 1024] })
        });
        reply.headers = vec![("content-type".into(), "application/json".into())];
        reply
    })
    .await;
    let refused = bounded("authorizing", oauth(&server.url(), None).authorize()).await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(eventually(|| server.open.load(Ordering::SeqCst) == 0).await, "a document is still read");
}

// ---------------------------------------------------------------------------------------------
// Names resolved (issue 15, item 11): the host rule of `auth/host_scope.rs` with DNS.

/// This machine's host name, when the system resolves it to a loopback address (as
/// `/etc/hosts` usually has it); `None` elsewhere, where these tests cannot say anything.
async fn loopback_host_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case("localhost"))?;
    let addrs: Vec<IpAddr> = tokio::net::lookup_host((name.as_str(), 80)).await.ok()?.map(|a| a.ip()).collect();
    if addrs.is_empty() || !addrs.iter().all(IpAddr::is_loopback) {
        eprintln!("{name} does not resolve to loopback addresses only ({addrs:?}): nothing to test here");
        return None;
    }
    Some(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_server_cannot_name_an_issuer_whose_name_resolves_to_this_machine() {
    let Some(host) = loopback_host_name().await else { return };
    // Nothing must reach the issuer: it counts its requests.
    let issuer_server = HostileServer::start(|_| Reply::status(404)).await;
    let port = issuer_server.origin.rsplit(':').next().unwrap().to_owned();
    let issuer = format!("http://{host}:{port}");
    // An MCP server on a "remote" name (resolved to 127.0.0.1 by this client alone).
    let named = issuer.clone();
    let server = HostileServer::start(move |r| {
        let origin = format!("http://{}", r.header("host").unwrap_or_default());
        Reply::json(&json!({"resource": format!("{origin}/mcp"), "authorization_servers": [named]}))
    })
    .await;
    let server_addr: std::net::SocketAddr = server.origin.trim_start_matches("http://").parse().unwrap();
    let url = format!("http://mcp.remote.example:{}/mcp", server_addr.port());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(3))
        .resolve("mcp.remote.example", server_addr)
        .build()
        .unwrap();
    let refused = bounded("authorizing", oauth(&url, Some(http)).authorize()).await;
    assert!(matches!(&refused, Err(AuthError::PrivateAddress { url, .. }) if *url == issuer), "{refused:?}");
    assert_eq!(issuer_server.hits.load(Ordering::SeqCst), 0, "the issuer on this machine was asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_name_resolves_to_this_machine_may_name_a_local_issuer() {
    let Some(host) = loopback_host_name().await else { return };
    // The MCP server, reached by the host name, names an issuer on 127.0.0.1 whose metadata
    // names another issuer: getting that far means the host rule let the issuer through.
    let server = protected(
        |origin| format!("http://127.0.0.1:{}", origin.rsplit(':').next().unwrap_or_default()),
        |origin, r| {
            if r.path.contains("/.well-known/") {
                Reply::json(&as_metadata("http://127.0.0.1:1/not-this-one", origin))
            } else {
                Reply::status(404)
            }
        },
    )
    .await;
    let port = server.origin.rsplit(':').next().unwrap().to_owned();
    let url = format!("http://{host}:{port}/mcp");
    let outcome = bounded("authorizing", oauth(&url, None).authorize()).await;
    assert!(matches!(outcome, Err(AuthError::IssuerMismatch { .. })), "{outcome:?}");
}
