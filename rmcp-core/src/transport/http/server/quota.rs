//! Fair shares of the service's pools: how many sessions, open POSTs, long-lived streams and
//! stateless requests one principal may hold at once, so that one client cannot take a pool from
//! everyone else (the global limits stay, behind these).
//!
//! A request counts against its principal: the authenticated subject of the
//! [`Principal`](crate::transport::Principal) an authentication layer put in its extensions (else
//! that principal's client id), else the address of its peer ([`RemoteAddr`]), by the one rule of
//! [`PrincipalKey::of`], which the event store and the task store follow too. A request with
//! neither counts against no one, and only the global limits apply to it.
//!
//! The counts live in maps from principal to counts, sharded by principal behind plain mutexes;
//! an entry goes as soon as its counts are all zero, so the maps hold only the principals that
//! have something open. Taking a share and giving it back are one short critical section each.

use std::fmt;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

use foldhash::HashMap;
use http::request::Parts;

use super::body::Rejection;
use super::config::StreamableHttpConfig;
use super::sync::lock_ignoring_poison;
use crate::transport::principal_key::PrincipalKey;

pub use crate::transport::RemoteAddr;

/// The pools a principal has a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pool {
    /// 2025-era sessions.
    Sessions,
    /// Open POSTs, with their answers.
    Posts,
    /// GET streams and `subscriptions/listen` streams.
    LongStreams,
    /// Requests of the shared 2026-07-28 engine.
    Stateless,
}

const POOLS: usize = 4;

impl Pool {
    fn index(self) -> usize {
        self as usize
    }

    fn bit(self) -> u8 {
        1 << self.index()
    }

    /// What a client over its share holds too many of.
    fn what(self) -> &'static str {
        match self {
            Pool::Sessions => "sessions",
            Pool::Posts => "requests in progress",
            Pool::LongStreams => "open streams",
            Pool::Stateless => "stateless requests in progress",
        }
    }
}

/// How many shards the counts are split into, so that requests of different principals rarely
/// wait for each other's lock.
const SHARDS: usize = 16;

/// What each principal holds of each pool.
type Counts = [u32; POOLS];

/// The counts of every principal with something open, and each pool's share.
pub(crate) struct Quotas {
    limits: [u32; POOLS],
    shards: [Mutex<HashMap<PrincipalKey, Counts>>; SHARDS],
    hasher: foldhash::fast::RandomState,
}

impl fmt::Debug for Quotas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Quotas").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl Quotas {
    /// The shares `config` gives (each at least 1).
    pub(crate) fn new(config: &StreamableHttpConfig) -> Arc<Self> {
        let share = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).max(1);
        let mut limits = [0; POOLS];
        limits[Pool::Sessions.index()] = share(config.max_sessions_per_principal);
        limits[Pool::Posts.index()] = share(config.max_concurrent_streams_per_principal);
        limits[Pool::LongStreams.index()] = share(config.max_long_lived_streams_per_principal);
        limits[Pool::Stateless.index()] = share(config.max_stateless_in_flight_per_principal);
        Arc::new(Self {
            limits,
            shards: std::array::from_fn(|_| Mutex::new(HashMap::default())),
            hasher: foldhash::fast::RandomState::default(),
        })
    }

    /// A share of `pool` for the principal of the request `parts`, held until the guard drops;
    /// `None` for a request with no principal. Refused with 429 when the principal holds its
    /// whole share.
    pub(crate) fn take(self: &Arc<Self>, parts: &Parts, pool: Pool) -> Result<Option<QuotaGuard>, Rejection> {
        let Some(key) = PrincipalKey::of(&parts.extensions) else { return Ok(None) };
        self.acquire(key, pool)?;
        Ok(Some(QuotaGuard { quotas: self.clone(), key, pools: pool.bit() }))
    }

    fn shard(&self, key: &PrincipalKey) -> &Mutex<HashMap<PrincipalKey, Counts>> {
        &self.shards[self.hasher.hash_one(key) as usize % SHARDS]
    }

    fn acquire(&self, key: PrincipalKey, pool: Pool) -> Result<(), Rejection> {
        let limit = self.limits[pool.index()];
        let mut shard = lock_ignoring_poison(self.shard(&key));
        // A new entry starts at zero and every limit is at least 1: a refusal never leaves one.
        let held = &mut shard.entry(key).or_default()[pool.index()];
        if *held >= limit {
            drop(shard);
            let what = pool.what();
            return Err(Rejection::too_many(format!("this client has too many {what} (limit {limit}); retry later")));
        }
        *held += 1;
        Ok(())
    }

    fn release(&self, key: PrincipalKey, pools: u8) {
        let mut shard = lock_ignoring_poison(self.shard(&key));
        let Some(counts) = shard.get_mut(&key) else { return };
        for (i, held) in counts.iter_mut().enumerate() {
            if pools & (1 << i) != 0 {
                *held = held.saturating_sub(1);
            }
        }
        if counts.iter().all(|&n| n == 0) {
            shard.remove(&key);
        }
    }

    /// How many principals hold something.
    pub(crate) fn principals(&self) -> usize {
        self.shards.iter().map(|s| lock_ignoring_poison(s).len()).sum()
    }
}

/// One principal's share of one or more pools, given back on drop.
pub(crate) struct QuotaGuard {
    quotas: Arc<Quotas>,
    key: PrincipalKey,
    /// The pools held, one bit each.
    pools: u8,
}

impl fmt::Debug for QuotaGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuotaGuard").field("key", &self.key).field("pools", &self.pools).finish()
    }
}

impl QuotaGuard {
    /// Hold a share of `pool` too, for the same principal, given back with the rest.
    pub(crate) fn add(&mut self, pool: Pool) -> Result<(), Rejection> {
        if self.pools & pool.bit() == 0 {
            self.quotas.acquire(self.key, pool)?;
            self.pools |= pool.bit();
        }
        Ok(())
    }
}

impl Drop for QuotaGuard {
    fn drop(&mut self) {
        self.quotas.release(self.key, self.pools);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Principal;

    fn parts(principal: Option<Principal>, addr: Option<&str>) -> Parts {
        let mut request = http::Request::new(());
        if let Some(p) = principal {
            request.extensions_mut().insert(p);
        }
        if let Some(a) = addr {
            request.extensions_mut().insert(RemoteAddr(a.parse().unwrap()));
        }
        request.into_parts().0
    }

    fn quotas(sessions: usize, posts: usize) -> Arc<Quotas> {
        let config = StreamableHttpConfig::default()
            .with_max_sessions_per_principal(sessions)
            .with_max_concurrent_streams_per_principal(posts);
        Quotas::new(&config)
    }

    #[test]
    fn each_principal_has_its_own_share_and_entries_go_at_zero() {
        let q = quotas(2, 1);
        let a = parts(None, Some("192.0.2.1:1000"));
        let a_again = parts(None, Some("192.0.2.1:2000"));
        let b = parts(None, Some("192.0.2.2:1000"));
        let first = q.take(&a, Pool::Sessions).unwrap();
        let second = q.take(&a_again, Pool::Sessions).unwrap();
        assert!(q.take(&a, Pool::Sessions).is_err(), "the same address, another port: the same share");
        let other = q.take(&b, Pool::Sessions).unwrap();
        let post = q.take(&a, Pool::Posts).unwrap();
        assert!(q.take(&a, Pool::Posts).is_err(), "each pool has its own share");
        assert_eq!(q.principals(), 2);
        drop((first, second, other, post));
        assert_eq!(q.principals(), 0, "no entry is kept for a principal holding nothing");
        assert!(q.take(&a, Pool::Sessions).unwrap().is_some());
    }

    #[test]
    fn a_subject_outranks_the_address_and_no_principal_counts_against_no_one() {
        let q = quotas(1, 1);
        let alice = parts(Some(Principal::new("alice")), Some("192.0.2.1:1"));
        let bob = parts(Some(Principal::new("bob")), Some("192.0.2.1:1"));
        let _a = q.take(&alice, Pool::Sessions).unwrap();
        assert!(q.take(&alice, Pool::Sessions).is_err());
        assert!(q.take(&bob, Pool::Sessions).is_ok(), "one address, two subjects: two shares");
        let anonymous = parts(None, None);
        assert!(q.take(&anonymous, Pool::Sessions).unwrap().is_none());
        assert!(q.take(&anonymous, Pool::Sessions).unwrap().is_none());
    }

    #[test]
    fn an_ipv6_host_is_its_64_block_and_a_guard_widens_once() {
        let q = quotas(1, 1);
        let one = parts(None, Some("[2001:db8:1:2::1]:1"));
        let same_block = parts(None, Some("[2001:db8:1:2:ffff::9]:1"));
        let mut guard = q.take(&one, Pool::Posts).unwrap().unwrap();
        assert!(q.take(&same_block, Pool::Posts).is_err());
        guard.add(Pool::Stateless).unwrap();
        guard.add(Pool::Stateless).unwrap();
        drop(guard);
        assert_eq!(q.principals(), 0, "both pools given back at once");
        let mapped = parts(None, Some("[::ffff:192.0.2.1]:1"));
        let v4 = parts(None, Some("192.0.2.1:1"));
        let _g = q.take(&mapped, Pool::Posts).unwrap();
        assert!(q.take(&v4, Pool::Posts).is_err(), "an IPv4-mapped address is its IPv4 address");
    }
}
