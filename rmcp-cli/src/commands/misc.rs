//! `rmcp complete` and `rmcp log-level`.

use anyhow::{Context, anyhow};
use rmcp_core::model::{CompleteRequestParams, SetLevelRequestParams};
use serde_json::{Value, json};

use super::Session;
use super::prompts::string_pairs;
use crate::cli::CompleteArgs;
use crate::output::{dim, line};

/// The log levels of MCP, least severe first.
pub const LEVELS: [&str; 8] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

/// `complete --prompt NAME | --template URI ARG [VALUE]`.
pub async fn complete(session: &Session, args: &CompleteArgs) -> anyhow::Result<()> {
    let reference = match (&args.prompt, &args.template) {
        (Some(name), _) => json!({"type": "ref/prompt", "name": name}),
        (None, Some(uri)) => json!({"type": "ref/resource", "uri": uri}),
        (None, None) => return Err(anyhow!("say what to complete: --prompt NAME or --template URI_TEMPLATE")),
    };
    let mut request = json!({"ref": reference, "argument": {"name": args.argument, "value": args.value}});
    if !args.context.is_empty() {
        request["context"] = json!({"arguments": string_pairs(&args.context)?});
    }
    let params: CompleteRequestParams = serde_json::from_value(request).context("cannot build the request")?;
    let result = session.request("completion/complete", session.peer().complete(params)).await?;
    if session.out.is_json() {
        return session.out.json(&result);
    }
    let value = serde_json::to_value(&result)?;
    let completion = value.get("completion").cloned().unwrap_or(Value::Null);
    let values = completion.get("values").and_then(Value::as_array).cloned().unwrap_or_default();
    for v in &values {
        line(v.as_str().unwrap_or(&v.to_string()));
    }
    if completion.get("hasMore").and_then(Value::as_bool) == Some(true) {
        let total = completion.get("total").map(|t| format!(" of {t}")).unwrap_or_default();
        line(&dim(&format!("({} shown{total}; type more to narrow)", values.len())));
    }
    Ok(())
}

/// `log-level LEVEL`.
pub async fn log_level(session: &Session, level: &str) -> anyhow::Result<()> {
    let params = level_params(level)?;
    session.request("logging/setLevel", session.peer().set_level(params)).await?;
    if session.out.is_json() {
        return session.out.json(&json!({"ok": true, "level": level}));
    }
    line(&format!("log level set to {level}"));
    Ok(())
}

/// The params of `logging/setLevel`, refusing a level MCP does not have.
pub fn level_params(level: &str) -> anyhow::Result<SetLevelRequestParams> {
    let level = level.to_ascii_lowercase();
    if !LEVELS.contains(&level.as_str()) {
        return Err(anyhow!("`{level}` is not a log level; use one of: {}", LEVELS.join(", ")));
    }
    serde_json::from_value(json!({ "level": level })).context("cannot build the request")
}
