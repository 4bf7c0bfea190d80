//! The OAuth resource layer in front of a Streamable HTTP server: the metadata document, the
//! 401/403 challenges, and valid tokens reaching the MCP endpoint.

mod auth_support;
mod http_support;

use std::time::{Duration, SystemTime};

use auth_support::{Behaviour, MockAs, protected};
use http_support::raw::{initialize, json_of, post};
use http_support::{Client, TOOLS};
use reqwest::StatusCode;
use rmcp_core::auth::TokenClaims;
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
use serde_json::json;

fn metadata_url(server_url: &str) -> String {
    server_url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
}

fn challenge(response: &reqwest::Response) -> String {
    response.headers()["www-authenticate"].to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_a_token_get_a_challenge_naming_the_metadata() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &["mcp:read"], None).await;
    let response = post(&server.url, &initialize(1)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let header = challenge(&response);
    assert!(header.starts_with("Bearer "), "{header}");
    assert!(header.contains(&format!(r#"resource_metadata="{}""#, metadata_url(&server.url))), "{header}");
    assert!(header.contains(r#"scope="mcp:read""#), "{header}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_protected_resource_metadata_is_served_at_its_well_known_path() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &[], None).await;
    let response = reqwest::get(metadata_url(&server.url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let document = json_of(response).await;
    assert_eq!(document["resource"], server.url);
    assert_eq!(document["authorization_servers"], serde_json::json!([auth.issuer]));
    assert_eq!(document["scopes_supported"], serde_json::json!(["mcp:read", "mcp:write"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_lacking_a_required_scope_get_403_insufficient_scope() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &["mcp:write"], None).await;
    let token = auth.issue(TokenClaims::new(server.url.clone(), vec!["mcp:read".into()]));
    let response = post(&server.url, &initialize(1)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let header = challenge(&response);
    assert!(header.contains(r#"error="insufficient_scope""#) && header.contains(r#"scope="mcp:write""#), "{header}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_for_another_resource_unknown_or_expired_are_refused() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &[], None).await;
    let elsewhere = auth.issue(TokenClaims::new("http://127.0.0.1:1/mcp", vec![]));
    let expired = auth
        .issue(TokenClaims::new(server.url.clone(), vec![]).with_expiry(SystemTime::now() - Duration::from_secs(1)));
    for token in [elsewhere, expired, "forged".to_owned()] {
        let response = post(&server.url, &initialize(1)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(challenge(&response).contains(r#"error="invalid_token""#));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_token_reaches_the_mcp_endpoint() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &["mcp:read"], None).await;
    let token = auth.issue(TokenClaims::new(server.url.clone(), vec!["mcp:read".into()]).with_subject("alice"));
    for client in [Client::stateful(), Client::stateless()] {
        let bearer = token.clone();
        let config = StreamableHttpClientConfig::new(&server.url).with_auth(move || {
            let bearer = bearer.clone();
            async move { Some(bearer) }
        });
        let client = client.serve(StreamableHttpClientTransport::with_config(config)).await.unwrap();
        assert_eq!(client.list_all_tools().await.unwrap().len(), TOOLS);
        client.cancel().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dpop_bound_tokens_presented_as_bearer_are_refused() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &[], None).await;
    let bound = auth.issue(
        TokenClaims::new(server.url.clone(), vec![])
            .with_confirmation_jkt("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"),
    );
    let response = post(&server.url, &initialize(1)).bearer_auth(&bound).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let header = challenge(&response);
    assert!(header.contains(r#"error="invalid_token""#) && header.contains("DPoP"), "{header}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_answers_only_the_user_and_client_that_opened_it() {
    let auth = MockAs::start(Behaviour::default()).await;
    let server = protected(&auth, &[], None).await;
    let token = |subject: &str, client: &str| {
        auth.issue(TokenClaims::new(server.url.clone(), vec![]).with_subject(subject).with_client_id(client))
    };
    let (alice, mallory, alice_elsewhere) =
        (token("alice", "app"), token("mallory", "app"), token("alice", "other-app"));
    let opened = post(&server.url, &initialize(1)).bearer_auth(&alice).send().await.unwrap();
    assert_eq!(opened.status(), StatusCode::OK);
    let session = opened.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});

    for other in [&mallory, &alice_elsewhere] {
        let r = post(&server.url, &list).bearer_auth(other).header("Mcp-Session-Id", &session).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "POST");
        let r = reqwest::Client::new()
            .get(&server.url)
            .bearer_auth(other)
            .header("accept", "text/event-stream")
            .header("Mcp-Session-Id", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "GET");
        let r = reqwest::Client::new()
            .delete(&server.url)
            .bearer_auth(other)
            .header("Mcp-Session-Id", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "DELETE");
    }

    // The owner still has it: the others' DELETE did not end it.
    let r =
        post(&server.url, &initialized).bearer_auth(&alice).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = post(&server.url, &list).bearer_auth(&alice).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = reqwest::Client::new()
        .delete(&server.url)
        .bearer_auth(&alice)
        .header("Mcp-Session-Id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// A verifier whose errors say more than a caller should see, across lines.
struct Indiscreet;

impl rmcp_core::auth::TokenVerifier for Indiscreet {
    fn verify<'a>(
        &'a self,
        token: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<TokenClaims, rmcp_core::auth::VerifyError>> {
        let error = match token {
            "down" => rmcp_core::auth::VerifyError::Unavailable("introspection at 10.0.0.7:8443 timed out\r\nX".into()),
            _ => rmcp_core::auth::VerifyError::Invalid("no row in tokens_v2 (db 10.0.0.5)\r\nInjected: yes".into()),
        };
        Box::pin(async move { Err(error) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verifiers_own_words_stay_on_the_server_and_the_challenge_survives_them() {
    use rmcp_core::auth::{OAuthResourceLayer, ResourceServerConfig};
    use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let config = ResourceServerConfig::new(url.clone(), vec!["https://as.example".into()]);
    let service = StreamableHttpService::new(http_support::HttpServer::default, StreamableHttpConfig::default());
    let ct = rmcp_core::CancellationToken::new();
    tokio::spawn(OAuthResourceLayer::new(config, Indiscreet).wrap(service).serve_listener(listener, ct.clone()));
    for (token, status) in [("forged", StatusCode::UNAUTHORIZED), ("down", StatusCode::SERVICE_UNAVAILABLE)] {
        let response = post(&url, &initialize(1)).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), status);
        let header =
            response.headers().get("www-authenticate").expect("a challenge despite CR/LF").to_str().unwrap().to_owned();
        assert!(header.contains(r#"resource_metadata=""#), "{header}");
        let body = response.text().await.unwrap();
        for secret in ["10.0.0", "tokens_v2", "Injected"] {
            assert!(!header.contains(secret) && !body.contains(secret), "{secret} leaked: {header} / {body}");
        }
    }
    ct.cancel();
}
