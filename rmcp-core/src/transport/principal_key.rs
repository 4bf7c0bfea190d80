//! Whom a request counts against, for a server's fair shares: the HTTP server's pools (sessions,
//! POSTs, streams), the event store's per-principal budget and the task store's share of tasks
//! all use this one rule, so a client has one identity across them.
//!
//! The rule: the authenticated subject of the request's [`Principal`] (else that principal's
//! client id), else the address of its peer ([`RemoteAddr`]; IPv6 by its /64). A request with
//! neither counts against no one: one key shared by every such request would turn each share
//! into a smaller global limit.

use std::hash::BuildHasher;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::OnceLock;

use super::Principal;

/// The address of the peer that sent a request, in the request's extensions: requests without a
/// [`Principal`] count against their address's share of the server's pools (the
/// `*_per_principal` limits of `StreamableHttpConfig`, and the task store's share of tasks).
///
/// `StreamableHttpService::serve_listener` puts it in every request. A server that mounts the
/// service in its own HTTP stack puts it there itself, from its connection info; without it (and
/// without a `Principal`) a request counts against no one and only the global limits apply.
/// Behind a reverse proxy, put the client's address (from a header that proxy sets and you
/// trust), not the proxy's: all clients would share one address.
///
/// ```
/// use std::net::SocketAddr;
/// use rmcp_core::transport::RemoteAddr;
///
/// let mut request = http::Request::new(());
/// let peer: SocketAddr = "192.0.2.7:51000".parse().unwrap();
/// request.extensions_mut().insert(RemoteAddr(peer));
/// ```
///
/// With axum, served with `into_make_service_with_connect_info::<SocketAddr>()`:
///
/// ```ignore
/// use axum::extract::{ConnectInfo, Request};
///
/// let app = axum::Router::new().route_service("/mcp", mcp).layer(axum::middleware::map_request(
///     |ConnectInfo(peer): ConnectInfo<SocketAddr>, mut request: Request| async move {
///         request.extensions_mut().insert(RemoteAddr(peer));
///         request
///     },
/// ));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RemoteAddr(pub SocketAddr);

/// Whom a request counts against (see the module's rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PrincipalKey {
    /// An authenticated subject or client, by a keyed hash of its name: a request costs no copy
    /// of the name, and the keys are random per process, so no one can choose names that
    /// collide.
    Named(u64),
    /// A peer's address; an IPv6 address by its /64, the block one host usually holds.
    Address(IpAddr),
}

impl PrincipalKey {
    /// The principal of the HTTP request whose extensions are `extensions`, if it has one.
    #[cfg(feature = "http-server")]
    pub(crate) fn of(extensions: &http::Extensions) -> Option<Self> {
        Self::new(extensions.get(), extensions.get())
    }

    /// The key of a request that holds this `principal` and came from `addr`, if it has one.
    pub(crate) fn new(principal: Option<&Principal>, addr: Option<&RemoteAddr>) -> Option<Self> {
        if let Some(principal) = principal {
            // One hasher for the process, so that every pool sees a principal under one key.
            static NAMES: OnceLock<foldhash::quality::RandomState> = OnceLock::new();
            let names = NAMES.get_or_init(foldhash::quality::RandomState::default);
            // Tagged, so that a subject and a client of the same name are two principals.
            let named = match (&principal.subject, &principal.client_id) {
                (Some(subject), _) => Some(names.hash_one((0u8, subject.as_str()))),
                (None, Some(client)) => Some(names.hash_one((1u8, client.as_str()))),
                (None, None) => None,
            };
            if let Some(hash) = named {
                return Some(Self::Named(hash));
            }
        }
        let RemoteAddr(addr) = addr?;
        Some(Self::Address(match addr.ip().to_canonical() {
            IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
            v4 => v4,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(principal: Option<Principal>, addr: Option<&str>) -> Option<PrincipalKey> {
        PrincipalKey::new(principal.as_ref(), addr.map(|a| RemoteAddr(a.parse().unwrap())).as_ref())
    }

    #[test]
    fn a_subject_outranks_the_address_and_an_address_ignores_its_port() {
        let alice = key(Some(Principal::new("alice")), Some("192.0.2.1:1"));
        assert_eq!(alice, key(Some(Principal::new("alice")), Some("192.0.2.9:2")));
        assert_ne!(alice, key(Some(Principal::new("bob")), Some("192.0.2.1:1")));
        assert_ne!(alice, key(Some(Principal::client("alice")), None), "a subject is not a client of the same name");
        assert_eq!(key(None, Some("192.0.2.1:1")), key(None, Some("192.0.2.1:2")));
        assert_eq!(key(Some(Principal::default()), Some("192.0.2.1:1")), key(None, Some("192.0.2.1:1")));
        assert_eq!(key(None, Some("[2001:db8:1:2::1]:1")), key(None, Some("[2001:db8:1:2:ffff::9]:1")));
        assert_eq!(key(None, Some("[::ffff:192.0.2.1]:1")), key(None, Some("192.0.2.1:1")));
        assert_eq!(key(None, None), None);
    }
}
