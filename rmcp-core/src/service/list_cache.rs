//! The client's cache of list results (`tools/list`, `prompts/list`, `resources/list`,
//! `resources/templates/list`), kept per connection and, for `public` results, optionally shared
//! between connections to the same server ([`SharedListCache`]).
//!
//! Pages are cached one by one, keyed by their cursor: the single-page calls and the
//! `list_all_*` walks (which fetch pages through them) share the entries, and each page lives as
//! long as its own `ttlMs` says. A change notification drops every page of its list at once.
//!
//! A result fetched while a change notification arrived may predate the change: each list has a
//! generation, bumped by every invalidation, and a result is stored only if its list's
//! generation is still the one read before the request went out.

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use foldhash::HashMap;
use tokio::time::Instant;

use crate::model::{
    CacheScope, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, methods,
};

/// When the client serves list results from its cache instead of asking the server again.
///
/// The default, [`Hints`](Self::Hints), follows the server: a 2026-07-28 server says on every
/// list result how long it stays fresh (`ttlMs`), and a 2025-era server says nothing, so nothing
/// of it is cached. A change notification (`notifications/tools/list_changed` and the others,
/// on the connection or a listen stream) drops the list it names in every mode.
///
/// ```no_run
/// use std::time::Duration;
///
/// use rmcp_core::service::ListCaching;
///
/// # async fn run(client: rmcp_core::Peer<rmcp_core::RoleClient>) -> Result<(), rmcp_core::service::ServiceError> {
/// // Every list fetched afresh.
/// client.set_list_caching(ListCaching::Off);
/// // A 2025 server that announces list changes: keep its lists for a minute at most.
/// client.set_list_caching(ListCaching::UpTo(Duration::from_secs(60)));
/// let tools = client.list_all_tools().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ListCaching {
    /// Cache a result for its `ttlMs`, never longer; a result without one (every 2025-era
    /// result) or with `ttlMs: 0` is not cached.
    #[default]
    Hints,
    /// Cache every result for at most this long: the server's `ttlMs`, where it sends one,
    /// still caps it (`0` still means "do not cache"). For servers that announce their list
    /// changes but send no hints.
    UpTo(Duration),
    /// Never cache; every call reaches the server.
    Off,
}

impl ListCaching {
    /// How long a result with these hints may be served from the cache, if at all.
    fn lifetime(self, ttl_ms: Option<u64>) -> Option<Duration> {
        let hinted = ttl_ms.map(Duration::from_millis);
        let lifetime = match self {
            Self::Off => None,
            Self::Hints => hinted,
            Self::UpTo(max) => Some(hinted.map_or(max, |h| h.min(max))),
        };
        lifetime.filter(|d| !d.is_zero())
    }
}

/// The four cached lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListKind {
    Tools,
    Prompts,
    Resources,
    ResourceTemplates,
}

impl ListKind {
    pub(crate) const ALL: [Self; 4] = [Self::Tools, Self::Prompts, Self::Resources, Self::ResourceTemplates];

    /// The lists a change notification `method` makes stale (none for other methods). A
    /// resource list change covers the templates too: they describe the same resources.
    pub(crate) fn changed_by(method: &str) -> &'static [Self] {
        match method {
            methods::NOTIFICATION_TOOLS_LIST_CHANGED => &[Self::Tools],
            methods::NOTIFICATION_PROMPTS_LIST_CHANGED => &[Self::Prompts],
            methods::NOTIFICATION_RESOURCES_LIST_CHANGED => &[Self::Resources, Self::ResourceTemplates],
            _ => &[],
        }
    }
}

/// A list result the cache can hold: it knows its list and carries the server's hints.
pub(crate) trait CacheableList: Clone + Send + Sync + 'static {
    const KIND: ListKind;
    fn hints(&self) -> (Option<u64>, Option<CacheScope>);
}

macro_rules! cacheable {
    ($($ty:ty => $kind:ident),* $(,)?) => {$(
        impl CacheableList for $ty {
            const KIND: ListKind = ListKind::$kind;
            fn hints(&self) -> (Option<u64>, Option<CacheScope>) {
                (self.ttl_ms, self.cache_scope)
            }
        }
    )*};
}

cacheable! {
    ListToolsResult => Tools,
    ListPromptsResult => Prompts,
    ListResourcesResult => Resources,
    ListResourceTemplatesResult => ResourceTemplates,
}

/// One cached page.
#[derive(Clone)]
struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    expires: Instant,
}

impl Entry {
    fn fresh<T: CacheableList>(&self, now: Instant) -> Option<T> {
        (now < self.expires).then(|| self.value.downcast_ref::<T>().cloned()).flatten()
    }
}

/// The pages of the four lists, by cursor (`""` for the first page), and their generations.
#[derive(Default)]
struct Pages {
    generations: [u64; 4],
    pages: [HashMap<String, Entry>; 4],
}

impl Pages {
    fn invalidate(&mut self, kind: ListKind) {
        self.generations[kind as usize] += 1;
        self.pages[kind as usize].clear();
    }

    fn fresh<T: CacheableList>(&mut self, cursor: &str, now: Instant) -> Option<T> {
        let pages = &mut self.pages[T::KIND as usize];
        let hit = pages.get(cursor)?.fresh(now);
        if hit.is_none() {
            pages.remove(cursor);
        }
        hit
    }

    fn store(&mut self, kind: ListKind, generation: u64, cursor: &str, entry: Entry) {
        if self.generations[kind as usize] == generation {
            self.pages[kind as usize].insert(cursor.to_owned(), entry);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A cache of `public` list results shared by several connections to the same server (several
/// users of one gateway, say): what one of them fetched, the others are served, for as long as
/// the result's `ttlMs` allows. `private` results are never put here (the spec: they are for
/// one authorization context), nor is anything without hints. A change notification on any of
/// the connections drops the list here too. Cheap to clone; clones share the entries.
///
/// Give one only to connections that reach the same server: the entries are keyed by list and
/// cursor, not by server.
///
/// ```no_run
/// use rmcp_core::service::SharedListCache;
///
/// # async fn run(alice: rmcp_core::Peer<rmcp_core::RoleClient>, bob: rmcp_core::Peer<rmcp_core::RoleClient>)
/// # -> Result<(), rmcp_core::service::ServiceError> {
/// let shared = SharedListCache::new();
/// alice.share_list_cache(&shared);
/// bob.share_list_cache(&shared);
/// let tools = alice.list_all_tools().await?;
/// // Served from `shared` if the server marked the list `public`.
/// let same = bob.list_all_tools().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct SharedListCache {
    pages: Arc<Mutex<Pages>>,
}

impl SharedListCache {
    /// An empty shared cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Drop every entry.
    pub fn clear(&self) {
        let mut pages = lock(&self.pages);
        for kind in ListKind::ALL {
            pages.invalidate(kind);
        }
    }
}

impl std::fmt::Debug for SharedListCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pages = lock(&self.pages);
        f.debug_struct("SharedListCache").field("pages", &pages.pages.iter().map(HashMap::len).sum::<usize>()).finish()
    }
}

/// How often a connection's list calls were served from a cache, and how often they reached
/// the server ([`Peer::list_cache_stats`](crate::Peer::list_cache_stats)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListCacheStats {
    /// Calls answered from the connection's cache or its [`SharedListCache`].
    pub hits: u64,
    /// Calls that went to the server.
    pub misses: u64,
}

/// One connection's list cache.
#[derive(Default)]
pub(crate) struct ListCache {
    state: Mutex<CacheState>,
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Default)]
struct CacheState {
    mode: ListCaching,
    own: Pages,
    shared: Option<SharedListCache>,
}

/// What a miss must remember to store the answer: the generations the request started under.
pub(crate) struct Miss {
    own: u64,
    shared: Option<(SharedListCache, u64)>,
}

impl ListCache {
    pub(crate) fn set_mode(&self, mode: ListCaching) {
        let mut state = lock(&self.state);
        state.mode = mode;
        if mode == ListCaching::Off {
            for kind in ListKind::ALL {
                state.own.invalidate(kind);
            }
        }
    }

    pub(crate) fn share(&self, shared: &SharedListCache) {
        lock(&self.state).shared = Some(shared.clone());
    }

    pub(crate) fn stats(&self) -> ListCacheStats {
        ListCacheStats { hits: self.hits.load(Ordering::Relaxed), misses: self.misses.load(Ordering::Relaxed) }
    }

    /// Drop the lists a notification `method` says changed (here and in the shared cache).
    pub(crate) fn observe(&self, method: &str) {
        let kinds = ListKind::changed_by(method);
        if !kinds.is_empty() {
            self.invalidate(kinds);
        }
    }

    /// Drop these lists (here and in the shared cache).
    pub(crate) fn invalidate(&self, kinds: &[ListKind]) {
        let shared = {
            let mut state = lock(&self.state);
            for &kind in kinds {
                state.own.invalidate(kind);
            }
            state.shared.clone()
        };
        if let Some(shared) = shared {
            let mut pages = lock(&shared.pages);
            for &kind in kinds {
                pages.invalidate(kind);
            }
        }
    }

    /// The fresh cached page at `cursor`, or what storing the server's answer needs.
    pub(crate) fn lookup<T: CacheableList>(&self, cursor: &str) -> Result<T, Miss> {
        let now = Instant::now();
        let found = {
            let mut state = lock(&self.state);
            if state.mode == ListCaching::Off {
                Err(Miss { own: state.own.generations[T::KIND as usize], shared: None })
            } else if let Some(hit) = state.own.fresh::<T>(cursor, now) {
                Ok(hit)
            } else {
                let shared = state.shared.clone();
                let generation = state.own.generations[T::KIND as usize];
                // The shared lock is taken after (never while holding) a connection's own.
                drop(state);
                match shared {
                    None => Err(Miss { own: generation, shared: None }),
                    Some(shared) => {
                        let mut pages = lock(&shared.pages);
                        match pages.fresh::<T>(cursor, now) {
                            Some(hit) => Ok(hit),
                            None => {
                                let shared_generation = pages.generations[T::KIND as usize];
                                drop(pages);
                                Err(Miss { own: generation, shared: Some((shared, shared_generation)) })
                            }
                        }
                    }
                }
            }
        };
        let counter = if found.is_ok() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keep the server's answer for as long as the mode and its hints allow, unless its list
    /// changed since the request went out.
    pub(crate) fn store<T: CacheableList>(&self, cursor: &str, miss: Miss, result: &T) {
        let (ttl_ms, scope) = result.hints();
        let mode = lock(&self.state).mode;
        let Some(lifetime) = mode.lifetime(ttl_ms) else { return };
        let entry = Entry { value: Arc::new(result.clone()), expires: Instant::now() + lifetime };
        if let (Some((shared, generation)), Some(CacheScope::Public)) = (&miss.shared, scope) {
            lock(&shared.pages).store(T::KIND, *generation, cursor, entry.clone());
        }
        lock(&self.state).own.store(T::KIND, miss.own, cursor, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tools(ttl_ms: Option<u64>, scope: Option<CacheScope>) -> ListToolsResult {
        let mut result = ListToolsResult::new(Vec::new());
        result.ttl_ms = ttl_ms;
        result.cache_scope = scope;
        result
    }

    #[test]
    fn lifetimes_follow_the_mode_and_the_hint() {
        let minute = Duration::from_secs(60);
        assert_eq!(ListCaching::Hints.lifetime(None), None);
        assert_eq!(ListCaching::Hints.lifetime(Some(0)), None);
        assert_eq!(ListCaching::Hints.lifetime(Some(500)), Some(Duration::from_millis(500)));
        assert_eq!(ListCaching::UpTo(minute).lifetime(None), Some(minute));
        assert_eq!(ListCaching::UpTo(minute).lifetime(Some(0)), None);
        assert_eq!(ListCaching::UpTo(Duration::from_millis(10)).lifetime(Some(500)), Some(Duration::from_millis(10)));
        assert_eq!(ListCaching::Off.lifetime(Some(500)), None);
    }

    #[tokio::test]
    async fn a_change_during_the_fetch_keeps_its_answer_out() {
        let cache = ListCache::default();
        let miss = cache.lookup::<ListToolsResult>("").unwrap_err();
        cache.observe(methods::NOTIFICATION_TOOLS_LIST_CHANGED);
        cache.store("", miss, &tools(Some(60_000), Some(CacheScope::Private)));
        assert!(cache.lookup::<ListToolsResult>("").is_err());
        let miss = cache.lookup::<ListToolsResult>("").unwrap_err();
        cache.store("", miss, &tools(Some(60_000), Some(CacheScope::Private)));
        assert!(cache.lookup::<ListToolsResult>("").is_ok());
        // Another list's change leaves it alone; its own drops it.
        cache.observe(methods::NOTIFICATION_PROMPTS_LIST_CHANGED);
        assert!(cache.lookup::<ListToolsResult>("").is_ok());
        cache.observe(methods::NOTIFICATION_TOOLS_LIST_CHANGED);
        assert!(cache.lookup::<ListToolsResult>("").is_err());
        assert_eq!(cache.stats(), ListCacheStats { hits: 2, misses: 4 });
    }

    #[tokio::test]
    async fn only_public_results_are_shared() {
        let shared = SharedListCache::new();
        let (a, b) = (ListCache::default(), ListCache::default());
        a.share(&shared);
        b.share(&shared);
        let miss = a.lookup::<ListToolsResult>("").unwrap_err();
        a.store("", miss, &tools(Some(60_000), Some(CacheScope::Private)));
        assert!(b.lookup::<ListToolsResult>("").is_err());
        let miss = a.lookup::<ListPromptsResult>("").unwrap_err();
        let mut prompts = ListPromptsResult::new(Vec::new());
        prompts.ttl_ms = Some(60_000);
        prompts.cache_scope = Some(CacheScope::Public);
        a.store("", miss, &prompts);
        assert!(b.lookup::<ListPromptsResult>("").is_ok());
        // A change seen by `b` drops the shared entry: a third connection asks the server.
        b.observe(methods::NOTIFICATION_PROMPTS_LIST_CHANGED);
        let c = ListCache::default();
        c.share(&shared);
        assert!(c.lookup::<ListPromptsResult>("").is_err());
        // Turning the cache off empties it.
        assert!(a.lookup::<ListPromptsResult>("").is_ok());
        a.set_mode(ListCaching::Off);
        a.set_mode(ListCaching::Hints);
        assert!(a.lookup::<ListPromptsResult>("").is_err());
    }
}
