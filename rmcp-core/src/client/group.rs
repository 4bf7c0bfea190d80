//! One tool surface over many servers: their tool lists merged under namespaced names, calls
//! routed to the server that owns the tool, and fan-out across servers.

use std::fmt;

use futures_util::StreamExt;
use futures_util::future::join_all;

use crate::model::{CallToolRequestParams, CallToolResult, Tool};
use crate::service::{Peer, RoleClient, RunningService, ServiceError};

/// Why a group operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GroupError {
    /// No member has this name (or the tool name carries no member prefix).
    #[error("no server in the group for tool `{0}`")]
    UnknownTool(String),
    /// A member with this name is already in the group.
    #[error("the group already has a server named `{0}`")]
    DuplicateServer(String),
    /// The name is empty or contains the separator, so its tools could not be routed back to it.
    #[error("`{0}` cannot name a server: it is empty or contains the separator")]
    InvalidName(String),
    /// The member's request failed.
    #[error("server `{server}`: {error}")]
    Server {
        /// The member's name.
        server: String,
        /// What went wrong.
        #[source]
        error: ServiceError,
    },
}

struct Member {
    name: String,
    peer: Peer<RoleClient>,
    /// Keeps the member's connection open for as long as the group holds it.
    _service: Box<dyn Send + Sync>,
}

/// Clients of many servers (any transport, either era) behind one tool list.
///
/// Each server's tools appear as `<server><separator><tool>` (separator `__` by default: it is
/// valid in MCP tool names and in the function names model APIs accept). Listing and fan-out
/// run against all servers concurrently.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use rmcp_core::client::ClientGroup;
/// use rmcp_core::model::CallToolRequestParams;
/// use rmcp_core::service::ServiceExt;
/// use rmcp_core::transport::{ChildProcess, http::StreamableHttpClientTransport};
///
/// let mut group = ClientGroup::new();
/// let local = ().serve(ChildProcess::new(tokio::process::Command::new("my-server"))?).await?;
/// group.add("local", local)?;
/// let remote = ().serve(StreamableHttpClientTransport::new("http://127.0.0.1:8080/mcp")).await?;
/// group.add("remote", remote)?;
///
/// for tool in group.list_all_tools().await? {
///     println!("{}", tool.name); // local__add, remote__search, ...
/// }
/// let result = group.call_tool(CallToolRequestParams::new("remote__search")).await?;
/// # Ok(()) }
/// ```
pub struct ClientGroup {
    members: Vec<Member>,
    separator: String,
}

impl fmt::Debug for ClientGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientGroup")
            .field("servers", &self.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>())
            .field("separator", &self.separator)
            .finish()
    }
}

impl Default for ClientGroup {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientGroup {
    /// An empty group with separator `__`.
    pub fn new() -> Self {
        Self { members: Vec::new(), separator: "__".to_owned() }
    }

    /// Use another separator between server and tool names.
    ///
    /// # Panics
    /// If `separator` is empty: names could not be split back into server and tool.
    pub fn with_separator(mut self, separator: impl Into<String>) -> Self {
        self.separator = separator.into();
        assert!(!self.separator.is_empty(), "a client group's separator must not be empty");
        self
    }

    /// Add a running client under `name`; the group keeps it alive until dropped.
    pub fn add<S: Send + Sync + 'static>(
        &mut self,
        name: impl Into<String>,
        client: RunningService<RoleClient, S>,
    ) -> Result<(), GroupError> {
        let name = name.into();
        // A name holding the separator would make `a__b__x` ambiguous between `a` and `a__b`.
        if name.is_empty() || name.contains(self.separator.as_str()) {
            return Err(GroupError::InvalidName(name));
        }
        if self.members.iter().any(|m| m.name == name) {
            return Err(GroupError::DuplicateServer(name));
        }
        let peer = client.peer().clone();
        self.members.push(Member { name, peer, _service: Box::new(client) });
        Ok(())
    }

    /// The member called `name`.
    pub fn peer(&self, name: &str) -> Option<&Peer<RoleClient>> {
        self.members.iter().find(|m| m.name == name).map(|m| &m.peer)
    }

    /// The names of the members, in the order they were added.
    pub fn servers(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|m| m.name.as_str())
    }

    /// Every tool of every member (all pages), under namespaced names, members in the order they
    /// were added. Fails naming the first member whose listing failed.
    pub async fn list_all_tools(&self) -> Result<Vec<Tool>, GroupError> {
        let lists = join_all(self.members.iter().map(|m| m.peer.list_all_tools())).await;
        let mut all = Vec::new();
        for (member, list) in self.members.iter().zip(lists) {
            let tools = list.map_err(|error| GroupError::Server { server: member.name.clone(), error })?;
            all.extend(tools.into_iter().map(|mut tool| {
                tool.name = format!("{}{}{}", member.name, self.separator, tool.name);
                tool
            }));
        }
        Ok(all)
    }

    /// Call a tool by its namespaced name on the member that owns it.
    pub async fn call_tool(&self, mut params: CallToolRequestParams) -> Result<CallToolResult, GroupError> {
        let (member, tool) = self.route(&params.name)?;
        params.name = tool.to_owned();
        member.peer.call_tool(params).await.map_err(|error| GroupError::Server { server: member.name.clone(), error })
    }

    /// Call many tools, across members, with at most `concurrency` in flight in all; results in
    /// the order of `calls`.
    pub async fn call_tools(
        &self,
        calls: impl IntoIterator<Item = CallToolRequestParams>,
        concurrency: usize,
    ) -> Vec<Result<CallToolResult, GroupError>> {
        futures_util::stream::iter(calls).map(|call| self.call_tool(call)).buffered(concurrency.max(1)).collect().await
    }

    fn route<'a>(&self, name: &'a str) -> Result<(&Member, &'a str), GroupError> {
        let unknown = || GroupError::UnknownTool(name.to_owned());
        let (server, tool) = name.split_once(self.separator.as_str()).ok_or_else(unknown)?;
        let member = self.members.iter().find(|m| m.name == server).ok_or_else(unknown)?;
        Ok((member, tool))
    }
}
