//! `rmcp info` and `rmcp ping`.

use std::time::Instant;

use anyhow::anyhow;
use serde_json::{Value, json};

use super::Session;
use crate::output::{dim, heading, line};

/// `info`: who the server is, which era, what it offers, its instructions.
pub async fn info(session: &Session) -> anyhow::Result<()> {
    let info = session.peer().server_info().ok_or_else(|| anyhow!("the server did not describe itself"))?;
    let version = session.peer().protocol_version().unwrap_or_else(|| info.protocol_version.clone());
    let era = if version.is_stateless() { "stateless" } else { "stateful" };
    let mut value = serde_json::to_value(info)?;
    value["era"] = json!(era);
    if session.out.is_json() {
        return session.out.json(&value);
    }
    let name = &info.server_info.name;
    let title = info.server_info.title.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
    line(&format!("{} {}{title}", heading(name), info.server_info.version));
    line(&format!("{:<14}{} ({era})", "protocol", version.as_str()));
    let capabilities = value.get("capabilities").and_then(Value::as_object);
    let described: Vec<String> = capabilities
        .into_iter()
        .flatten()
        .map(|(name, settings)| {
            let flags: Vec<&str> = settings
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, v)| v.as_bool() == Some(true))
                .map(|(k, _)| k.as_str())
                .collect();
            if flags.is_empty() { name.clone() } else { format!("{name} ({})", flags.join(", ")) }
        })
        .collect();
    let none = dim("none");
    line(&format!("{:<14}{}", "capabilities", if described.is_empty() { &none } else { &described[0] }));
    for more in described.iter().skip(1) {
        line(&format!("{:<14}{more}", ""));
    }
    if let Some(instructions) = &info.instructions {
        line(&format!("\n{}", heading("instructions")));
        line(instructions);
    }
    Ok(())
}

/// `ping`: one round trip (`ping` on 2025, `server/discover` on 2026, which has no ping).
pub async fn ping(session: &Session) -> anyhow::Result<()> {
    let stateless = session.peer().protocol_version().is_some_and(|v| v.is_stateless());
    let started = Instant::now();
    if stateless {
        session.request("server/discover", session.peer().discover()).await?;
    } else {
        session.request("ping", session.peer().ping()).await?;
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if session.out.is_json() {
        return session.out.json(&json!({"ok": true, "milliseconds": ms}));
    }
    line(&format!("pong in {ms:.1} ms"));
    Ok(())
}
