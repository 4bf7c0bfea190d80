//! A filesystem server that stays within the folders the user shared (the client's roots).
//!
//! Demonstrates roots: every call asks the client for its roots (`ctx.list_roots`, a request on
//! 2025-11-25, an `input_required` round on 2026-07-28) and resolves the path it was given
//! (symbolic links and `..` included) before checking that it lies under one of them. The
//! server keeps no list of its own, so it follows the user's choice as it changes. A path
//! outside every root, or a client that shares none, is a tool error the model can read.
//!
//! Run it with `cargo run -p examples --bin filesystem` (stdio); it needs a client that shares
//! roots (its test has one).

use std::path::{Path, PathBuf};

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{McpError, RequestContext};
use rmcp_core::{RoleServer, tool, tool_handler, tool_router};

/// The largest file `read_file` returns: a model's context is not the place for more.
const MAX_READ: u64 = 256 * 1024;

#[derive(Clone)]
struct Files {
    tool_router: ToolRouter<Self>,
}

/// The local path of a `file://` URI (percent-decoded), or `None` for another scheme.
fn path_of_file_uri(uri: &str) -> Option<PathBuf> {
    let encoded = uri.strip_prefix("file://")?;
    let bytes = encoded.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded).ok().map(PathBuf::from)
}

/// A tool error (`isError: true`) from a tool that returns `McpError`.
fn refuse(message: impl Into<String>) -> McpError {
    McpError::InvalidArguments(message.into())
}

impl Files {
    /// `path` (absolute, or relative to the first root) resolved, if it lies within a root.
    async fn resolve(&self, ctx: &RequestContext<RoleServer>, path: &str) -> Result<PathBuf, McpError> {
        // Asked on every call: the user may have changed what they share.
        let roots: Vec<PathBuf> = ctx
            .list_roots("roots")
            .await?
            .roots
            .iter()
            .filter_map(|root| path_of_file_uri(&root.uri))
            .filter_map(|root| root.canonicalize().ok())
            .collect();
        let first = roots.first().ok_or_else(|| refuse("the client shares no folder: add a root first"))?;
        let wanted = Path::new(path);
        let wanted = if wanted.is_absolute() { wanted.to_path_buf() } else { first.join(wanted) };
        // Canonical, so `..` and symbolic links cannot lead out of a root.
        let real = wanted.canonicalize().map_err(|e| refuse(format!("{path}: {e}")))?;
        if !roots.iter().any(|root| real.starts_with(root)) {
            return Err(refuse(format!("{path} is outside the folders the client shared")));
        }
        Ok(real)
    }
}

#[tool_router]
impl Files {
    /// List a folder within the shared roots: one entry per line, folders ending in `/`.
    #[tool(annotations(read_only_hint = true))]
    async fn list_dir(
        &self,
        /// The folder: absolute, or relative to the first root ("." for the root itself).
        path: String,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        let dir = self.resolve(&ctx, &path).await?;
        let mut entries = tokio::fs::read_dir(&dir).await.map_err(|e| refuse(format!("{path}: {e}")))?;
        let mut names = Vec::new();
        while let Some(entry) = entries.next_entry().await.map_err(|e| refuse(format!("{path}: {e}")))? {
            let slash = if entry.file_type().await.is_ok_and(|t| t.is_dir()) { "/" } else { "" };
            names.push(format!("{}{slash}", entry.file_name().to_string_lossy()));
        }
        names.sort();
        Ok(names.join("\n"))
    }

    /// Read a text file within the shared roots (at most 256 KiB).
    #[tool(annotations(read_only_hint = true))]
    async fn read_file(
        &self,
        /// The file: absolute, or relative to the first root.
        path: String,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        let file = self.resolve(&ctx, &path).await?;
        let size = tokio::fs::metadata(&file).await.map_err(|e| refuse(format!("{path}: {e}")))?.len();
        if size > MAX_READ {
            return Err(refuse(format!("{path} is {size} bytes; at most {MAX_READ} are read")));
        }
        tokio::fs::read_to_string(&file).await.map_err(|e| refuse(format!("{path}: {e}")))
    }
}

#[tool_handler]
impl ServerHandler for Files {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("filesystem", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
            .with_instructions("Lists and reads files within the folders you share as roots.")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::run("filesystem", || Files { tool_router: Files::tool_router() }).await
}
