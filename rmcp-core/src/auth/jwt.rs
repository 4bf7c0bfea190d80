//! ES256 JSON Web Signatures: the client assertions of `private_key_jwt` (RFC 7523 §2.2) and
//! the proofs of DPoP (RFC 9449), with the key's JWK and thumbprint (RFC 7638).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use serde_json::{Value, json};

use super::AuthError;
use super::pkce::{random_bytes, random_token};

/// How long a client assertion is valid.
const ASSERTION_LIFETIME_SECS: u64 = 300;

/// A P-256 private key that signs ES256 JWTs.
#[derive(Clone)]
pub struct Es256Key {
    key: SigningKey,
}

impl Es256Key {
    /// A fresh random key (for DPoP, whose keys live as long as the session).
    pub fn generate() -> Self {
        loop {
            // A random 32-byte string is a valid scalar except with negligible probability.
            if let Ok(key) = SigningKey::from_slice(&random_bytes::<32>()) {
                return Self { key };
            }
        }
    }

    /// A key from a PKCS #8 PEM document (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, AuthError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(|key| Self { key })
            .map_err(|e| AuthError::Key(format!("not a P-256 PKCS #8 key: {e}")))
    }

    /// Sign `claims` with this header (its `alg` is set to ES256): a compact JWS.
    pub fn sign(&self, mut header: Value, claims: &Value) -> Result<String, AuthError> {
        header["alg"] = json!("ES256");
        let encode = |v: &Value| serde_json::to_vec(v).map(|b| URL_SAFE_NO_PAD.encode(b));
        let header = encode(&header).map_err(|e| AuthError::Key(e.to_string()))?;
        let claims = encode(claims).map_err(|e| AuthError::Key(e.to_string()))?;
        let input = format!("{header}.{claims}");
        let signature: Signature = self.key.sign(input.as_bytes());
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes())))
    }

    /// The public key as a JWK (`kty`, `crv`, `x`, `y`).
    pub fn public_jwk(&self) -> Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        let coordinate = |c: Option<&p256::FieldBytes>| c.map(|c| URL_SAFE_NO_PAD.encode(c)).unwrap_or_default();
        json!({ "kty": "EC", "crv": "P-256", "x": coordinate(point.x()), "y": coordinate(point.y()) })
    }

    /// The RFC 7638 thumbprint of the public key (SHA-256, base64url).
    pub fn thumbprint(&self) -> String {
        let jwk = self.public_jwk();
        // The members in lexicographic order, no whitespace: the canonical form RFC 7638 hashes.
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["x"].as_str().unwrap_or(""),
            jwk["y"].as_str().unwrap_or("")
        );
        URL_SAFE_NO_PAD.encode(hmac_sha256::Hash::hash(canonical.as_bytes()))
    }

    /// A `private_key_jwt` client assertion: issuer and subject the client, audience the
    /// authorization server's issuer, short-lived, with a fresh `jti`.
    pub(crate) fn client_assertion(&self, client_id: &str, audience: &str) -> Result<String, AuthError> {
        let now = unix_now();
        let claims = json!({
            "iss": client_id,
            "sub": client_id,
            "aud": audience,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
            "jti": random_token(),
        });
        self.sign(json!({ "typ": "JWT" }), &claims)
    }
}

impl fmt::Debug for Es256Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Es256Key").field("thumbprint", &self.thumbprint()).finish_non_exhaustive()
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    use super::*;

    #[test]
    fn signatures_verify_with_the_published_key() {
        let key = Es256Key::generate();
        let jws = key.client_assertion("client", "https://as.example").unwrap();
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "ES256");
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!((claims["iss"].as_str(), claims["aud"].as_str()), (Some("client"), Some("https://as.example")));
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        let verifying = VerifyingKey::from(&key.key);
        verifying.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).unwrap();
        assert_eq!(key.thumbprint().len(), 43);
    }
}
