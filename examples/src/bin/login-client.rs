//! Logs in to `protected-server` with OAuth and calls its calculator.
//!
//! Demonstrates the client side of `rmcp_core::auth`: an `OAuthClient` given to the HTTP
//! transport. The first request is refused with 401; the client reads the server's protected
//! resource metadata, finds its authorization server, registers itself, and sends the user to
//! the authorization URL with PKCE. A `LoopbackHandler` on 127.0.0.1 receives the redirect with
//! the code, the code becomes a token, and the refused request goes again, now authorized.
//!
//! By default this program also plays the browser (it opens the authorization URL itself, which
//! the demo server approves at once); with `--manual` it only prints the URL for you to open.
//!
//! Run: `cargo run -p examples --bin login-client -- --url http://127.0.0.1:8000/mcp`.

use rmcp_core::auth::{LoopbackHandler, OAuthClient, OAuthConfig};
use rmcp_core::model::CallToolRequestParams;
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::init_logging();
    let url = examples::flag("--url")?.unwrap_or_else(|| "http://127.0.0.1:8000/mcp".to_owned());
    let manual = std::env::args().any(|a| a == "--manual");

    let handler = LoopbackHandler::bind(0, move |authorization_url| {
        eprintln!("open this URL to authorize: {authorization_url}");
        if !manual {
            // Stand in for the browser: follow the redirects back to our loopback listener.
            let authorization_url = authorization_url.clone();
            tokio::spawn(async move { reqwest::get(authorization_url).await });
        }
    })
    .await?;
    let oauth = OAuthClient::new(&url, handler, OAuthConfig::new("rmcp login-client"))?;
    let config = StreamableHttpClientConfig::new(&url).with_auth(oauth.clone());
    let client = ().serve(StreamableHttpClientTransport::with_config(config)).await?;

    let tokens = oauth.tokens().ok_or_else(|| anyhow::anyhow!("connected without tokens"))?;
    println!("logged in at {} with scope \"{}\"", tokens.issuer, tokens.scopes.join(" "));
    let tools = client.list_all_tools().await?;
    println!("tools: {}", tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "));
    let arguments = serde_json::json!({ "a": 2, "b": 3 }).as_object().cloned().unwrap_or_default();
    let sum = client.call_tool(CallToolRequestParams::new("add").with_arguments(arguments)).await?;
    let text: Vec<&str> = sum.content.iter().filter_map(|c| c.as_text()).collect();
    println!("add(2, 3) = {}", text.join(""));
    client.cancel().await;
    Ok(())
}
