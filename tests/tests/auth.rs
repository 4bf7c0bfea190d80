//! The OAuth client against a mock authorization server and a protected MCP server, over real
//! HTTP on 127.0.0.1: the full flow, and every refusal the flow owes its user.

mod auth_support;
mod http_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use auth_support::{Behaviour, Iss, MockAs, REDIRECT, connect, oauth, protected, protected_naming_origin};
use http_support::{Client, call, text_of};
use rmcp_core::auth::{
    AuthError, AuthorizationHandler, ClientCredentialsProvider, FetchRedirect, LoopbackHandler, OAuthClient,
    OAuthConfig,
};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
use serde_json::json;

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
async fn the_loopback_handler_waits_for_the_redirect_with_the_pending_state() {
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let seen = statuses.clone();
    // Another local process hits the callback first (a forged error, another state); then the
    // real redirect arrives.
    let handler = LoopbackHandler::bind(0, move |url| {
        let redirect_uri = url.query_pairs().find(|(k, _)| k == "redirect_uri").unwrap().1.into_owned();
        let state = url.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
        let seen = seen.clone();
        tokio::spawn(async move {
            for query in
                ["error=access_denied&state=forged".to_owned(), "code=evil".to_owned(), format!("code=c&state={state}")]
            {
                let status = reqwest::get(format!("{redirect_uri}?{query}")).await.unwrap().status();
                seen.lock().unwrap().push(status.as_u16());
            }
        });
    })
    .await
    .unwrap();
    let mut url = reqwest::Url::parse("https://as.example/authorize?response_type=code&state=s3cret").unwrap();
    url.query_pairs_mut().append_pair("redirect_uri", &handler.redirect_uri());
    let redirect = handler.authorize(&url).await.expect("the redirect with our state ends the wait");
    assert_eq!(redirect.query(), Some("code=c&state=s3cret"));
    // The browser's request is answered before `authorize` returns; give its task a moment.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(*statuses.lock().unwrap(), [400, 400, 200]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_servers_with_insecure_endpoints_are_refused() {
    let behaviour = Behaviour { endpoints_origin: Some("http://as.example".into()), ..Behaviour::default() };
    let auth = MockAs::start(behaviour).await;
    let server = protected(&auth, &[], None).await;
    let oauth = oauth(&server.url);
    assert!(connect(&server.url, &oauth).await.is_err());
    assert!(matches!(oauth.authorize().await, Err(AuthError::Discovery(m)) if m.contains("https")));
    auth.seen(|seen| {
        assert!(seen.registrations.is_empty() && seen.authorizations.is_empty() && seen.token_requests.is_empty());
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_expires_in_is_clamped_rather_than_overflowing() {
    let auth = MockAs::start(Behaviour { expires_in: u64::MAX, ..Behaviour::default() }).await;
    let server = protected(&auth, &[], None).await;
    let oauth = oauth(&server.url);
    let client = connect(&server.url, &oauth).await.expect("u64::MAX seconds does not panic the client");
    let expires_at = oauth.tokens().unwrap().expires_at.expect("an expiry, clamped");
    let ten_years = Duration::from_secs(10 * 365 * 24 * 3600);
    assert!(expires_at <= SystemTime::now() + ten_years && expires_at > SystemTime::now() + ten_years / 2);
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_go_only_to_the_issuer_they_are_bound_to() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &[], None).await;
    let connect_with = |provider: ClientCredentialsProvider| {
        let config = StreamableHttpClientConfig::new(&server.url).with_auth(provider);
        Client::stateful().serve(StreamableHttpClientTransport::with_config(config))
    };
    let elsewhere = ClientCredentialsProvider::new(&server.url, "https://as.example", "svc").unwrap().with_secret("s");
    assert!(connect_with(elsewhere).await.is_err());
    auth.seen(|seen| assert!(seen.token_requests.is_empty(), "no secret for an issuer it is not bound to"));

    let bound = ClientCredentialsProvider::new(&server.url, &auth.issuer, "svc").unwrap().with_secret("s");
    let client = connect_with(bound).await.expect("the bound issuer gets the request");
    auth.seen(|seen| {
        assert_eq!(seen.token_requests.len(), 1);
        assert_eq!(seen.token_requests[0]["grant_type"], "client_credentials");
        assert_eq!(seen.token_requests[0]["resource"], server.url);
    });
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_published_resource_is_sent_unless_the_client_narrows_it_to_the_endpoint() {
    // The server's metadata names its origin, its identifier for itself (RFC 9728): sent as is.
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected_naming_origin(&auth).await;
    let client = connect(&server.url, &oauth(&server.url)).await.unwrap();
    let origin = server.url.trim_end_matches("/mcp");
    auth.seen(|seen| {
        assert_eq!(seen.authorizations[0]["resource"], origin);
        assert_eq!(seen.token_requests[0]["resource"], origin);
    });
    client.cancel().await;

    // Narrowed: the endpoint's own URL, so the token is good for this endpoint only (this server
    // wants tokens for its origin and refuses it: no matter here).
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected_naming_origin(&auth).await;
    let config = OAuthConfig::new("auth-tests").with_published_resource(false);
    let oauth = OAuthClient::new(&server.url, FetchRedirect::new(REDIRECT), config).unwrap();
    let _ = connect(&server.url, &oauth).await;
    auth.seen(|seen| {
        assert_eq!(seen.authorizations[0]["resource"], server.url, "the endpoint, not its origin");
        assert_eq!(seen.token_requests[0]["resource"], server.url);
    });
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
