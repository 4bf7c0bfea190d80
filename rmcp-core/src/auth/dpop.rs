//! DPoP (RFC 9449): tokens bound to a key the client holds. Every token request and every
//! request presenting the token carries a fresh proof (a JWT signed with that key, naming the
//! method and URL); servers may demand a nonce in the proofs (`use_dpop_nonce`).

use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderName;
use serde_json::json;

use super::AuthError;
use super::jwt::{Es256Key, unix_now};
use super::pkce::random_token;

/// The `DPoP` request header (the proof).
pub(crate) const DPOP: HeaderName = HeaderName::from_static("dpop");
/// The `DPoP-Nonce` response header.
pub(crate) const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// A DPoP key and the nonces the servers asked for.
#[derive(Debug)]
pub(crate) struct Dpop {
    key: Es256Key,
    /// The authorization server's latest nonce.
    pub as_nonce: Mutex<Option<String>>,
    /// The resource server's latest nonce.
    pub rs_nonce: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Dpop {
    /// A fresh key.
    pub(crate) fn new() -> Self {
        Self { key: Es256Key::generate(), as_nonce: Mutex::new(None), rs_nonce: Mutex::new(None) }
    }

    /// A proof for `method` on `url` (query and fragment left out, as `htu` requires), bound to
    /// `access_token` (`ath`) when one is presented, with `nonce` when the server set one.
    pub(crate) fn proof(
        &self,
        method: &str,
        url: &str,
        access_token: Option<&str>,
        nonce: Option<String>,
    ) -> Result<String, AuthError> {
        let htu = url.split(['?', '#']).next().unwrap_or(url);
        let mut claims = json!({ "jti": random_token(), "htm": method, "htu": htu, "iat": unix_now() });
        if let Some(token) = access_token {
            claims["ath"] = json!(URL_SAFE_NO_PAD.encode(hmac_sha256::Hash::hash(token.as_bytes())));
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        self.key.sign(json!({ "typ": "dpop+jwt", "jwk": self.key.public_jwk() }), &claims)
    }

    /// A proof for a token request to `endpoint`.
    pub(crate) fn token_proof(&self, endpoint: &str) -> Result<String, AuthError> {
        let nonce = lock(&self.as_nonce).clone();
        self.proof("POST", endpoint, None, nonce)
    }

    /// A proof for a request to the resource server presenting `access_token`.
    pub(crate) fn resource_proof(&self, method: &str, url: &str, access_token: &str) -> Result<String, AuthError> {
        let nonce = lock(&self.rs_nonce).clone();
        self.proof(method, url, Some(access_token), nonce)
    }

    /// Remember a nonce an answer carried; whether it is a new one.
    pub(crate) fn learn(slot: &Mutex<Option<String>>, headers: &http::HeaderMap) -> bool {
        let Some(nonce) = headers.get(&DPOP_NONCE).and_then(|v| v.to_str().ok()) else { return false };
        let mut slot = lock(slot);
        let fresh = slot.as_deref() != Some(nonce);
        *slot = Some(nonce.to_owned());
        fresh
    }
}
