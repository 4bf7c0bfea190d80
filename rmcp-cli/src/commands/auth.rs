//! `rmcp auth login|logout|status URL`.

use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::{Context, anyhow};
use rmcp_core::auth::TokenSet;
use serde_json::json;

use crate::auth::{FileStore, oauth_client};
use crate::cli::AuthCommand;
use crate::output::{Output, line};

/// Run one `auth` command.
pub async fn auth(command: &AuthCommand, out: Output) -> anyhow::Result<ExitCode> {
    let store = FileStore::open()?;
    match command {
        AuthCommand::Login { endpoint, open_with } => {
            let oauth = oauth_client(endpoint, store.clone(), open_with.clone()).await?;
            oauth.authorize().await.with_context(|| format!("logging in to {endpoint} failed"))?;
            let tokens = oauth.tokens().ok_or_else(|| anyhow!("the login ended without tokens"))?;
            store
                .remember_server(endpoint, &tokens.issuer)
                .with_context(|| format!("cannot save the login in {}", store.path().display()))?;
            show(out, endpoint, &tokens, "logged in to")?;
            Ok(ExitCode::SUCCESS)
        }
        AuthCommand::Status { endpoint } => match store.tokens_for(endpoint) {
            Some(tokens) => {
                show(out, endpoint, &tokens, "logged in to")?;
                Ok(ExitCode::SUCCESS)
            }
            None => {
                if out.is_json() {
                    out.json(&json!({"server": endpoint, "loggedIn": false}))?;
                } else {
                    line(&format!("not logged in to {endpoint}; run `rmcp auth login {endpoint}`"));
                }
                Ok(ExitCode::FAILURE)
            }
        },
        AuthCommand::Logout { endpoint } => {
            let found = store.forget(endpoint).with_context(|| format!("cannot update {}", store.path().display()))?;
            if out.is_json() {
                out.json(&json!({"server": endpoint, "loggedOut": found}))?;
            } else if found {
                line(&format!("logged out of {endpoint}"));
            } else {
                line(&format!("was not logged in to {endpoint}"));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A login, without its secrets.
fn show(out: Output, server: &str, tokens: &TokenSet, what: &str) -> anyhow::Result<()> {
    let expires_in = tokens.expires_at.map(|at| {
        at.duration_since(SystemTime::now())
            .map(|d| d.as_secs() as i64)
            .unwrap_or_else(|e| -(e.duration().as_secs() as i64))
    });
    if out.is_json() {
        return out.json(&json!({
            "server": server,
            "loggedIn": true,
            "issuer": tokens.issuer,
            "scopes": tokens.scopes,
            "expiresInSeconds": expires_in,
            "refreshable": tokens.refresh_token.is_some(),
        }));
    }
    line(&format!("{what} {server}"));
    line(&format!("  issuer   {}", tokens.issuer));
    line(&format!("  scopes   {}", if tokens.scopes.is_empty() { "-".to_owned() } else { tokens.scopes.join(" ") }));
    let expiry = match expires_in {
        Some(s) if s > 0 => format!("in {s} s"),
        Some(_) => "expired (refreshed on the next command)".to_owned(),
        None => "not said".to_owned(),
    };
    line(&format!("  expires  {expiry}{}", if tokens.refresh_token.is_some() { ", refreshable" } else { "" }));
    Ok(())
}
