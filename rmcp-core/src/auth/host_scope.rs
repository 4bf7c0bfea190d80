//! How close to this machine a URL's host is (this machine, a private network, the internet),
//! and the rule built on it: an MCP server may not send its OAuth client somewhere more private
//! than itself, nor an authorization server's metadata somewhere more private than its issuer.
//!
//! A server on the internet naming an authorization server on 127.0.0.1, in 10.0.0.0/8 or at
//! 169.254.169.254 (a cloud's instance metadata) would have the client send requests, and then
//! codes and secrets, into the user's own network on its behalf. A server on 127.0.0.1 may name
//! one there: that is local development, and the user started both.
//!
//! The host is judged as written: names are not resolved, so any name but `localhost` and the
//! reserved private suffixes counts as public. A public name that resolves to a private address
//! (or is rebound to one) is not caught here; an egress policy is the place for that.

use std::net::{Ipv4Addr, Ipv6Addr};

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

impl HostScope {
    /// The scope of `url`'s host; a URL without one counts as this machine (the strictest).
    pub(crate) fn of(url: &Url) -> Self {
        match url.host() {
            Some(Host::Ipv4(ip)) => ipv4(ip),
            Some(Host::Ipv6(ip)) => ipv6(ip),
            Some(Host::Domain(name)) => domain(name),
            None => Self::Loopback,
        }
    }
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

/// Refuse `url` (`what`: an issuer, an endpoint) when its host is more private than that of
/// `relative_to` (the MCP server, or the issuer whose metadata named it), before any request.
pub(super) fn check(what: &str, url: &str, relative_to: &Url) -> Result<(), AuthError> {
    let parsed = Url::parse(url).map_err(|e| AuthError::Discovery(format!("{what} {url} is not a URL: {e}")))?;
    if HostScope::of(&parsed) < HostScope::of(relative_to) {
        return Err(AuthError::PrivateAddress {
            what: what.to_owned(),
            url: url.to_owned(),
            relative_to: relative_to.to_string(),
        });
    }
    Ok(())
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
}
