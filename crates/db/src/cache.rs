//! Results kept in the process while what they were read from stands still.
//!
//! Some statements run on almost every request or read a great many rows: the signed-in session
//! with its user and organisation (every page), the organisation list (the platform issue's
//! benchmark page), the funding list's count and total and the ledgers' period statistics (up to
//! 256,000 entries per view), the hazard ledger's capped counts and the campaign choices of the
//! hazard pages. They are kept here, keyed by their SQL text and arguments, and
//! served only while the **generations** they depend on are unchanged.
//!
//! A generation is a counter per topic in the database (`cache_generation`, migrations 0017 and
//! 0019) that
//! triggers bump in every transaction writing the topic's tables. Because the database bumps it,
//! a second anjian instance on the same PostgreSQL database, the CLI beside the server and a
//! hand-written UPDATE invalidate as surely as the server's own writes.
//!
//! **Reading order.** The generations are read *before* the statement they validate. Under READ
//! COMMITTED (PostgreSQL) and a snapshot per statement (SQLite WAL), the statement then sees every
//! write its generation counts and possibly later ones, so a kept result is never older than the
//! generation it is kept under; a write that commits in between shows up as a new generation for
//! the next reader. (Reading the generation after the statement would allow the reverse: an old
//! result under the new generation, served until the next write.)
//!
//! **One look per request.** Signing in takes all generations at once (remembered, or read in one
//! statement: see below); the request's `Ctx` carries them (`Snapshot`) to every cached statement
//! the request makes, until the request writes: `audit::record` (every change is audited in its own
//! transaction) spends the snapshot, and later cached statements of that request take the
//! generations afresh, so a request always sees its own writes.
//!
//! **Knowing the generations without asking.** A handle remembers the generations it last read
//! for at most `TRUST` (one second) and forgets them at once when this process commits a write
//! (`written`, called by `Tx::commit` and `Db::execute`), so its own writes show on the very next
//! request. On PostgreSQL the triggers also `NOTIFY` the channel `anjian_cache`, and each handle
//! keeps a connection listening there that forgets them as soon as another instance commits
//! (milliseconds on one network). What another process writes is therefore seen within a second
//! at worst — the CLI beside a SQLite server, or another instance whose notification was lost to a
//! dropped connection — and a request that changes nothing mostly reads nothing to sign in or to
//! list organisations.
//!
//! The cache is per database handle (a pool and its clones), never per process: the test suite
//! opens many databases in one process and their generations repeat.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use crate::ctx::Ctx;
use crate::error::Result;
use crate::query::{Db, Row, Q};

/// What a kept result depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// Sessions, users and their organisation (`session::authenticate`).
    Auth,
    /// The organisation tree.
    Org,
    /// Ledger entries.
    Ledger,
    /// Hazards and their extension requests (migration 0019).
    Hazard,
    /// Campaigns and the units they cover (migration 0019).
    Campaign,
}

/// How many topics there are.
const TOPICS: usize = 5;

impl Topic {
    const ALL: [Topic; TOPICS] = [
        Topic::Auth,
        Topic::Org,
        Topic::Ledger,
        Topic::Hazard,
        Topic::Campaign,
    ];

    fn code(self) -> &'static str {
        match self {
            Topic::Auth => "auth",
            Topic::Org => "org",
            Topic::Ledger => "ledger",
            Topic::Hazard => "hazard",
            Topic::Campaign => "campaign",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The generation of every topic, as read at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Generations([i64; TOPICS]);

impl Generations {
    /// The part of these generations a result of `topics` depends on: results of other topics'
    /// writes stay valid.
    pub fn stamp(&self, topics: &[Topic]) -> Stamp {
        let mut s = [-1; TOPICS];
        for t in topics {
            s[t.index()] = self.0[t.index()];
        }
        Stamp(s)
    }
}

/// The generations one kept result was computed under (-1 for topics it does not depend on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp([i64; TOPICS]);

/// How long a handle trusts the generations it read without reading them again: the longest
/// another process's write can go unseen here (see the module comment).
pub const TRUST: Duration = Duration::from_secs(1);

/// Every topic's generation: as read less than `TRUST` ago with no write of this process and no
/// notification since, otherwise read now in one statement.
pub async fn generations(db: &Db) -> Result<Generations> {
    let cache = of(db);
    let seq = {
        let v = cache.view();
        if let Some((g, at)) = v.known {
            if at.elapsed() < TRUST {
                return Ok(g);
            }
        }
        v.seq
    };
    let read_at = Instant::now();
    let g = read_generations(db).await?;
    cache.learn(seq, g, read_at);
    Ok(g)
}

/// A write of this process has committed on `db` (`Tx::commit`, `Db::execute`): the generations
/// it remembers may be old. Its own notification will say so too, but a little later.
pub(crate) fn written(db: &Db) {
    of(db).forget_generations();
}

async fn read_generations(db: &Db) -> Result<Generations> {
    let rows: Vec<(String, i64)> = db
        .fetch_all(&Q::new("SELECT topic, n FROM cache_generation"))
        .await?;
    let mut g = Generations::default();
    for (topic, n) in rows {
        if let Some(t) = Topic::ALL.iter().find(|t| t.code() == topic) {
            g.0[t.index()] = n;
        }
    }
    Ok(g)
}

/// The generations a request read when it signed in, shared by every `Ctx` of the request.
#[derive(Debug)]
pub struct Snapshot {
    generations: Generations,
    spent: AtomicBool,
}

impl Snapshot {
    pub fn new(generations: Generations) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            generations,
            spent: AtomicBool::new(false),
        })
    }

    /// The request has written: from now on its cached statements read the generations afresh.
    pub(crate) fn spend(&self) {
        self.spent.store(true, Ordering::Relaxed);
    }
}

/// The generations for a cached statement of this request: the request's snapshot while it has
/// not written, otherwise read now.
pub(crate) async fn current(db: &Db, ctx: &Ctx) -> Result<Generations> {
    match ctx.snapshot() {
        Some(s) if !s.spent.load(Ordering::Relaxed) => Ok(s.generations),
        _ => generations(db).await,
    }
}

/// Statements kept per handle: a scope, filter and period each; a province's bureaus and
/// units looking at a few periods and list pages fit.
pub const CAPACITY: usize = 4096;
/// Rows kept per handle: a year's ledger statistics of the whole province are ~12,000 groups
/// (2,000 organisations × 6 kinds), an organisation list page 50 rows, a session one; this bounds
/// the memory at a few MB whatever the mix of callers.
const ROW_BUDGET: usize = 50_000;
/// Longer keys (an organisation filter listing thousands of ids) are computed, not kept: the key
/// alone would cost more memory than the result is worth.
const MAX_KEY_BYTES: usize = 16 * 1024;

type Rows = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct Entries {
    /// key → (stamp, rows, number of rows).
    map: HashMap<String, (Stamp, Rows, usize)>,
    rows: usize,
}

/// The generations a handle last read and when it began reading them. Anything that may have
/// moved a generation clears `known` and counts `seq` up, so a read that began before it cannot
/// store what it read (`learn`).
#[derive(Default)]
struct View {
    known: Option<(Generations, Instant)>,
    seq: u64,
}

/// The results of one database handle.
#[derive(Default)]
struct ResultCache {
    entries: Mutex<Entries>,
    view: Mutex<View>,
}

impl ResultCache {
    fn view(&self) -> MutexGuard<'_, View> {
        self.view.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps generations whose read began at `at`, after the view's state `seq`, if nothing
    /// moved since.
    fn learn(&self, seq: u64, g: Generations, at: Instant) {
        let mut v = self.view();
        if v.seq == seq {
            v.known = Some((g, at));
        }
    }

    fn forget_generations(&self) {
        let mut v = self.view();
        v.known = None;
        v.seq = v.seq.wrapping_add(1);
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves a consistent map (every change is one insert or
        // removal), so a poisoned lock is still usable.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get<T: Clone + 'static>(&self, key: &str, stamp: Stamp) -> Option<Vec<T>> {
        let e = self.lock();
        let (at, rows, _) = e.map.get(key)?;
        if *at != stamp {
            return None;
        }
        rows.downcast_ref::<Vec<T>>().cloned()
    }

    fn put<T: Send + Sync + 'static>(&self, key: String, stamp: Stamp, rows: Vec<T>) {
        let n = rows.len();
        self.put_weighing(key, stamp, rows, n);
    }

    /// `put` of rows that count as `weight` rows against the budget (a roll-up kept as one value
    /// but holding a row per unit).
    fn put_weighing<T: Send + Sync + 'static>(
        &self,
        key: String,
        stamp: Stamp,
        rows: Vec<T>,
        weight: usize,
    ) {
        let n = weight.max(1);
        if key.len() > MAX_KEY_BYTES || n > ROW_BUDGET {
            return;
        }
        let mut e = self.lock();
        match e.map.get(&key) {
            // A slower reader of older generations never replaces a newer result.
            Some((at, _, _)) if *at > stamp => return,
            Some((_, _, old)) => {
                let old = *old;
                e.rows -= old;
                e.map.remove(&key);
            }
            None => {}
        }
        if e.map.len() >= CAPACITY || e.rows + n > ROW_BUDGET {
            // Results of older generations are dead anyway; when that is not enough, start over.
            e.map.retain(|_, (at, _, _)| *at >= stamp);
            e.rows = e.map.values().map(|(_, _, n)| n).sum();
            if e.map.len() >= CAPACITY || e.rows + n > ROW_BUDGET {
                e.map.clear();
                e.rows = 0;
            }
        }
        e.rows += n;
        e.map.insert(key, (stamp, Arc::new(rows), n));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().map.len()
    }
}

/// The cache of each live handle, found by the handle's identity (`Db::identity`: an object its
/// pool owns). The `Weak` keeps that allocation, so no other pool can take its address while the
/// entry exists; entries of dropped pools are removed on the next lookup. This is a directory of
/// per-handle caches, not a shared cache: two handles on one database each have their own.
type Directory = Vec<(Weak<dyn Any + Send + Sync>, Arc<ResultCache>)>;
static HANDLES: Mutex<Directory> = Mutex::new(Vec::new());

fn of(db: &Db) -> Arc<ResultCache> {
    let id = db.identity();
    let mut handles = HANDLES.lock().unwrap_or_else(|e| e.into_inner());
    handles.retain(|(w, _)| w.strong_count() > 0);
    if let Some((_, c)) = handles
        .iter()
        .find(|(w, _)| w.upgrade().is_some_and(|h| Arc::ptr_eq(&h, &id)))
    {
        return c.clone();
    }
    let c = Arc::new(ResultCache::default());
    handles.push((Arc::downgrade(&id), c.clone()));
    if let Db::Postgres(p) = db {
        // Outside a runtime (never in the server) the handle just reads the generations each time.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let opts = (*p.connect_options()).clone();
            rt.spawn(listen(opts, Arc::downgrade(&id), Arc::downgrade(&c)));
        }
    }
    c
}

/// The channel the generation triggers notify (migration 0017).
const CHANNEL: &str = "anjian_cache";

/// Listens for the triggers' notifications on a connection of its own (not one of the handle's
/// pool, which could then never close) for as long as the handle lives. Each notification
/// forgets the remembered generations. Notifications sent while the connection is down are lost;
/// `TRUST` bounds what that can cost, and reconnecting forgets once more.
async fn listen(
    opts: sqlx::postgres::PgConnectOptions,
    handle: Weak<dyn Any + Send + Sync>,
    cache: Weak<ResultCache>,
) {
    use sqlx::postgres::{PgListener, PgPoolOptions};
    let mut alive = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        if handle.strong_count() == 0 {
            return;
        }
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_lazy_with(opts.clone());
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen(CHANNEL).await {
                Ok(()) => l,
                Err(_) => {
                    alive.tick().await;
                    continue;
                }
            },
            Err(_) => {
                alive.tick().await;
                continue;
            }
        };
        let Some(c) = cache.upgrade() else { return };
        c.forget_generations();
        drop(c);
        loop {
            tokio::select! {
                n = listener.try_recv() => {
                    let Some(c) = cache.upgrade() else { return };
                    match n {
                        Ok(Some(_)) => c.forget_generations(),
                        // Lost: connect again.
                        Ok(None) | Err(_) => {
                            c.forget_generations();
                            break;
                        }
                    }
                }
                _ = alive.tick() => {
                    if handle.strong_count() == 0 {
                        return;
                    }
                }
            }
        }
    }
}

/// A statement whose result may be kept: `q` reads only tables of `topics` (a sub-select over
/// the organisation tree makes it depend on `Topic::Org` too).
pub(crate) struct Cached<'a> {
    pub q: &'a Q,
    pub topics: &'a [Topic],
}

impl Cached<'_> {
    fn key(&self) -> String {
        self.q.cache_key()
    }

    /// The statement's rows as of `generations`, which the caller read *before* this call
    /// (`current` or `generations`).
    pub async fn fetch_all<T>(&self, db: &Db, generations: Generations) -> Result<Vec<T>>
    where
        T: Row + Clone + Sync + 'static,
    {
        let cache = of(db);
        let key = self.key();
        let stamp = generations.stamp(self.topics);
        if let Some(rows) = cache.get::<T>(&key, stamp) {
            return Ok(rows);
        }
        let rows: Vec<T> = db.fetch_all(self.q).await?;
        cache.put(key, stamp, rows.clone());
        Ok(rows)
    }

    /// The statement's first row, as `Db::fetch_one`: NotFound when there is none.
    pub async fn fetch_one<T>(&self, db: &Db, generations: Generations) -> Result<T>
    where
        T: Row + Clone + Sync + 'static,
    {
        self.fetch_all::<T>(db, generations)
            .await?
            .into_iter()
            .next()
            .ok_or(crate::error::DbError::NotFound)
    }

    /// The kept rows, if any are kept for these generations; nothing is read.
    pub fn peek<T: Clone + 'static>(&self, db: &Db, generations: Generations) -> Option<Vec<T>> {
        of(db).get(&self.key(), generations.stamp(self.topics))
    }

    /// Keeps `rows` (read by the caller after it read `generations`) for this statement.
    pub fn keep<T: Send + Sync + 'static>(&self, db: &Db, generations: Generations, rows: Vec<T>) {
        of(db).put(self.key(), generations.stamp(self.topics), rows);
    }

    /// The key of a value derived from this statement's rows, named `name`: apart from the
    /// statement's own rows, and from any other value derived from them.
    fn derived_key(&self, name: &str) -> String {
        format!("{name}\u{1}{}", self.key())
    }

    /// The value named `name` the caller derived in the process from this statement's rows
    /// (and from other results of the same topics), if one is kept for these generations.
    /// Work done on the rows after the statement — a roll-up over the tree — is then done once
    /// per generation, not on every request.
    pub fn peek_derived<T: Clone + 'static>(
        &self,
        db: &Db,
        generations: Generations,
        name: &str,
    ) -> Option<T> {
        of(db)
            .get::<T>(&self.derived_key(name), generations.stamp(self.topics))
            .and_then(|mut v| v.pop())
    }

    /// Keeps `value`, derived from rows read under `generations`, as `name`; it counts as
    /// `weight` rows against the cache's budget.
    pub fn keep_derived<T: Send + Sync + 'static>(
        &self,
        db: &Db,
        generations: Generations,
        name: &str,
        value: T,
        weight: usize,
    ) {
        of(db).put_weighing(
            self.derived_key(name),
            generations.stamp(self.topics),
            vec![value],
            weight,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(n: i64) -> Stamp {
        Generations([n, 0, 0, 0, 0]).stamp(&[Topic::Auth])
    }

    #[test]
    fn serves_only_the_generations_it_was_computed_under() {
        let c = ResultCache::default();
        c.put("k".into(), stamp(3), vec![(1i64,)]);
        assert_eq!(c.get::<(i64,)>("k", stamp(3)), Some(vec![(1,)]));
        assert_eq!(c.get::<(i64,)>("k", stamp(4)), None);
        // An older reader does not replace the newer result.
        c.put("k".into(), stamp(2), vec![(9i64,)]);
        assert_eq!(c.get::<(i64,)>("k", stamp(3)), Some(vec![(1,)]));
        c.put("k".into(), stamp(4), vec![(2i64,)]);
        assert_eq!(c.get::<(i64,)>("k", stamp(4)), Some(vec![(2,)]));
    }

    #[test]
    fn a_stamp_ignores_the_topics_it_does_not_depend_on() {
        let a = Generations([1, 2, 3, 4, 5]);
        let b = Generations([1, 2, 4, 4, 5]);
        assert_eq!(
            a.stamp(&[Topic::Auth, Topic::Org]),
            b.stamp(&[Topic::Auth, Topic::Org])
        );
        assert_ne!(a.stamp(&[Topic::Ledger]), b.stamp(&[Topic::Ledger]));
    }

    #[test]
    fn generations_are_remembered_for_a_second_until_something_moves() {
        let c = ResultCache::default();
        let g = Generations([1, 2, 3, 4, 5]);
        let known = |c: &ResultCache| c.view().known.map(|(g, _)| g);
        let seq = c.view().seq;
        c.learn(seq, g, Instant::now());
        assert_eq!(known(&c), Some(g));
        // A notification or an own commit forgets them.
        c.forget_generations();
        assert_eq!(known(&c), None);
        // A read that began before something moved does not store what it read.
        let seq = c.view().seq;
        c.forget_generations();
        c.learn(seq, g, Instant::now());
        assert_eq!(known(&c), None);
    }

    #[test]
    fn stays_within_its_bounds() {
        let c = ResultCache::default();
        for i in 0..CAPACITY + 10 {
            c.put(format!("k{i}"), stamp(1), vec![(i as i64,)]);
        }
        assert!(c.len() <= CAPACITY);
        c.put("big".into(), stamp(1), vec![(0i64,); ROW_BUDGET]);
        assert!(c.lock().rows <= ROW_BUDGET);
        c.put("long".into(), stamp(1), vec![(0i64,)]);
        c.put("x".repeat(MAX_KEY_BYTES + 1), stamp(1), vec![(0i64,)]);
        assert!(c.lock().rows <= ROW_BUDGET);
        assert_eq!(
            c.get::<(i64,)>(&"x".repeat(MAX_KEY_BYTES + 1), stamp(1)),
            None
        );
    }
}
