//! The OAuth client against a mock authorization server and a protected MCP server, over real
//! HTTP on 127.0.0.1: the full flow, and every refusal the flow owes its user.

mod auth_support;
mod http_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use auth_support::{Behaviour, Iss, MockAs, protected};
use http_support::{Client, call, text_of};
use rmcp_core::RunningService;
use rmcp_core::auth::{AuthError, AuthorizationHandler, FetchRedirect, LoopbackHandler, OAuthClient, OAuthConfig};
use rmcp_core::service::{RoleClient, ServiceExt};
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
use serde_json::json;

/// Nothing listens there: [`FetchRedirect`] reads the code from the `Location` header.
const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn oauth(url: &str) -> OAuthClient {
    OAuthClient::new(url, FetchRedirect::new(REDIRECT), OAuthConfig::new("auth-tests")).unwrap()
}

async fn connect(url: &str, oauth: &OAuthClient) -> Result<RunningService<RoleClient, Client>, String> {
    let config = StreamableHttpClientConfig::new(url).with_auth(oauth.clone());
    Client::stateful().serve(StreamableHttpClientTransport::with_config(config)).await.map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_full_flow_through_a_loopback_listener_authorizes_and_retries() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &[], None).await;
    // The "browser": follows the authorization server's redirect to the loopback listener.
    let handler = LoopbackHandler::bind(0, |url| {
        let url = url.clone();
        tokio::spawn(async move { reqwest::get(url).await });
    })
    .await
    .unwrap();
    let redirect_uri = handler.redirect_uri();
    let oauth = OAuthClient::new(&server.url, handler, OAuthConfig::new("auth-tests")).unwrap();
    let client = connect(&server.url, &oauth).await.expect("the 401 runs the flow and initialize is retried");
    let result = client.call_tool(call("echo", json!({"text": "authorized"}))).await.unwrap();
    assert_eq!(text_of(&result), "authorized");

    auth.seen(|seen| {
        assert_eq!(seen.registrations.len(), 1);
        assert_eq!(seen.registrations[0]["application_type"], "native");
        assert_eq!(seen.registrations[0]["redirect_uris"], json!([redirect_uri]));
        assert_eq!(seen.authorizations.len(), 1, "one authorization for the whole session");
        let query = &seen.authorizations[0];
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["resource"], server.url);
        assert_eq!(query["scope"], "mcp:read mcp:write", "scopes_supported of the resource metadata");
        assert!(query["state"].len() >= 32);
        assert_eq!(seen.token_requests[0]["resource"], server.url, "the same resource in both requests");
        assert_eq!(seen.pkce_ok, [true], "the verifier sent matches the challenge");
    });
    let tokens = oauth.tokens().expect("tokens are kept");
    assert_eq!(tokens.issuer, auth.issuer);
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_with_a_forged_state_is_refused() {
    let auth = MockAs::start(Behaviour { wrong_state: true, ..Behaviour::default() }).await;
    let server = protected(&auth, &[], None).await;
    assert!(connect(&server.url, &oauth(&server.url)).await.is_err());
    auth.seen(|seen| {
        assert_eq!(seen.authorizations.len(), 1);
        assert!(seen.token_requests.is_empty(), "the code of a forged response is never redeemed");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_iss_naming_another_issuer_or_missing_when_advertised_is_refused() {
    for (iss, advertise) in [(Iss::Wrong, true), (Iss::Wrong, false), (Iss::Missing, true)] {
        let auth = MockAs::start(Behaviour { iss, advertise_iss: advertise, ..Behaviour::default() }).await;
        let server = protected(&auth, &[], None).await;
        assert!(connect(&server.url, &oauth(&server.url)).await.is_err(), "{iss:?}, advertised: {advertise}");
        auth.seen(|seen| assert!(seen.token_requests.is_empty(), "{iss:?}: no token request"));
    }
    // Not advertised and not sent: fine.
    let auth = MockAs::start(Behaviour { iss: Iss::Missing, advertise_iss: false, ..Behaviour::default() }).await;
    let server = protected(&auth, &[], None).await;
    assert!(connect(&server.url, &oauth(&server.url)).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_naming_another_issuer_is_never_used() {
    let behaviour = Behaviour { metadata_issuer: Some("https://attacker.example".into()), ..Behaviour::default() };
    let auth = MockAs::start(behaviour).await;
    let server = protected(&auth, &[], None).await;
    assert!(connect(&server.url, &oauth(&server.url)).await.is_err());
    auth.seen(|seen| {
        assert!(
            seen.registrations.is_empty() && seen.authorizations.is_empty(),
            "no endpoint of that metadata is used"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_metadata_for_another_server_is_refused() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &[], Some("https://evil.example/mcp")).await;
    assert!(connect(&server.url, &oauth(&server.url)).await.is_err());
    auth.seen(|seen| assert!(seen.authorizations.is_empty(), "no authorization for a mismatched resource"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loopback_handler_refuses_non_loopback_redirects() {
    let handler = LoopbackHandler::bind(0, |_| panic!("the URL must not be opened")).await.unwrap();
    let url = reqwest::Url::parse(
        "https://as.example/authorize?response_type=code&client_id=c&redirect_uri=http%3A%2F%2Fevil.example%2Fcallback",
    )
    .unwrap();
    assert!(matches!(handler.authorize(&url).await, Err(AuthError::Redirect(_))));
    let elsewhere = "192.0.2.1:0".parse().unwrap();
    let bound = LoopbackHandler::bind_to(elsewhere, "/callback", |_| {}).await;
    assert_eq!(bound.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_up_gives_up_after_the_retry_limit() {
    // The server demands a scope the authorization server never grants: 403 forever.
    let auth = MockAs::start(Behaviour { withheld_scope: Some("mcp:admin".into()), ..Behaviour::default() }).await;
    let server = protected(&auth, &["mcp:admin"], None).await;
    assert!(connect(&server.url, &oauth(&server.url)).await.is_err());
    auth.seen(|seen| {
        assert_eq!(seen.authorizations.len(), 3, "the first authorization and two step-ups, then the client gives up");
        assert!(seen.authorizations.iter().all(|q| q["scope"].split(' ').any(|s| s == "mcp:admin")));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiring_tokens_are_refreshed_for_the_same_resource() {
    // Tokens this short-lived count as expired at once: every request refreshes first.
    let auth = MockAs::start(Behaviour { expires_in: 5, ..Behaviour::default() }).await;
    let server = protected(&auth, &[], None).await;
    let client = connect(&server.url, &oauth(&server.url)).await.unwrap();
    client.list_all_tools().await.unwrap();
    auth.seen(|seen| {
        let refreshes: Vec<_> = seen.token_requests.iter().filter(|f| f["grant_type"] == "refresh_token").collect();
        assert!(!refreshes.is_empty(), "the refresh token was used");
        assert!(refreshes.iter().all(|f| f["resource"] == server.url));
        assert_eq!(seen.authorizations.len(), 1, "no new authorization");
    });
    client.cancel().await;
}

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn tokens_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // One thread: every task (client, servers, HTTP connections) logs to this subscriber.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (secrets, debug) = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let auth = MockAs::start(Behaviour { expires_in: 5, ..Behaviour::default() }).await;
            let server = protected(&auth, &[], None).await;
            let oauth = oauth(&server.url);
            let client = connect(&server.url, &oauth).await.unwrap();
            client.call_tool(call("echo", json!({"text": "x"}))).await.unwrap();
            client.cancel().await;
            let debug = format!("{oauth:?} {:?}", oauth.tokens());
            (auth.seen(|seen| seen.secrets.clone()), debug)
        })
    });
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("authorized"), "the flow was logged: {logs}");
    assert!(!secrets.is_empty());
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a token was logged");
        assert!(!debug.contains(secret.as_str()), "a Debug impl prints a token: {debug}");
    }
}
