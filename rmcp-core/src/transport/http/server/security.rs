//! DNS-rebinding protection: the `Host` and `Origin` allow-lists.
//!
//! A browser on a malicious page can reach a server on the user's loopback interface through a
//! name the attacker controls; the `Host` and `Origin` headers then name the attacker's domain.
//! Checking both against short allow-lists (by default: loopback names only) closes that door.

use std::sync::Arc;

use http::request::Parts;
use http::{StatusCode, header};

use super::body::Rejection;

/// A list of allowed hosts or origins.
///
/// An entry without a port (`localhost`) matches that host with any port; an entry with a port
/// (`example.com:8443`) matches only that port. For origins, an entry with a scheme
/// (`https://app.example.com`) must match the origin exactly; a bare host entry matches the
/// origin's host under any scheme. Host names compare case-insensitively; IPv6 addresses are
/// written in brackets (`[::1]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowList {
    /// Anything is allowed: no protection. Only for servers behind a proxy that checks itself.
    Any,
    /// Only these entries.
    Only(Arc<[String]>),
}

impl AllowList {
    /// `localhost`, `127.0.0.1` and `[::1]`, any port: the default, right for a server bound to
    /// the loopback interface.
    pub fn loopback() -> Self {
        Self::only(["localhost", "127.0.0.1", "[::1]"])
    }

    /// Exactly these entries.
    pub fn only<I, T>(entries: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        Self::Only(entries.into_iter().map(Into::into).collect())
    }

    /// Whether a `Host` value (`host[:port]`) is allowed.
    pub fn allows_host(&self, authority: &str) -> bool {
        match self {
            AllowList::Any => true,
            AllowList::Only(entries) => {
                let Some((host, port)) = split_authority(authority) else { return false };
                // An entry without a port that names the host (the usual case) needs no parsing.
                // Only for a host that is a plain name or a bracketed address: such an entry
                // parses to itself without a port, so the answer is the one parsing would give.
                let plain = !host.contains(':') || host.starts_with('[');
                entries.iter().any(|e| {
                    (plain && e.eq_ignore_ascii_case(host))
                        || match split_authority(e) {
                            Some((eh, ep)) => eh.eq_ignore_ascii_case(host) && (ep.is_none() || ep == port),
                            None => false,
                        }
                })
            }
        }
    }

    /// Whether an `Origin` value (`scheme://host[:port]`) is allowed.
    pub fn allows_origin(&self, origin: &str) -> bool {
        match self {
            AllowList::Any => true,
            AllowList::Only(entries) => {
                let Some((_, authority)) = origin.split_once("://") else { return false };
                entries.iter().any(|e| {
                    if e.contains("://") {
                        e.eq_ignore_ascii_case(origin)
                    } else {
                        AllowList::Only(Arc::from([e.clone()])).allows_host(authority)
                    }
                })
            }
        }
    }
}

/// Split `host[:port]`; `None` when it is not one.
pub(crate) fn split_authority(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.is_empty() {
        return None;
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &authority[..end + 2];
        let tail = &rest[end + 1..];
        return match tail.strip_prefix(':') {
            Some(port) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => Some((host, Some(port))),
            None if tail.is_empty() => Some((host, None)),
            _ => None,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() => {
            Some((host, Some(port)))
        }
        Some(_) => None,
        None => Some((authority, None)),
    }
}

/// Check a request's `Host` (or HTTP/2 `:authority`) and `Origin` against the allow-lists.
pub(crate) fn check_request(parts: &Parts, hosts: &AllowList, origins: &AllowList) -> Result<(), Rejection> {
    if *hosts != AllowList::Any {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()));
        match host {
            Some(h) if hosts.allows_host(h) => {}
            Some(h) => return Err(forbidden(format!("Host `{h}` is not allowed"))),
            None => return Err(forbidden("a Host header is required".to_owned())),
        }
    }
    if let Some(origin) = parts.headers.get(header::ORIGIN) {
        let allowed = origin.to_str().is_ok_and(|o| origins.allows_origin(o));
        if !allowed {
            return Err(forbidden(format!("Origin `{}` is not allowed", String::from_utf8_lossy(origin.as_bytes()))));
        }
    }
    Ok(())
}

fn forbidden(message: String) -> Rejection {
    Rejection::new(StatusCode::FORBIDDEN, crate::model::ErrorData::invalid_request(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_with_any_port() {
        let l = AllowList::loopback();
        for ok in ["localhost", "localhost:3000", "127.0.0.1:8080", "[::1]:1", "LOCALHOST"] {
            assert!(l.allows_host(ok), "{ok}");
        }
        for bad in ["evil.example.com", "127.0.0.1.evil.com", "localhost:", "[::2]:80", ""] {
            assert!(!l.allows_host(bad), "{bad}");
        }
        assert!(l.allows_origin("http://localhost:5173"));
        assert!(l.allows_origin("http://[::1]:80"));
        assert!(!l.allows_origin("http://evil.example.com"));
        assert!(!l.allows_origin("null"));
    }

    #[test]
    fn an_entry_with_a_port_matches_only_that_authority() {
        let l = AllowList::only(["example.com:8443", "::1"]);
        assert!(l.allows_host("example.com:8443"));
        assert!(l.allows_host("EXAMPLE.com:8443"));
        // Malformed authorities whose host part spells an entry are still refused.
        for bad in ["example.com:8443:1", "example.com", "example.com:80", "::1:80"] {
            assert!(!l.allows_host(bad), "{bad}");
        }
    }

    #[test]
    fn ports_and_full_origins() {
        let l = AllowList::only(["example.com:8443", "https://app.example.com"]);
        assert!(l.allows_host("example.com:8443"));
        assert!(!l.allows_host("example.com:80"));
        assert!(l.allows_origin("https://app.example.com"));
        assert!(!l.allows_origin("http://app.example.com"));
    }
}
