//! How close to this machine a URL's host is (this machine, a private network, the internet),
//! and the rule built on it: an MCP server may not send its OAuth client somewhere more private
//! than itself, nor an authorization server's metadata somewhere more private than its issuer.
//!
//! A server on the internet naming an authorization server on 127.0.0.1, in 10.0.0.0/8 or at
//! 169.254.169.254 (a cloud's instance metadata) would have the client send requests, and then
//! codes and secrets, into the user's own network on its behalf. A server on 127.0.0.1 may name
//! one there: that is local development, and the user started both.
//!
//! A host is judged by its name (`localhost` and the reserved private suffixes) and, where the
//! OAuth client names an authorization server or accepts its endpoints, by the addresses the
//! name resolves to (tokio's resolver, the system's): the most private of them counts. So a
//! public-looking name whose DNS answers 127.0.0.1 or 169.254.169.254 is refused like the
//! address, and an MCP server whose own name resolves to this machine or a private network
//! counts as being there (the local-development exception above applies to it).
//!
//! DNS rebinding is not fully covered. The check resolves the name once, before the request;
//! the HTTP client resolves it again when it connects, and a name whose answers change in
//! between (a short TTL, or a server answering differently to each query) can pass the check
//! with a public address and then be reached on a private one. The check catches names that
//! resolve to private addresses, nothing more; where that matters, pin the resolution (give
//! [`OAuthConfig::http`](super::OAuthConfig::http) a client with a resolver that refuses
//! private addresses) or enforce an egress policy. A name that does not resolve (or not within
//! 5 s) is judged by the name alone: the request to it then fails anyway.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use url::{Host, Url};

use super::AuthError;

/// Where a host is, from the most private to the least; the order is the rule's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum HostScope {
    /// This machine: 127.0.0.0/8, `::1`, 0.0.0.0/8 and `::` (which reach it too), `localhost`
    /// and names under it (RFC 6761).
    Loopback,
    /// A private or link-local network: 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade
    /// NAT), 169.254/16, multicast and broadcast, fc00::/7, fe80::/10, fec0::/10, and names
    /// under `local`, `internal`, `localdomain`, `lan`, `home.arpa`.
    Private,
    /// Anything else.
    Public,
}

/// How long resolving a host name for the check may take; past it, the name is judged as written.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

impl HostScope {
    /// The scope of `url`'s host as written; a URL without one counts as this machine (the
    /// strictest).
    pub(crate) fn of(url: &Url) -> Self {
        match url.host() {
            Some(Host::Ipv4(ip)) => ipv4(ip),
            Some(Host::Ipv6(ip)) => ipv6(ip),
            Some(Host::Domain(name)) => domain(name),
            None => Self::Loopback,
        }
    }

    /// The scope of `url`'s host, its name resolved: the most private of the name's own scope
    /// and those of the addresses it resolves to.
    pub(crate) async fn resolved(url: &Url) -> Self {
        let written = Self::of(url);
        let Some(Host::Domain(name)) = url.host() else { return written };
        if written == Self::Loopback {
            return written;
        }
        let port = url.port_or_known_default().unwrap_or(443);
        match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((name, port))).await {
            Ok(Ok(addrs)) => most_private(written, addrs.map(|a| a.ip())),
            Ok(Err(e)) => {
                tracing::debug!(host = name, error = %e, "not resolved; judged by its name");
                written
            }
            Err(_) => {
                tracing::debug!(host = name, "not resolved in time; judged by its name");
                written
            }
        }
    }
}

/// The most private of `scope` and the scopes of `addrs`.
fn most_private(scope: HostScope, addrs: impl IntoIterator<Item = IpAddr>) -> HostScope {
    addrs
        .into_iter()
        .map(|ip| match ip {
            IpAddr::V4(ip) => ipv4(ip),
            IpAddr::V6(ip) => ipv6(ip),
        })
        .fold(scope, Ord::min)
}

fn ipv4(ip: Ipv4Addr) -> HostScope {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() || a == 0 {
        HostScope::Loopback
    } else if ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || (a == 100 && (64..128).contains(&b))
    {
        HostScope::Private
    } else {
        HostScope::Public
    }
}

fn ipv6(ip: Ipv6Addr) -> HostScope {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return ipv4(v4);
    }
    let first = ip.segments()[0];
    if ip.is_loopback() || ip.is_unspecified() {
        HostScope::Loopback
    } else if first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 || ip.is_multicast() {
        HostScope::Private
    } else {
        HostScope::Public
    }
}

fn domain(name: &str) -> HostScope {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let under = |suffix: &str| name == suffix || name.ends_with(&format!(".{suffix}"));
    if under("localhost") {
        HostScope::Loopback
    } else if ["local", "internal", "localdomain", "lan", "home.arpa"].into_iter().any(under) {
        HostScope::Private
    } else {
        HostScope::Public
    }
}

/// Refuse `url` (`what`: an issuer, an endpoint) when its host, as written, is more private
/// than that of `relative_to` (the MCP server, or the issuer whose metadata named it), before
/// any request.
pub(super) fn check(what: &str, url: &str, relative_to: &Url) -> Result<(), AuthError> {
    let parsed = parse(what, url)?;
    if HostScope::of(&parsed) < HostScope::of(relative_to) {
        return Err(refused(what, url, relative_to));
    }
    Ok(())
}

/// [`check`] with both names resolved ([`HostScope::resolved`]): `url`'s name may resolve to a
/// more private address than it looks, and `relative_to`'s to a private network that makes
/// `url` acceptable (it is resolved only then).
pub(super) async fn check_resolved(what: &str, url: &str, relative_to: &Url) -> Result<(), AuthError> {
    let target = parse(what, url)?;
    // Nothing is more private than loopback: no lookup can make `url` fail.
    if HostScope::of(relative_to) == HostScope::Loopback {
        return Ok(());
    }
    let target = HostScope::resolved(&target).await;
    if target >= HostScope::of(relative_to) || target >= HostScope::resolved(relative_to).await {
        return Ok(());
    }
    Err(refused(what, url, relative_to))
}

fn parse(what: &str, url: &str) -> Result<Url, AuthError> {
    Url::parse(url).map_err(|e| AuthError::Discovery(format!("{what} {url} is not a URL: {e}")))
}

fn refused(what: &str, url: &str, relative_to: &Url) -> AuthError {
    AuthError::PrivateAddress { what: what.to_owned(), url: url.to_owned(), relative_to: relative_to.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(url: &str) -> HostScope {
        HostScope::of(&Url::parse(url).unwrap())
    }

    #[test]
    fn hosts_are_placed_by_their_literal() {
        for url in [
            "http://127.0.0.1:8000",
            "http://127.9.9.9",
            "http://[::1]/",
            "http://0.0.0.0/",
            "http://[::]/",
            "http://localhost/",
            "http://LocalHost./",
            "http://app.localhost/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert_eq!(scope(url), HostScope::Loopback, "{url}");
        }
        for url in [
            "http://169.254.169.254/latest/meta-data/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://255.255.255.255/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://metadata.google.internal/",
            "http://printer.local/",
            "http://router.home.arpa/",
        ] {
            assert_eq!(scope(url), HostScope::Private, "{url}");
        }
        for url in [
            "https://as.example/",
            "https://8.8.8.8/",
            "https://[2001:db8::1]/",
            "https://localhost.evil.example/",
            "https://100.128.0.1/",
            "https://172.32.0.1/",
        ] {
            assert_eq!(scope(url), HostScope::Public, "{url}");
        }
    }

    #[test]
    fn nothing_more_private_than_the_server_is_accepted() {
        let remote = Url::parse("https://mcp.example.com/mcp").unwrap();
        for inner in ["http://127.0.0.1:9000", "http://localhost:9000", "http://169.254.169.254", "https://10.0.0.5"] {
            let refused = check("issuer", inner, &remote);
            assert!(matches!(refused, Err(AuthError::PrivateAddress { ref url, .. }) if url == inner), "{refused:?}");
        }
        assert!(check("issuer", "https://auth.example.com", &remote).is_ok());
        // Local development: a server on this machine may name anything.
        let local = Url::parse("http://127.0.0.1:8000/mcp").unwrap();
        for any in ["http://127.0.0.1:9000", "http://10.0.0.5", "https://auth.example.com"] {
            assert!(check("issuer", any, &local).is_ok(), "{any}");
        }
        // A server on a private network may name one there, not one on the client's machine.
        let private = Url::parse("http://10.0.0.2/mcp").unwrap();
        assert!(check("issuer", "https://10.0.0.5", &private).is_ok());
        assert!(check("issuer", "http://127.0.0.1:9000", &private).is_err());
    }

    #[test]
    fn the_most_private_resolved_address_counts() {
        let addrs = |list: &[&str]| list.iter().map(|a| a.parse::<IpAddr>().unwrap()).collect::<Vec<_>>();
        let public = HostScope::Public;
        assert_eq!(most_private(public, addrs(&["8.8.8.8", "2001:db8::1"])), HostScope::Public);
        assert_eq!(most_private(public, addrs(&["8.8.8.8", "10.0.0.1"])), HostScope::Private);
        assert_eq!(most_private(public, addrs(&["169.254.169.254", "127.0.0.1"])), HostScope::Loopback);
        assert_eq!(most_private(public, addrs(&["::1"])), HostScope::Loopback);
        assert_eq!(most_private(HostScope::Private, addrs(&["8.8.8.8"])), HostScope::Private, "the name counts too");
        assert_eq!(most_private(public, []), HostScope::Public);
    }

    #[tokio::test]
    async fn names_are_resolved_with_the_system_resolver() {
        let scope = |url: &str| Url::parse(url).unwrap();
        assert_eq!(HostScope::resolved(&scope("http://localhost:1/")).await, HostScope::Loopback);
        assert_eq!(HostScope::resolved(&scope("http://10.0.0.1/")).await, HostScope::Private);
        // `.invalid` never resolves (RFC 6761): judged by its name.
        assert_eq!(HostScope::resolved(&scope("https://as.invalid/")).await, HostScope::Public);
    }
}
