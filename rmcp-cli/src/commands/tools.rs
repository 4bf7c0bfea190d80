//! `rmcp tools list` and `rmcp tools call`.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::anyhow;
use indicatif::{ProgressBar, ProgressStyle};
use rmcp_core::model::{CallToolRequestParams, ProgressNotificationParams, Tool};
use rmcp_core::service::RequestOptions;
use serde_json::Value;

use super::Session;
use crate::cli::CallArgs;
use crate::output::{self, first_line, table};

/// `tools list`.
pub async fn list(session: &Session) -> anyhow::Result<()> {
    let tools = session.request("tools/list", session.peer().list_all_tools()).await?;
    if session.out.is_json() {
        return session.out.json(&serde_json::json!({ "tools": tools }));
    }
    let rows: Vec<Vec<String>> =
        tools.iter().map(|t| vec![t.name.clone(), signature(t), first_line(t.description.as_deref())]).collect();
    table(&["NAME", "ARGUMENTS", "DESCRIPTION"], &rows);
    Ok(())
}

/// A tool's arguments in one line: `a:number b?:string` (`?` marks optional ones).
fn signature(tool: &Tool) -> String {
    let schema = &tool.input_schema;
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return String::new() };
    properties
        .iter()
        .map(|(name, prop)| {
            let kind = match prop.get("type") {
                Some(Value::String(t)) => t.clone(),
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("|"),
                _ => "any".to_owned(),
            };
            let optional = if required.contains(&name.as_str()) { "" } else { "?" };
            format!("{name}{optional}:{kind}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `tools call NAME k=v ...`: exit 1 on an `isError` result. Ctrl-C drops this future (in
/// `main`), which cancels the call.
pub async fn call(session: &Session, args: &CallArgs) -> anyhow::Result<ExitCode> {
    let tools = session.request("tools/list", session.peer().list_all_tools()).await?;
    let tool = tools.iter().find(|t| t.name == args.name).ok_or_else(|| {
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
        anyhow!("the server has no tool named `{}`; it has: {}", args.name, names.join(", "))
    })?;
    let arguments = crate::args::build(args.json.as_deref(), &args.args, Some(&tool.input_schema))?;
    let params = CallToolRequestParams::new(args.name.clone()).with_arguments(arguments);

    let mut options = RequestOptions::new();
    if let Some(t) = session.timeout {
        options = options.with_timeout(t);
    }
    // A bar only where someone watches it, and not mixed into JSON for scripts.
    if !session.out.is_json() && std::io::stderr().is_terminal() {
        let slot = session.client.service().progress_slot();
        options = options.on_progress(move |p| show_progress(&slot, &p));
    }
    let result = session.peer().call_tool_with(params, options).await;
    session.clear_progress();
    let result = result.map_err(|e| super::explain(&format!("the call to `{}`", args.name), e))?;
    let failed = result.is_error();
    if session.out.is_json() {
        session.out.json(&result)?;
    } else {
        let value = serde_json::to_value(&result)?;
        let blocks = value.get("content").and_then(Value::as_array).cloned().unwrap_or_default();
        output::content(&blocks, result.structured_content.as_ref());
    }
    if failed {
        output::error(&format!("the tool `{}` reported an error (isError)", args.name));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn show_progress(slot: &Arc<Mutex<Option<ProgressBar>>>, p: &ProgressNotificationParams) {
    let Ok(mut slot) = slot.lock() else { return };
    let bar = slot.get_or_insert_with(|| ProgressBar::new(0));
    let message = p.message.clone().unwrap_or_default();
    // MCP progress is a float: the bar counts thousandths and shows a percentage.
    match p.total.filter(|t| *t > 0.0) {
        Some(total) => {
            bar.set_style(
                ProgressStyle::with_template("[{bar:30}] {percent:>3}% {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_length((total * 1000.0) as u64);
            bar.set_position((p.progress.min(total) * 1000.0) as u64);
            bar.set_message(message);
        }
        None => {
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(format!("{} {message}", p.progress));
            bar.tick();
        }
    }
}
