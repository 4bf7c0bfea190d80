//! A calculator behind OAuth: the MCP endpoint accepts only bearer tokens its authorization
//! server issued for it, and a small demo authorization server runs beside it.
//!
//! Demonstrates the resource-server side of `rmcp_core::auth`: `OAuthResourceLayer` serves the
//! protected resource metadata at `/.well-known/oauth-protected-resource/mcp`, answers requests
//! without a valid token with 401 and a `WWW-Authenticate` challenge pointing there, and checks
//! each token with a `TokenVerifier` (here: a lookup in the demo issuer's table; in production a
//! JWT check or RFC 7662 introspection), including that it was issued for this server.
//!
//! The demo authorization server approves every request at once (no login page) and supports
//! dynamic registration, PKCE S256 and refresh tokens: enough for `login-client` to log in.
//!
//! Run: `cargo run -p examples --bin protected-server -- --addr 127.0.0.1:8000`, then
//! `cargo run -p examples --bin login-client -- --url http://127.0.0.1:8000/mcp`.

use std::collections::HashMap;
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
use rmcp_core::auth::{OAuthResourceLayer, ResourceServerConfig, TokenClaims, TokenVerifier, VerifyError};
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{tool, tool_handler, tool_router};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

/// The scope the calculator demands.
const SCOPE: &str = "calc";

struct Calculator {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Calculator {
    /// Add two numbers: a + b
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    fn add(
        &self,
        /// The left operand.
        a: f64,
        /// The right operand.
        b: f64,
    ) -> String {
        (a + b).to_string()
    }

    /// Multiply two numbers: a * b
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    fn mul(
        &self,
        /// The left operand.
        a: f64,
        /// The right operand.
        b: f64,
    ) -> String {
        (a * b).to_string()
    }
}

#[tool_handler]
impl ServerHandler for Calculator {
    fn get_info(&self) -> ServerInfo {
        let identity = Implementation::new("protected-calculator", env!("CARGO_PKG_VERSION"));
        ServerInfo::new(identity, ServerCapabilities::default()).with_instructions("Arithmetic for authorized users.")
    }
}

/// What the demo issuer remembers: pending codes and the tokens it issued.
#[derive(Default)]
struct Issued {
    /// code -> (PKCE challenge, resource, scope)
    codes: HashMap<String, (String, String, String)>,
    /// refresh token -> (resource, scope)
    refresh: HashMap<String, (String, String)>,
    tokens: HashMap<String, TokenClaims>,
}

/// The demo authorization server, also the verifier of its own tokens.
#[derive(Clone)]
struct DemoIssuer {
    issuer: String,
    issued: Arc<Mutex<Issued>>,
}

impl TokenVerifier for DemoIssuer {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<TokenClaims, VerifyError>> {
        let found = self.issued.lock().unwrap().tokens.get(token).cloned();
        Box::pin(async move { found.ok_or_else(|| VerifyError::Invalid("unknown token".into())) })
    }
}

fn random() -> String {
    // Demo-grade uniqueness from the clock and a hash; a real server uses a CSPRNG.
    let seed = format!("{:?}{:?}", SystemTime::now(), std::thread::current().id());
    URL_SAFE_NO_PAD.encode(&Sha256::digest(seed.as_bytes())[..18])
}

async fn metadata(State(demo): State<DemoIssuer>) -> Json<Value> {
    let i = &demo.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "registration_endpoint": format!("{i}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": [SCOPE],
        "authorization_response_iss_parameter_supported": true,
    }))
}

async fn register(Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    let id = format!("client-{}", random());
    eprintln!("demo authorization server: registered {} as {id}", body["client_name"]);
    (
        StatusCode::CREATED,
        Json(json!({ "client_id": id, "redirect_uris": body["redirect_uris"], "token_endpoint_auth_method": "none" })),
    )
}

/// Approves at once: a real server would authenticate the user and ask for consent here.
async fn authorize(State(demo): State<DemoIssuer>, Query(q): Query<HashMap<String, String>>) -> Response {
    let (Some(redirect), Some(state), Some(challenge)) =
        (q.get("redirect_uri"), q.get("state"), q.get("code_challenge"))
    else {
        return (StatusCode::BAD_REQUEST, "redirect_uri, state and code_challenge are required").into_response();
    };
    if q.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return (StatusCode::BAD_REQUEST, "PKCE S256 is required").into_response();
    }
    let code = random();
    let resource = q.get("resource").cloned().unwrap_or_default();
    let scope = q.get("scope").cloned().unwrap_or_default();
    demo.issued.lock().unwrap().codes.insert(code.clone(), (challenge.clone(), resource, scope));
    let Ok(mut target) = reqwest::Url::parse(redirect) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri is not a URL").into_response();
    };
    target.query_pairs_mut().append_pair("code", &code).append_pair("state", state).append_pair("iss", &demo.issuer);
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

async fn token(State(demo): State<DemoIssuer>, Form(form): Form<HashMap<String, String>>) -> Response {
    let mut issued = demo.issued.lock().unwrap();
    let granted = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            form.get("code").and_then(|c| issued.codes.remove(c)).and_then(|(challenge, resource, scope)| {
                let verifier = form.get("code_verifier")?;
                (URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge).then_some((resource, scope))
            })
        }
        Some("refresh_token") => form.get("refresh_token").and_then(|r| issued.refresh.get(r).cloned()),
        _ => None,
    };
    let Some((resource, scope)) = granted else {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "invalid_grant" }))).into_response();
    };
    let (access, refresh) = (random(), random());
    let scopes = scope.split_whitespace().map(str::to_owned).collect();
    let expiry = SystemTime::now() + Duration::from_secs(3600);
    issued.tokens.insert(
        access.clone(),
        TokenClaims::new(resource.clone(), scopes).with_subject("demo-user").with_expiry(expiry),
    );
    issued.refresh.insert(refresh.clone(), (resource, scope.clone()));
    Json(json!({ "access_token": access, "token_type": "Bearer", "expires_in": 3600, "refresh_token": refresh, "scope": scope }))
        .into_response()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::init_logging();
    let addr = examples::flag("--addr")?.unwrap_or_else(|| "127.0.0.1:8000".to_owned());

    let as_listener = TcpListener::bind("127.0.0.1:0").await?;
    let demo = DemoIssuer { issuer: format!("http://{}", as_listener.local_addr()?), issued: Arc::default() };
    let routes = Router::new()
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/register", post(register))
        .with_state(demo.clone());
    tokio::spawn(async move { axum::serve(as_listener, routes).await });

    let listener = TcpListener::bind(addr.as_str()).await?;
    let url = format!("http://{}/mcp", listener.local_addr()?);
    let config = ResourceServerConfig::new(&url, vec![demo.issuer.clone()])
        .with_scopes_supported(vec![SCOPE.into()])
        .with_required_scopes(vec![SCOPE.into()]);
    let mcp = StreamableHttpService::new(
        || Calculator { tool_router: Calculator::tool_router() },
        StreamableHttpConfig::default(),
    );
    let protected = OAuthResourceLayer::new(config, demo.clone()).wrap(mcp);
    println!("authorization server at {}", demo.issuer);
    println!("protected MCP endpoint at {url}");
    protected.serve_listener(listener, examples::ctrl_c_token()).await?;
    Ok(())
}
