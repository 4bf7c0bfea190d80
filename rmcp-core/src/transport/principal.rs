//! Who a request speaks for, as an authentication layer in front of a transport established it.

/// The authenticated caller of a request.
///
/// Transports know no authentication scheme: a layer in front of them (the OAuth resource layer
/// of the `auth-server` feature, or any tower layer of your own) puts a `Principal` in the HTTP
/// request's extensions, and the transport and the handlers read it from there. The Streamable
/// HTTP server binds a session to the principal that opened it; the task store shows a task only
/// to the principal that created it.
///
/// ```
/// use rmcp_core::transport::Principal;
///
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(Principal::new("alice").with_client_id("cli").with_scopes(["tools:call"]));
/// let principal = request.extensions().get::<Principal>().unwrap();
/// assert_eq!(principal.subject.as_deref(), Some("alice"));
/// assert!(principal.has_scope("tools:call"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Principal {
    /// Whom the request acts for (an OAuth token's `sub`), when known.
    pub subject: Option<String>,
    /// The client application that sent it (an OAuth token's `client_id`), when known.
    pub client_id: Option<String>,
    /// What the caller is allowed to do (an OAuth token's scopes).
    pub scopes: Vec<String>,
}

impl Principal {
    /// A principal acting for `subject`.
    pub fn new(subject: impl Into<String>) -> Self {
        Self { subject: Some(subject.into()), ..Self::default() }
    }

    /// A principal known only by its client application (a machine-to-machine grant, say).
    pub fn client(client_id: impl Into<String>) -> Self {
        Self { client_id: Some(client_id.into()), ..Self::default() }
    }

    /// With the client application that sent the request.
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// With the scopes the caller holds.
    pub fn with_scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the caller holds `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}
