//! Where client registrations and tokens are kept between flows (and, with a persistent store,
//! between runs), keyed by the authorization server's issuer: what one authorization server
//! issued is never looked up for another.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use super::registration::RegisteredClient;
use super::token::TokenSet;

/// What is kept for one authorization server.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct StoredCredentials {
    /// The client identity this server knows us by.
    pub client: Option<RegisteredClient>,
    /// The latest tokens it issued.
    pub tokens: Option<TokenSet>,
}

impl StoredCredentials {
    /// A client identity and, maybe, tokens.
    pub fn new(client: Option<RegisteredClient>, tokens: Option<TokenSet>) -> Self {
        Self { client, tokens }
    }
}

/// A store of credentials keyed by issuer. Implement it to persist logins (a keychain, an
/// encrypted file); [`InMemoryCredentialStore`] is the default.
pub trait CredentialStore: Send + Sync + 'static {
    /// What is kept for `issuer`.
    fn load<'a>(&'a self, issuer: &'a str) -> BoxFuture<'a, Option<StoredCredentials>>;
    /// Keep `credentials` for `issuer`, replacing what was there.
    fn save<'a>(&'a self, issuer: &'a str, credentials: StoredCredentials) -> BoxFuture<'a, ()>;
    /// Forget what is kept for `issuer` (for example after a refresh token was refused).
    fn remove<'a>(&'a self, issuer: &'a str) -> BoxFuture<'a, ()>;
}

/// Credentials kept in memory for the life of the process.
#[derive(Debug, Default)]
pub struct InMemoryCredentialStore {
    entries: Mutex<HashMap<String, StoredCredentials>>,
}

impl InMemoryCredentialStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, StoredCredentials>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl CredentialStore for InMemoryCredentialStore {
    fn load<'a>(&'a self, issuer: &'a str) -> BoxFuture<'a, Option<StoredCredentials>> {
        let found = self.entries().get(issuer).cloned();
        Box::pin(async move { found })
    }

    fn save<'a>(&'a self, issuer: &'a str, credentials: StoredCredentials) -> BoxFuture<'a, ()> {
        self.entries().insert(issuer.to_owned(), credentials);
        Box::pin(async {})
    }

    fn remove<'a>(&'a self, issuer: &'a str) -> BoxFuture<'a, ()> {
        self.entries().remove(issuer);
        Box::pin(async {})
    }
}
