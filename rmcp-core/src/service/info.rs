//! How each side describes itself: [`ServerInfo`] and [`ClientInfo`].
//!
//! They live in the engine, below the handlers, because the engine's handshake reads them.

use std::time::Duration;

use crate::model::{CacheScope, ClientCapabilities, Implementation, ProtocolVersion, ServerCapabilities};

/// How a server describes itself: its identity, its capabilities and its instructions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServerInfo {
    /// The server's name and version.
    pub server_info: Implementation,
    /// What it offers. Requests for a feature not declared here are answered with -32601.
    pub capabilities: ServerCapabilities,
    /// Guidance for the model on how to use the server.
    pub instructions: Option<String>,
    /// The cache hint put on list and read results of the 2026-07-28 protocol (`ttlMs`).
    pub cache_ttl_ms: u64,
    /// The cache scope put on list and read results of the 2026-07-28 protocol.
    pub cache_scope: CacheScope,
}

impl Default for ServerInfo {
    fn default() -> Self {
        Self {
            server_info: Implementation::new("rmcp-core-server", env!("CARGO_PKG_VERSION")),
            capabilities: ServerCapabilities::default(),
            instructions: None,
            cache_ttl_ms: 0,
            cache_scope: CacheScope::Private,
        }
    }
}

impl ServerInfo {
    /// A server named `name` at `version` with the given capabilities.
    pub fn new(server_info: Implementation, capabilities: ServerCapabilities) -> Self {
        Self { server_info, capabilities, ..Self::default() }
    }
    /// Set the instructions.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }
    /// Set the cache hints of list and read results (2026-07-28).
    pub fn with_cache_hints(mut self, ttl_ms: u64, scope: CacheScope) -> Self {
        self.cache_ttl_ms = ttl_ms;
        self.cache_scope = scope;
        self
    }
}

/// Which protocol era a client speaks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProtocolPreference {
    /// Try the stateless 2026-07-28 protocol (`server/discover`); fall back to the 2025 handshake
    /// if the server does not speak it.
    #[default]
    Auto,
    /// The stateful handshake, asking for this version.
    Stateful(ProtocolVersion),
    /// The stateless 2026-07-28 protocol only.
    Stateless,
}

/// How a client describes itself.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClientInfo {
    /// The client's name and version.
    pub client_info: Implementation,
    /// What it can do for the server.
    pub capabilities: ClientCapabilities,
    /// Which protocol era to speak.
    pub protocol: ProtocolPreference,
    /// How long the handshake may take.
    pub handshake_timeout: Option<Duration>,
    /// With [`ProtocolPreference::Auto`]: how long to wait for the `server/discover` probe before
    /// taking the server for a legacy one.
    pub probe_timeout: Duration,
    /// How many `input_required` rounds (2026-07-28) one request may take before the client
    /// gives up with [`ServiceError::TooManyInputRounds`](crate::service::ServiceError::TooManyInputRounds).
    pub max_input_rounds: usize,
    /// How many pages one `list_all_*` call follows before it gives up with
    /// [`ServiceError::ListTooLong`](crate::service::ServiceError::ListTooLong): a server can
    /// hand out fresh cursors forever. Default: 1000.
    pub max_list_pages: usize,
    /// How many items one `list_all_*` call collects before it gives up the same way.
    /// Default: 100 000.
    pub max_list_items: usize,
}

impl Default for ClientInfo {
    fn default() -> Self {
        Self {
            client_info: Implementation::new("rmcp-core-client", env!("CARGO_PKG_VERSION")),
            capabilities: ClientCapabilities::default(),
            protocol: ProtocolPreference::Auto,
            handshake_timeout: Some(Duration::from_secs(30)),
            probe_timeout: Duration::from_secs(5),
            max_input_rounds: DEFAULT_MAX_INPUT_ROUNDS,
            max_list_pages: DEFAULT_MAX_LIST_PAGES,
            max_list_items: DEFAULT_MAX_LIST_ITEMS,
        }
    }
}

impl ClientInfo {
    /// A client with this identity and these capabilities.
    pub fn new(client_info: Implementation, capabilities: ClientCapabilities) -> Self {
        Self { client_info, capabilities, ..Self::default() }
    }
    /// Set how many `input_required` rounds one request may take.
    pub fn with_max_input_rounds(mut self, rounds: usize) -> Self {
        self.max_input_rounds = rounds;
        self
    }
    /// Set how many pages and items one `list_all_*` call may collect.
    pub fn with_list_limits(mut self, max_pages: usize, max_items: usize) -> Self {
        self.max_list_pages = max_pages;
        self.max_list_items = max_items;
        self
    }
    /// Choose the protocol era.
    pub fn with_protocol(mut self, protocol: ProtocolPreference) -> Self {
        self.protocol = protocol;
        self
    }
}

/// How many `input_required` rounds one request may take unless the client says otherwise.
pub const DEFAULT_MAX_INPUT_ROUNDS: usize = 8;
/// How many pages one `list_all_*` call follows unless the client says otherwise.
pub(crate) const DEFAULT_MAX_LIST_PAGES: usize = 1000;
/// How many items one `list_all_*` call collects unless the client says otherwise.
pub(crate) const DEFAULT_MAX_LIST_ITEMS: usize = 100_000;
