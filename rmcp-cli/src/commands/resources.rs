//! `rmcp resources list|templates|read`.

use rmcp_core::model::ReadResourceRequestParams;
use serde_json::{Value, json};

use super::Session;
use crate::output::{self, first_line, table};

/// `resources list`.
pub async fn list(session: &Session) -> anyhow::Result<()> {
    let resources = session.request("resources/list", session.peer().list_all_resources()).await?;
    if session.out.is_json() {
        return session.out.json(&json!({ "resources": resources }));
    }
    let rows: Vec<Vec<String>> = resources
        .iter()
        .map(|r| {
            vec![
                r.uri.clone(),
                r.name.clone(),
                r.mime_type.clone().unwrap_or_default(),
                first_line(r.description.as_deref()),
            ]
        })
        .collect();
    table(&["URI", "NAME", "TYPE", "DESCRIPTION"], &rows);
    Ok(())
}

/// `resources templates`.
pub async fn templates(session: &Session) -> anyhow::Result<()> {
    let templates = session.request("resources/templates/list", session.peer().list_all_resource_templates()).await?;
    if session.out.is_json() {
        return session.out.json(&json!({ "resourceTemplates": templates }));
    }
    let rows: Vec<Vec<String>> = templates
        .iter()
        .map(|t| vec![t.uri_template.clone(), t.name.clone(), first_line(t.description.as_deref())])
        .collect();
    table(&["URI TEMPLATE", "NAME", "DESCRIPTION"], &rows);
    Ok(())
}

/// `resources read URI`: text printed as is, binary data summarized (JSON has it all).
pub async fn read(session: &Session, uri: &str) -> anyhow::Result<()> {
    let what = format!("reading `{uri}`");
    let result = session.request(&what, session.peer().read_resource(ReadResourceRequestParams::new(uri))).await?;
    if session.out.is_json() {
        return session.out.json(&result);
    }
    let value = serde_json::to_value(&result)?;
    for contents in value.get("contents").and_then(Value::as_array).into_iter().flatten() {
        output::resource_contents(contents);
    }
    Ok(())
}
