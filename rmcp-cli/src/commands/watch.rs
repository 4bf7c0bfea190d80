//! `rmcp watch`: the server's notifications as they arrive, until Ctrl-C.
//!
//! It speaks the 2025 era: a session whose notifications come on stdout (stdio) or on the GET
//! stream (HTTP). rmcp-core's client has no 2026 `subscriptions/listen` yet.

use std::process::ExitCode;

use anyhow::bail;
use rmcp_core::model::SubscribeRequestParams;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::Session;
use super::tools::INTERRUPTED;
use crate::cli::{ConnectArgs, Era, WatchArgs};
use crate::client::{CliClient, Notification};
use crate::output::{Output, dim, line};

/// Connect, subscribe as asked, then print until Ctrl-C or until the server goes.
pub async fn watch(conn: &ConnectArgs, args: &WatchArgs, out: Output) -> anyhow::Result<ExitCode> {
    if conn.era == Era::V2026 {
        bail!("watch needs a 2025 session: rmcp-core's client has no 2026 subscriptions/listen yet (drop --era 2026)");
    }
    let conn = ConnectArgs { era: Era::V2025, ..conn.clone() };
    let (tx, mut rx) = mpsc::unbounded_channel::<Notification>();
    let session = Session::open(&conn, CliClient::new(&conn).with_watcher(tx), out).await?;
    if let Some(level) = &args.log_level {
        let params = super::misc::level_params(level)?;
        session.request("logging/setLevel", session.peer().set_level(params)).await?;
    }
    for uri in &args.subscribe {
        let what = format!("subscribing to `{uri}`");
        session.request(&what, session.peer().subscribe(SubscribeRequestParams::new(uri.clone()))).await?;
    }
    if !out.is_json() {
        eprintln!("{}", dim("watching; Ctrl-C to stop"));
    }
    let code = loop {
        tokio::select! {
            Some((method, params)) = rx.recv() => print(out, method, &params)?,
            _ = tokio::signal::ctrl_c() => break ExitCode::from(INTERRUPTED),
            () = session.peer().closed() => {
                eprintln!("rmcp: the server closed the connection");
                break ExitCode::FAILURE;
            }
        }
    };
    session.close().await;
    Ok(code)
}

fn print(out: Output, method: &str, params: &Value) -> anyhow::Result<()> {
    if out.is_json() {
        // One object per line, so a script can read them as they come.
        line(&serde_json::to_string(&json!({"method": method, "params": params}))?);
        return Ok(());
    }
    let summary = match method {
        "notifications/message" => {
            let level = params.get("level").and_then(Value::as_str).unwrap_or("");
            let data = match params.get("data") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            format!("[{level}] {data}")
        }
        "notifications/resources/updated" => params.get("uri").and_then(Value::as_str).unwrap_or("").to_owned(),
        "notifications/progress" => {
            let progress = params.get("progress").map(Value::to_string).unwrap_or_default();
            let total = params.get("total").map(|t| format!("/{t}")).unwrap_or_default();
            let message = params.get("message").and_then(Value::as_str).unwrap_or("");
            format!("{progress}{total} {message}")
        }
        _ if params.as_object().is_some_and(|o| o.is_empty()) => String::new(),
        _ => params.to_string(),
    };
    line(format!("{} {summary}", dim(method)).trim_end());
    Ok(())
}
