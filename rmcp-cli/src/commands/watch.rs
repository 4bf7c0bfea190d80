//! `rmcp watch`: the server's notifications as they arrive, until Ctrl-C.
//!
//! By default (and with `--era 2025`) it opens a 2025 session, whose notifications come on
//! stdout (stdio) or on the GET stream (HTTP): log messages, progress, list changes, updates of
//! subscribed resources. With `--era 2026` it sends one long-lived `subscriptions/listen`
//! (Streamable HTTP), on which the server sends list changes and resource updates; 2026 has no
//! session-wide log level, so `--log-level` needs 2025 there.

use std::process::ExitCode;

use anyhow::bail;
use rmcp_core::model::{SubscribeRequestParams, SubscriptionFilter, SubscriptionsListenRequestParams, methods};
use rmcp_core::service::RequestOptions;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::INTERRUPTED;
use super::Session;
use crate::cli::{ConnectArgs, Era, WatchArgs};
use crate::client::{CliClient, Notification};
use crate::output::{Output, dim, line};

/// Connect, subscribe as asked, then print until Ctrl-C or until the server goes.
pub async fn watch(
    conn: &ConnectArgs,
    args: &WatchArgs,
    out: Output,
    interrupted: CancellationToken,
) -> anyhow::Result<ExitCode> {
    let listen = conn.era == Era::V2026;
    if listen && args.log_level.is_some() {
        bail!("--log-level needs a 2025 session (2026 has no session-wide log level): drop --era 2026");
    }
    // `auto` would pick 2026 where it can; a session hears more (logs too), so 2025 it is.
    let conn = ConnectArgs { era: if listen { Era::V2026 } else { Era::V2025 }, ..conn.clone() };
    let (tx, mut rx) = mpsc::unbounded_channel::<Notification>();
    let session = tokio::select! {
        session = Session::open(&conn, CliClient::new(&conn).with_watcher(tx), out) => session?,
        () = interrupted.cancelled() => return Ok(ExitCode::from(INTERRUPTED)),
    };
    if let Some(level) = &args.log_level {
        let params = super::misc::level_params(level)?;
        session.request("logging/setLevel", session.peer().set_level(params)).await?;
    }
    if !listen {
        for uri in &args.subscribe {
            let what = format!("subscribing to `{uri}`");
            session.request(&what, session.peer().subscribe(SubscribeRequestParams::new(uri.clone()))).await?;
        }
    }
    // On 2026 the subscription is a request that stays open; on 2025 nothing to wait for.
    let peer = session.peer().clone();
    let subscribe = args.subscribe.clone();
    let subscription = async move {
        if !listen {
            return std::future::pending().await;
        }
        let mut filter = SubscriptionFilter::new()
            .with_tools_list_changed()
            .with_prompts_list_changed()
            .with_resources_list_changed();
        for uri in subscribe {
            filter = filter.with_resource_subscription(uri);
        }
        let params = SubscriptionsListenRequestParams::new(filter);
        let listening = peer.send_request::<Value>(methods::SUBSCRIPTIONS_LISTEN, &params, RequestOptions::new());
        listening.await.map_err(|e| super::explain("subscriptions/listen", e))
    };
    // Boxed so it can be dropped (ending the subscription) before the session closes.
    let mut subscription = Box::pin(subscription);
    if !out.is_json() {
        eprintln!("{}", dim("watching; Ctrl-C to stop"));
    }
    let code = loop {
        tokio::select! {
            Some((method, params)) = rx.recv() => print(out, method, &params)?,
            () = interrupted.cancelled() => break ExitCode::from(INTERRUPTED),
            ended = &mut subscription => {
                // Notifications that came before the end are shown first.
                while let Ok((method, params)) = rx.try_recv() {
                    print(out, method, &params)?;
                }
                match ended {
                    Ok(_) => eprintln!("rmcp: the server ended the subscription"),
                    Err(e) => crate::output::error(&format!("{e:#}")),
                }
                break ExitCode::FAILURE;
            }
            () = session.peer().closed() => {
                eprintln!("rmcp: the server closed the connection");
                break ExitCode::FAILURE;
            }
        }
    };
    drop(subscription);
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
