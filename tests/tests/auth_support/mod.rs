//! A mock OAuth authorization server (axum, real HTTP on 127.0.0.1) and an MCP server behind
//! the OAuth resource layer that trusts its tokens: what the auth tests run against.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::BoxFuture;
use rmcp_core::CancellationToken;
use rmcp_core::RunningService;
use rmcp_core::auth::{
    FetchRedirect, OAuthClient, OAuthConfig, OAuthResourceLayer, ResourceServerConfig, TokenClaims, TokenVerifier,
    VerifyError,
};
use rmcp_core::service::{RoleClient, ServiceExt};
use rmcp_core::transport::http::{
    StreamableHttpClientConfig, StreamableHttpClientTransport, StreamableHttpConfig, StreamableHttpService,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

use crate::http_support::{Client, HttpServer};

/// How the mock authorization server misbehaves (or not).
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// The `iss` in redirects: the issuer, another one, or none.
    pub iss: Iss,
    /// Advertise `authorization_response_iss_parameter_supported`.
    pub advertise_iss: bool,
    /// Redirect with a `state` other than the request's.
    pub wrong_state: bool,
    /// The `issuer` the metadata names (default: the real one).
    pub metadata_issuer: Option<String>,
    /// `expires_in` of access tokens.
    pub expires_in: u64,
    /// A scope never granted, whatever is asked.
    pub withheld_scope: Option<String>,
    /// The origin the metadata's endpoints are on (default: the issuer's).
    pub endpoints_origin: Option<String>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            iss: Iss::Correct,
            advertise_iss: true,
            wrong_state: false,
            metadata_issuer: None,
            expires_in: 3600,
            withheld_scope: None,
            endpoints_origin: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Iss {
    Correct,
    Wrong,
    Missing,
}

/// What the authorization server saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub registrations: Vec<Value>,
    pub authorizations: Vec<HashMap<String, String>>,
    pub token_requests: Vec<HashMap<String, String>>,
    /// Per authorization-code token request: whether the PKCE verifier matched.
    pub pkce_ok: Vec<bool>,
    /// Every token and secret issued, to look for in logs.
    pub secrets: Vec<String>,
}

struct Code {
    challenge: String,
    resource: String,
    scopes: Vec<String>,
}

#[derive(Default)]
struct AsState {
    behaviour: Behaviour,
    seen: Seen,
    codes: HashMap<String, Code>,
    refresh: HashMap<String, (String, Vec<String>)>,
    tokens: HashMap<String, TokenClaims>,
}

/// A running mock authorization server.
#[derive(Clone)]
pub struct MockAs {
    pub issuer: String,
    state: Arc<Mutex<AsState>>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}-{n}-{nanos:x}")
}

impl MockAs {
    pub async fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(AsState { behaviour, ..AsState::default() }));
        let this = Self { issuer, state };
        let app = Router::new()
            .route("/.well-known/oauth-authorization-server", get(metadata))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/register", post(register))
            .with_state(this.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        this
    }

    /// Look at what was seen.
    pub fn seen<T>(&self, f: impl FnOnce(&Seen) -> T) -> T {
        f(&self.state.lock().unwrap().seen)
    }

    /// A verifier for resource servers trusting this authorization server.
    pub fn verifier(&self) -> impl TokenVerifier {
        Verifier(self.state.clone())
    }

    /// Issue a token directly (for resource-layer tests).
    pub fn issue(&self, claims: TokenClaims) -> String {
        let token = unique("at");
        self.state.lock().unwrap().tokens.insert(token.clone(), claims);
        token
    }
}

struct Verifier(Arc<Mutex<AsState>>);

impl TokenVerifier for Verifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<TokenClaims, VerifyError>> {
        let found = self.0.lock().unwrap().tokens.get(token).cloned();
        Box::pin(async move { found.ok_or_else(|| VerifyError::Invalid("unknown token".into())) })
    }
}

async fn metadata(State(s): State<MockAs>) -> Json<Value> {
    let state = s.state.lock().unwrap();
    let b = &state.behaviour;
    let origin = b.endpoints_origin.clone().unwrap_or_else(|| s.issuer.clone());
    Json(json!({
        "issuer": b.metadata_issuer.clone().unwrap_or_else(|| s.issuer.clone()),
        "authorization_endpoint": format!("{origin}/authorize"),
        "token_endpoint": format!("{origin}/token"),
        "registration_endpoint": format!("{origin}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "authorization_response_iss_parameter_supported": b.advertise_iss,
    }))
}

async fn authorize(State(s): State<MockAs>, Query(query): Query<HashMap<String, String>>) -> Response {
    let mut state = s.state.lock().unwrap();
    state.seen.authorizations.push(query.clone());
    let code = unique("code");
    let scopes = query.get("scope").map(|s| s.split(' ').map(str::to_owned).collect()).unwrap_or_default();
    let challenge = query.get("code_challenge").cloned().unwrap_or_default();
    let resource = query.get("resource").cloned().unwrap_or_default();
    state.codes.insert(code.clone(), Code { challenge, resource, scopes });
    let mut redirect = reqwest::Url::parse(&query["redirect_uri"]).unwrap();
    let state_param = if state.behaviour.wrong_state { "forged".to_owned() } else { query["state"].clone() };
    redirect.query_pairs_mut().append_pair("code", &code).append_pair("state", &state_param);
    match state.behaviour.iss {
        Iss::Correct => drop(redirect.query_pairs_mut().append_pair("iss", &s.issuer)),
        Iss::Wrong => drop(redirect.query_pairs_mut().append_pair("iss", "https://evil.example")),
        Iss::Missing => {}
    }
    (StatusCode::FOUND, [(header::LOCATION, redirect.to_string())]).into_response()
}

async fn token(State(s): State<MockAs>, Form(form): Form<HashMap<String, String>>) -> Response {
    let mut state = s.state.lock().unwrap();
    state.seen.token_requests.push(form.clone());
    let (resource, mut scopes) = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some(code) = form.get("code").and_then(|c| state.codes.remove(c)) else {
                return invalid_grant();
            };
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let ok = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == code.challenge;
            state.seen.pkce_ok.push(ok);
            if !ok || form.get("resource") != Some(&code.resource) {
                return invalid_grant();
            }
            (code.resource, code.scopes)
        }
        Some("refresh_token") => match form.get("refresh_token").and_then(|r| state.refresh.get(r)).cloned() {
            Some(found) => found,
            None => return invalid_grant(),
        },
        Some("client_credentials") => (
            form.get("resource").cloned().unwrap_or_default(),
            form.get("scope").map(|s| s.split(' ').map(str::to_owned).collect()).unwrap_or_default(),
        ),
        _ => return invalid_grant(),
    };
    if let Some(withheld) = state.behaviour.withheld_scope.clone() {
        scopes.retain(|s| *s != withheld);
    }
    let access = unique("at");
    let refresh = unique("rt");
    let expires_in = state.behaviour.expires_in;
    let mut claims = TokenClaims::new(resource.clone(), scopes.clone()).with_subject("alice");
    // An absurd `expires_in` (the overflow tests) leaves the token without an expiry here.
    if let Some(at) = SystemTime::now().checked_add(Duration::from_secs(expires_in)) {
        claims = claims.with_expiry(at);
    }
    state.tokens.insert(access.clone(), claims);
    state.refresh.insert(refresh.clone(), (resource, scopes.clone()));
    state.seen.secrets.extend([access.clone(), refresh.clone()]);
    Json(json!({
        "access_token": access, "token_type": "Bearer", "expires_in": expires_in,
        "refresh_token": refresh, "scope": scopes.join(" "),
    }))
    .into_response()
}

fn invalid_grant() -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": "invalid_grant" }))).into_response()
}

async fn register(State(s): State<MockAs>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    s.state.lock().unwrap().seen.registrations.push(body.clone());
    let id = unique("client");
    (
        StatusCode::CREATED,
        Json(json!({ "client_id": id, "redirect_uris": body["redirect_uris"], "token_endpoint_auth_method": "none" })),
    )
}

/// An MCP server (the shared HTTP test server) behind the resource layer, trusting `auth`.
pub struct Protected {
    pub url: String,
    pub ct: CancellationToken,
}

impl Drop for Protected {
    fn drop(&mut self) {
        self.ct.cancel();
    }
}

/// Start it; `resource` overrides the resource its metadata names.
pub async fn protected(auth: &MockAs, required_scopes: &[&str], resource: Option<&str>) -> Protected {
    start_protected(auth, required_scopes, |url, _| resource.unwrap_or(url).to_owned()).await
}

/// Start one whose metadata names its origin as the resource (a parent of its endpoint).
pub async fn protected_naming_origin(auth: &MockAs) -> Protected {
    start_protected(auth, &[], |_, origin| origin.to_owned()).await
}

/// `resource` gives the resource the metadata names, from the endpoint's URL and origin.
async fn start_protected(
    auth: &MockAs,
    required_scopes: &[&str],
    resource: impl FnOnce(&str, &str) -> String,
) -> Protected {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let url = format!("{origin}/mcp");
    let config = ResourceServerConfig::new(resource(&url, &origin), vec![auth.issuer.clone()])
        .with_scopes_supported(vec!["mcp:read".into(), "mcp:write".into()])
        .with_required_scopes(required_scopes.iter().map(|s| s.to_string()).collect());
    let service = StreamableHttpService::new(HttpServer::default, StreamableHttpConfig::default());
    let protected = OAuthResourceLayer::new(config, auth.verifier()).wrap(service);
    let ct = CancellationToken::new();
    tokio::spawn(protected.serve_listener(listener, ct.clone()));
    Protected { url, ct }
}

/// Nothing listens there: [`FetchRedirect`] reads the code from the `Location` header.
pub const REDIRECT: &str = "http://127.0.0.1:9/callback";

pub fn oauth(url: &str) -> OAuthClient {
    OAuthClient::new(url, FetchRedirect::new(REDIRECT), OAuthConfig::new("auth-tests")).unwrap()
}

pub async fn connect(url: &str, oauth: &OAuthClient) -> Result<RunningService<RoleClient, Client>, String> {
    let config = StreamableHttpClientConfig::new(url).with_auth(oauth.clone());
    Client::stateful().serve(StreamableHttpClientTransport::with_config(config)).await.map_err(|e| e.to_string())
}
