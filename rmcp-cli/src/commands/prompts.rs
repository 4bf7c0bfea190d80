//! `rmcp prompts list|get`.

use anyhow::{Context, anyhow};
use rmcp_core::model::GetPromptRequestParams;
use serde_json::{Map, Value, json};

use super::Session;
use crate::output::{self, dim, first_line, heading, line, table};

/// `prompts list`.
pub async fn list(session: &Session) -> anyhow::Result<()> {
    let prompts = session.request("prompts/list", session.peer().list_all_prompts()).await?;
    if session.out.is_json() {
        return session.out.json(&json!({ "prompts": prompts }));
    }
    let rows: Vec<Vec<String>> = prompts
        .iter()
        .map(|p| {
            let args = p
                .arguments
                .iter()
                .flatten()
                .map(|a| if a.required == Some(true) { a.name.clone() } else { format!("{}?", a.name) })
                .collect::<Vec<_>>()
                .join(" ");
            vec![p.name.clone(), args, first_line(p.description.as_deref())]
        })
        .collect();
    table(&["NAME", "ARGUMENTS", "DESCRIPTION"], &rows);
    Ok(())
}

/// `key=value` pairs as a map of strings (prompt arguments are always strings).
pub fn string_pairs(pairs: &[String]) -> anyhow::Result<Map<String, Value>> {
    pairs
        .iter()
        .map(|pair| {
            let (k, v) = pair.split_once('=').ok_or_else(|| anyhow!("argument `{pair}` should be `key=value`"))?;
            Ok((k.to_owned(), Value::String(v.to_owned())))
        })
        .collect()
}

/// `prompts get NAME k=v ...`: each message with its role.
pub async fn get(session: &Session, name: &str, pairs: &[String]) -> anyhow::Result<()> {
    let params: GetPromptRequestParams =
        serde_json::from_value(json!({"name": name, "arguments": string_pairs(pairs)?}))
            .context("cannot build the prompts/get request")?;
    let what = format!("getting the prompt `{name}`");
    let result = session.request(&what, session.peer().get_prompt(params)).await?;
    if session.out.is_json() {
        return session.out.json(&result);
    }
    let value = serde_json::to_value(&result)?;
    if let Some(description) = value.get("description").and_then(Value::as_str) {
        line(&dim(description));
    }
    for message in value.get("messages").and_then(Value::as_array).into_iter().flatten() {
        let role = message.get("role").and_then(Value::as_str).unwrap_or("?");
        line(&heading(&format!("{role}:")));
        let content = message.get("content").cloned().unwrap_or(Value::Null);
        output::content(std::slice::from_ref(&content), None);
    }
    Ok(())
}
