//! Protocol versions and their negotiation.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A revision of the MCP specification, such as `2025-11-25`.
///
/// Known revisions are constants; an unknown string a peer sent is kept as [`ProtocolVersion::Other`]
/// so it can be reported back (for example in an `UnsupportedProtocolVersion` error).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// 2024-11-05, the first release.
    V2024_11_05,
    /// 2025-03-26.
    V2025_03_26,
    /// 2025-06-18.
    V2025_06_18,
    /// 2025-11-25, the last stateful (initialize handshake) revision.
    V2025_11_25,
    /// 2026-07-28, the stateless revision: no handshake, per-request `_meta`.
    V2026_07_28,
    /// A version string this SDK does not know.
    Other(String),
}

impl ProtocolVersion {
    /// The newest revision this SDK speaks.
    pub const LATEST: Self = Self::V2026_07_28;
    /// The newest stateful (handshake) revision.
    pub const LATEST_STATEFUL: Self = Self::V2025_11_25;
    /// Every revision this SDK speaks, oldest first.
    pub const KNOWN: [Self; 5] =
        [Self::V2024_11_05, Self::V2025_03_26, Self::V2025_06_18, Self::V2025_11_25, Self::V2026_07_28];

    /// Parse a version string; unknown strings become [`ProtocolVersion::Other`].
    pub fn parse(s: &str) -> Self {
        match s {
            "2024-11-05" => Self::V2024_11_05,
            "2025-03-26" => Self::V2025_03_26,
            "2025-06-18" => Self::V2025_06_18,
            "2025-11-25" => Self::V2025_11_25,
            "2026-07-28" => Self::V2026_07_28,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The version string as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::V2024_11_05 => "2024-11-05",
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
            Self::V2026_07_28 => "2026-07-28",
            Self::Other(s) => s,
        }
    }

    /// Whether this SDK speaks this version.
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Other(_))
    }

    /// Whether this revision is stateless (no handshake; capabilities in every request's `_meta`).
    pub fn is_stateless(&self) -> bool {
        matches!(self, Self::V2026_07_28)
    }

    /// The version a server answers `initialize` with: the client's if the server speaks it as a
    /// stateful revision, else the newest stateful revision (the client then decides whether to
    /// continue).
    pub fn negotiate_stateful(requested: &ProtocolVersion) -> ProtocolVersion {
        if requested.is_known() && !requested.is_stateless() { requested.clone() } else { Self::LATEST_STATEFUL }
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProtocolVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProtocolVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Self::parse(&s))
    }
}

impl Default for ProtocolVersion {
    fn default() -> Self {
        Self::LATEST
    }
}
