//! The `mcpServers` JSON file that MCP hosts use:
//! `{"mcpServers": {"name": {"command": ..., "args": [...], "env": {...}} | {"url": ..., "headers": {...}}}}`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, anyhow, bail};
use serde::Deserialize;

/// One entry of `mcpServers`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ServerEntry {
    /// A command started as a child process.
    Command {
        /// The program.
        command: String,
        /// Its arguments.
        #[serde(default)]
        args: Vec<String>,
        /// Variables added to its environment.
        #[serde(default)]
        env: BTreeMap<String, String>,
    },
    /// A Streamable HTTP endpoint.
    Url {
        /// The endpoint.
        url: String,
        /// Headers sent with every request.
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(rename = "mcpServers")]
    mcp_servers: BTreeMap<String, serde_json::Value>,
}

/// Read `path` and return the entry `name`.
pub fn load(path: &Path, name: Option<&str>) -> anyhow::Result<ServerEntry> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the config file {}", path.display()))?;
    let file: ConfigFile = serde_json::from_str(&text).with_context(|| {
        format!("{} is not an mcpServers file: expected {{\"mcpServers\": {{\"NAME\": {{...}}}}}}", path.display())
    })?;
    let names = || file.mcp_servers.keys().cloned().collect::<Vec<_>>().join(", ");
    let name = match name {
        Some(name) => name.to_owned(),
        // One entry needs no name.
        None if file.mcp_servers.len() == 1 => file.mcp_servers.keys().next().cloned().unwrap_or_default(),
        None => bail!("{} has several servers: pick one with --server NAME (one of: {})", path.display(), names()),
    };
    let entry = file
        .mcp_servers
        .get(&name)
        .ok_or_else(|| anyhow!("{} has no server named `{name}` (it has: {})", path.display(), names()))?;
    serde_json::from_value(entry.clone()).map_err(|_| {
        anyhow!(
            "the server `{name}` in {} needs either \"command\" (with optional \"args\" and \"env\") or \"url\" \
             (with optional \"headers\")",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("rmcp-cli-config-{}-{}.json", std::process::id(), text.len()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_both_kinds_of_entry() {
        let path = write(
            r#"{"mcpServers": {"calc": {"command": "calculator", "args": ["-v"], "env": {"A": "1"}},
                               "web": {"url": "http://h/mcp", "headers": {"X-Key": "k"}}}}"#,
        );
        let calc = load(&path, Some("calc")).unwrap();
        assert_eq!(
            calc,
            ServerEntry::Command {
                command: "calculator".into(),
                args: vec!["-v".into()],
                env: [("A".to_owned(), "1".to_owned())].into()
            }
        );
        let web = load(&path, Some("web")).unwrap();
        assert_eq!(
            web,
            ServerEntry::Url { url: "http://h/mcp".into(), headers: [("X-Key".to_owned(), "k".to_owned())].into() }
        );
        let err = load(&path, None).unwrap_err().to_string();
        assert!(err.contains("--server NAME") && err.contains("calc, web"), "{err}");
        let err = load(&path, Some("nope")).unwrap_err().to_string();
        assert!(err.contains("no server named `nope`"), "{err}");
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn an_entry_without_command_or_url_says_what_it_needs() {
        let path = write(r#"{"mcpServers": {"bad": {"cmd": "x"}}}"#);
        let err = load(&path, None).unwrap_err().to_string();
        assert!(err.contains("needs either \"command\""), "{err}");
        std::fs::remove_file(path).unwrap();
    }
}
