//! The `requestState` a server hands out with an `input_required` result (2026-07-28).
//!
//! The client echoes the state back untouched, so the server can keep nothing between rounds:
//! the state carries the answers collected so far. Because it crosses the client, it is signed
//! (HMAC-SHA256) and bound to the request it belongs to (method and tool, prompt or resource)
//! and to an expiry; a state that was altered, moved to another request or kept too long is
//! refused with -32602.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac_sha256::{HMAC, Hash};
use serde::{Deserialize, Serialize};

use crate::model::JsonObject;

/// How long a state stays valid after it was issued.
const STATE_LIFETIME: Duration = Duration::from_secs(3600);
/// Marks the format, so a future format can be told apart.
const PREFIX: &str = "rmcp1.";

/// The secret a server signs its `requestState` with.
///
/// By default every process draws its own random key ([`RequestStateKey::process`]), which is
/// right for a single server process. Servers behind a load balancer, whose retries may reach
/// another process, give every process the same secret with [`RequestStateKey::from_secret`]
/// and return it from [`ServerHandler::request_state_key`](crate::handler::ServerHandler::request_state_key).
#[derive(Clone)]
pub struct RequestStateKey(Arc<[u8]>);

impl std::fmt::Debug for RequestStateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestStateKey(..)")
    }
}

impl RequestStateKey {
    /// A key from a secret shared by every process of a deployment.
    ///
    /// # Panics
    /// If the secret is shorter than 32 bytes: a short secret makes states forgeable.
    pub fn from_secret(secret: impl AsRef<[u8]>) -> Self {
        let secret = secret.as_ref();
        assert!(secret.len() >= 32, "a request-state secret needs at least 32 bytes, got {}", secret.len());
        Self(Arc::from(secret))
    }

    /// A fresh random key.
    pub fn random() -> Self {
        let mut secret = [0u8; 32];
        // The OS random source only fails on a broken system; a time-seeded key would let an
        // attacker forge states, so there is no fallback.
        getrandom::fill(&mut secret).expect("the operating system's random source failed");
        Self::from_secret(secret)
    }

    /// This process's key, drawn once at first use.
    pub fn process() -> Self {
        static KEY: OnceLock<RequestStateKey> = OnceLock::new();
        KEY.get_or_init(Self::random).clone()
    }

    fn mac(&self, payload: &[u8]) -> HMAC {
        let mut mac = HMAC::new(&self.0);
        mac.update(payload);
        mac
    }

    /// Sign `answers` for the request `(method, target, arguments digest)`.
    pub(crate) fn seal(&self, method: &str, target: &str, arguments: &str, answers: &JsonObject) -> String {
        let expires = now_secs() + STATE_LIFETIME.as_secs();
        let payload = serde_json::to_vec(&Payload { method, target, arguments, expires, answers })
            .expect("a JSON object always serializes");
        let tag = self.mac(&payload).finalize();
        format!("{PREFIX}{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The answers a state carries, if it is genuine, unexpired and was issued for this request.
    pub(crate) fn open(
        &self,
        state: &str,
        method: &str,
        target: &str,
        arguments: &str,
    ) -> Result<JsonObject, &'static str> {
        let body = state.strip_prefix(PREFIX).ok_or("requestState was not issued by this server")?;
        let (payload, tag) = body.split_once('.').ok_or("requestState is malformed")?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| "requestState is malformed")?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| "requestState is malformed")?;
        let tag: [u8; 32] = tag.try_into().map_err(|_| "requestState failed its integrity check")?;
        // `finalize_verify` compares in constant time.
        if !self.mac(&payload).finalize_verify(&tag) {
            return Err("requestState failed its integrity check");
        }
        let opened: OwnedPayload = serde_json::from_slice(&payload).map_err(|_| "requestState is malformed")?;
        if opened.method != method || opened.target != target || opened.arguments != arguments {
            return Err("requestState belongs to another request");
        }
        if opened.expires < now_secs() {
            return Err("requestState has expired");
        }
        Ok(opened.answers)
    }
}

#[derive(Serialize)]
struct Payload<'a> {
    method: &'a str,
    target: &'a str,
    arguments: &'a str,
    expires: u64,
    answers: &'a JsonObject,
}

#[derive(Deserialize)]
struct OwnedPayload {
    method: String,
    target: String,
    arguments: String,
    expires: u64,
    answers: JsonObject,
}

/// A digest of a request's arguments (base64url SHA-256 of their JSON), what a state is bound to.
pub(crate) fn arguments_digest(arguments: Option<&impl Serialize>) -> String {
    let json = arguments.and_then(|a| serde_json::to_vec(a).ok()).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(Hash::hash(&json))
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers() -> JsonObject {
        serde_json::json!({"name": {"action": "accept", "content": {"name": "Ada"}}}).as_object().cloned().unwrap()
    }

    #[test]
    fn a_sealed_state_opens_for_its_own_request_only() {
        let key = RequestStateKey::random();
        let state = key.seal("tools/call", "greet", "args", &answers());
        assert_eq!(key.open(&state, "tools/call", "greet", "args").unwrap(), answers());
        assert!(key.open(&state, "tools/call", "other", "args").is_err());
        assert!(key.open(&state, "prompts/get", "greet", "args").is_err());
        assert!(key.open(&state, "tools/call", "greet", "other args").is_err());
        assert!(RequestStateKey::random().open(&state, "tools/call", "greet", "args").is_err());
    }

    /// States stay HMAC-SHA256 over the payload, and digests SHA-256, whatever implements them:
    /// processes sharing a secret across a rolling upgrade must open each other's states.
    #[test]
    fn the_mac_and_the_digest_are_the_standard_ones() {
        let key = RequestStateKey::from_secret([0x0b; 32]);
        let tag = key.mac(br#"{"method":"tools/call"}"#).finalize();
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        // Python: hmac.new(b'\x0b' * 32, b'{"method":"tools/call"}', hashlib.sha256).hexdigest()
        assert_eq!(hex, "61ac6aa84c841922944706edaadc034d9ce59321378b989691fc6c48960ae1a3");
        let arguments = serde_json::json!({"a": 1});
        assert_eq!(arguments_digest(Some(&arguments)), "AVq9f1zFei3ZS3WQ8ErYCEJzkF7jPsXOvq5iJ2qX-GI");
    }

    #[test]
    fn tampering_is_detected() {
        let key = RequestStateKey::process();
        let state = key.seal("tools/call", "t", "a", &answers());
        assert!(key.open(&format!("{state}-TAMPERED"), "tools/call", "t", "a").is_err());
        let (head, tag) = state.rsplit_once('.').unwrap();
        let forged =
            serde_json::json!({"method":"tools/call","target":"t","arguments":"a","expires":u64::MAX,"answers":{}});
        let forged = format!("{PREFIX}{}.{tag}", URL_SAFE_NO_PAD.encode(forged.to_string()));
        assert!(key.open(&forged, "tools/call", "t", "a").is_err());
        assert!(key.open(head, "tools/call", "t", "a").is_err());
        assert!(key.open("opaque", "tools/call", "t", "a").is_err());
    }

    #[test]
    #[should_panic(expected = "at least 32 bytes")]
    fn short_secrets_are_refused() {
        RequestStateKey::from_secret(b"too short");
    }
}
