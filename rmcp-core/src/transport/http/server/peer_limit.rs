//! The per-address connection cap of the one-call server: one host cannot take every connection
//! slot, however many sockets it opens.
//!
//! A map from address to its open connections, behind a plain mutex: it is touched twice per
//! connection (accept and close), never per request, and an entry goes when its count reaches
//! zero, so the map holds only the addresses that have a connection open.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use foldhash::HashMap;

use super::sync::lock_ignoring_poison;

type Counts = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// How many connections each address may have open at once.
pub(super) struct PeerLimit {
    max: usize,
    /// `None` when the cap cannot bind (it is at least the global limit): nothing to count.
    counts: Option<Counts>,
}

impl fmt::Debug for PeerLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerLimit").field("max", &self.max).finish_non_exhaustive()
    }
}

impl PeerLimit {
    /// At most `max` connections per address, of at most `max_connections` in all.
    pub(super) fn new(max: usize, max_connections: usize) -> Self {
        let max = max.max(1);
        let counts = (max < max_connections).then(Counts::default);
        Self { max, counts }
    }

    /// Count a connection from `ip`; `None` if its address already has `max` open.
    pub(super) fn admit(&self, ip: IpAddr) -> Option<PeerSlot> {
        let Some(counts) = &self.counts else { return Some(PeerSlot { held: None }) };
        let key = address_key(ip);
        let mut map = lock_ignoring_poison(counts);
        let count = map.entry(key).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(PeerSlot { held: Some((counts.clone(), key)) })
    }
}

/// One connection of an address, counted until it is dropped.
pub(super) struct PeerSlot {
    held: Option<(Counts, IpAddr)>,
}

impl fmt::Debug for PeerSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerSlot").field("address", &self.held.as_ref().map(|(_, key)| key)).finish()
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let Some((counts, key)) = self.held.take() else { return };
        let mut map = lock_ignoring_poison(&counts);
        if let Some(count) = map.get_mut(&key) {
            *count -= 1;
            if *count == 0 {
                map.remove(&key);
            }
        }
    }
}

/// The address a connection counts against: an IPv4 address (also when mapped into IPv6), or an
/// IPv6 address's /64, the block one host usually holds (it could otherwise take a new address
/// for every connection).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_gets_max_connections_and_its_entry_goes_with_the_last() {
        let limit = PeerLimit::new(2, 100);
        let a = limit.admit(ip("192.0.2.1")).unwrap();
        let b = limit.admit(ip("::ffff:192.0.2.1")).expect("the same host, mapped into IPv6");
        assert!(limit.admit(ip("192.0.2.1")).is_none(), "over the cap");
        let other = limit.admit(ip("192.0.2.2")).expect("another address has its own count");
        drop(a);
        let c = limit.admit(ip("192.0.2.1")).expect("a slot came back");
        drop((b, c, other));
        assert!(lock_ignoring_poison(limit.counts.as_ref().unwrap()).is_empty(), "no entry is left behind");
    }

    #[test]
    fn an_ipv6_host_counts_by_its_64() {
        let limit = PeerLimit::new(1, 100);
        let _a = limit.admit(ip("2001:db8::1")).unwrap();
        assert!(limit.admit(ip("2001:db8::2")).is_none(), "the same /64");
        assert!(limit.admit(ip("2001:db8:0:1::1")).is_some(), "another /64");
    }

    #[test]
    fn a_cap_at_the_global_limit_counts_nothing() {
        let limit = PeerLimit::new(10, 10);
        let slots: Vec<_> = (0..20).map(|_| limit.admit(ip("192.0.2.1")).unwrap()).collect();
        assert_eq!(slots.len(), 20);
        assert!(limit.counts.is_none());
    }
}
