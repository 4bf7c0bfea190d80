//! PKCE (RFC 7636, S256 only) and the random values of a flow.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A PKCE pair: the secret verifier (sent with the token request) and its S256 challenge (sent
/// with the authorization request).
#[derive(Clone)]
pub struct Pkce {
    verifier: String,
    challenge: String,
}

impl Pkce {
    /// A fresh pair with a 256-bit random verifier.
    pub fn new() -> Self {
        Self::from_verifier(random_token())
    }

    /// The pair of a given verifier (43 to 128 unreserved characters).
    pub fn from_verifier(verifier: String) -> Self {
        let challenge = s256(&verifier);
        Self { verifier, challenge }
    }

    /// The verifier (secret until the token request).
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// `BASE64URL(SHA256(verifier))`.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The verifier proves possession of the code: never print it.
        f.debug_struct("Pkce").field("challenge", &self.challenge).finish_non_exhaustive()
    }
}

/// The S256 challenge of a verifier.
pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(hmac_sha256::Hash::hash(verifier.as_bytes()))
}

/// 32 random bytes, base64url: verifiers, `state`, JWT ids.
pub(crate) fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// `N` bytes from the operating system's generator.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // Without an entropy source nothing here can be secure: failing loudly is the only option.
    getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_holds() {
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(pkce.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(!format!("{pkce:?}").contains("dBjf"));
        let fresh = Pkce::new();
        assert_eq!(fresh.verifier().len(), 43);
        assert_ne!(fresh.verifier(), Pkce::new().verifier());
    }
}
