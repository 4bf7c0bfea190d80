//! The OAuth side of the `auth/*` scenarios: which provider answers the mock server's 401, built
//! from the scenario name and `MCP_CONFORMANCE_CONTEXT`.

use std::sync::Arc;

use anyhow::Context;
use rmcp_core::auth::{
    ClientCredentialsProvider, Es256Key, FetchRedirect, Grant, IdJagExchange, OAuthClient, OAuthConfig,
    PreRegisteredClient, TokenEndpointAuth,
};
use rmcp_core::transport::http::AuthProvider;
use serde_json::Value;

use crate::args::Config;

/// The redirect URI the mock authorization servers redirect to at once; nothing listens there:
/// the code is read from the `Location` header.
const REDIRECT_URI: &str = "http://localhost:3000/callback";
/// The client ID metadata document URL the `basic-cimd` scenario expects.
const CLIENT_METADATA_URL: &str = "https://conformance-test.local/client-metadata.json";

/// The client-credentials scenarios give no issuer: their authorization server is known only
/// from the mock server's metadata, so the credentials cannot be bound to it beforehand (what
/// production code does with `ClientCredentialsProvider::new`).
fn client_credentials(url: &str, client_id: String) -> anyhow::Result<ClientCredentialsProvider> {
    Ok(ClientCredentialsProvider::trust_discovered_issuer(url, client_id)?)
}

/// The provider for this scenario, or `None` outside `auth/*`.
pub fn provider(cfg: &Config) -> anyhow::Result<Option<Arc<dyn AuthProvider>>> {
    let Some(name) = cfg.scenario.strip_prefix("auth/") else { return Ok(None) };
    let context = |key: &str| cfg.context.get(key).and_then(Value::as_str).map(str::to_owned);
    let required = |key: &str| context(key).with_context(|| format!("MCP_CONFORMANCE_CONTEXT has no {key}"));
    let url = cfg.url.as_str();
    let provider: Arc<dyn AuthProvider> = match name {
        "client-credentials-basic" => Arc::new(
            client_credentials(url, required("client_id")?)?
                .with_secret(required("client_secret")?)
                .with_auth_method(TokenEndpointAuth::ClientSecretBasic),
        ),
        "client-credentials-jwt" => {
            let key = Es256Key::from_pkcs8_pem(&required("private_key_pem")?)?;
            Arc::new(client_credentials(url, required("client_id")?)?.with_signing_key(key))
        }
        "wif-jwt-bearer" => Arc::new(
            client_credentials(url, required("client_id")?)?
                .with_auth_method(TokenEndpointAuth::None)
                .with_grant(Grant::JwtBearer(Arc::new(required("valid_jwt")?))),
        ),
        "enterprise-managed-authorization" => {
            let exchange = IdJagExchange::new(
                required("idp_token_endpoint")?,
                required("idp_id_token")?,
                required("idp_client_id")?,
            );
            Arc::new(
                client_credentials(url, required("client_id")?)?
                    .with_secret(required("client_secret")?)
                    .with_auth_method(TokenEndpointAuth::ClientSecretBasic)
                    .with_grant(Grant::JwtBearer(Arc::new(exchange))),
            )
        }
        _ => {
            let mut config = OAuthConfig::new("rmcp-conformance-client")
                .with_client_metadata_url(CLIENT_METADATA_URL)
                // The DPoP scenarios' servers verify proofs; MCP servers in general take Bearer.
                .with_dpop(matches!(name, "dpop" | "dpop-nonce"));
            if let (Some(issuer), Some(id)) = (context("issuer"), context("client_id")) {
                let mut client = PreRegisteredClient::new(issuer, id);
                if let Some(secret) = context("client_secret") {
                    client = client.with_secret(secret);
                }
                config = config.with_pre_registered(client);
            }
            Arc::new(OAuthClient::new(url, FetchRedirect::new(REDIRECT_URI), config)?)
        }
    };
    tracing::info!(scenario = %cfg.scenario, "OAuth provider ready");
    Ok(Some(provider))
}
