//! The rank index (排名索引): every period's rankings of members (within their unit and across the
//! sub-district) and of units, kept in memory and exact after every ledger entry.
//!
//! Why in memory: "my rank" is asked on every member's home page, and in SQL it is a count of the
//! rows above (or a window over all of them). Here it is one hash lookup and one Fenwick-tree
//! prefix sum over the population's scores ([`board`]): O(log span of scores), never a scan.
//! How it stays exact: [`Ranks::rebuild`] replays the ledger at start; [`RankIndex::apply`] adds
//! each entry after its transaction commits. Entries only add (a correction is a negative entry),
//! so applying them in any order gives the same index.
//!
//! Choices:
//! - **Who is ranked.** A period's rankings hold the members with at least one entry in it (their
//!   net total, possibly 0 or negative after corrections). A member without one is answered with
//!   0 points and the rank 0 points would have.
//! - **Competition ranking.** Rank = 1 + the number of members scoring strictly more (1, 2, 2, 4);
//!   in a top N, ties are listed by member id.
//! - **Participation** counts members whose net total in the period is **positive**: an entry
//!   cancelled by a correction was a mistake, so it does not make its member a participant.
//! - **Retention.** Day buckets are kept for the [`Ranks::KEEP_DAYS`] newest days and week buckets
//!   for the current and previous week (relative to the newest entry's day); older ones are
//!   dropped and answer `None`, since nobody looks at last Tuesday's daily ranking. Months,
//!   quarters and the campaign are kept whole (the monthly awards read last month's ranking).
//! - **Units.** A member belongs to the unit of their newest applied entry (or
//!   [`Ranks::set_member_unit`]); a move carries all their periods' points to the new unit.

mod board;
mod hash;
mod period;
#[cfg(test)]
mod tests;
mod units;

use std::ops::RangeInclusive;
use std::sync::{Arc, RwLock};

use chrono::{Days, NaiveDate};

use board::Board;
use hash::IdMap;
pub use period::Period;
use period::{Bucket, buckets_of, monday};
pub use units::{UnitOrder, UnitStanding};

/// A member's id (`members.id`).
pub type MemberId = i64;
/// A unit's id (`units.id`).
pub type UnitId = i64;

/// One ledger entry as the index sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// Who earned (or lost, for a correction) the points.
    pub member: MemberId,
    /// The member's unit.
    pub unit: UnitId,
    /// The local (Asia/Shanghai) day the points count for.
    pub day: NaiveDate,
    /// Points; negative for a correction.
    pub points: i64,
}

/// Which population a ranking is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole sub-district.
    All,
    /// One unit's members.
    Unit(UnitId),
}

/// A member's place in one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Net points in the period.
    pub points: i64,
    /// Competition rank across the sub-district.
    pub rank: u32,
    /// Competition rank within the member's unit (None: the index has never seen their unit).
    pub rank_in_unit: Option<u32>,
}

/// One row of a top N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    /// Competition rank.
    pub rank: u32,
    /// The member.
    pub member: MemberId,
    /// Their net points in the period.
    pub points: i64,
}

/// One period's rankings.
#[derive(Debug, Default)]
struct Table {
    points: IdMap<MemberId, i64>,
    all: Board,
    units: IdMap<UnitId, Board>,
}

impl Table {
    fn add(&mut self, member: MemberId, unit: UnitId, points: i64) {
        let old = self.points.get(&member).copied();
        let new = old.unwrap_or(0) + points;
        self.points.insert(member, new);
        self.all.change(member, old, Some(new));
        self.units.entry(unit).or_default().change(member, old, Some(new));
    }

    fn board(&self, scope: Scope) -> Option<&Board> {
        match scope {
            Scope::All => Some(&self.all),
            Scope::Unit(unit) => self.units.get(&unit),
        }
    }
}

/// The rankings themselves, single-threaded; [`RankIndex`] shares them between requests.
#[derive(Debug)]
pub struct Ranks {
    campaign: RangeInclusive<NaiveDate>,
    newest: Option<NaiveDate>,
    unit_of: IdMap<MemberId, UnitId>,
    audience: IdMap<UnitId, u32>,
    tables: IdMap<Bucket, Table>,
}

impl Ranks {
    /// How many newest days keep their daily ranking.
    pub const KEEP_DAYS: u64 = 2;

    /// An empty index for a campaign running over `campaign` (local days, inclusive).
    pub fn new(campaign: RangeInclusive<NaiveDate>) -> Self {
        Self {
            campaign,
            newest: None,
            unit_of: IdMap::default(),
            audience: IdMap::default(),
            tables: IdMap::default(),
        }
    }

    /// An index holding `events` (the ledger, in any order): the same index as applying them one
    /// by one, built faster by summing each period's totals first and making its boards at once.
    pub fn rebuild(campaign: RangeInclusive<NaiveDate>, events: impl IntoIterator<Item = Event>) -> Self {
        let mut ranks = Self::new(campaign);
        let mut totals: IdMap<Bucket, IdMap<MemberId, i64>> = IdMap::default();
        for event in events {
            ranks.unit_of.insert(event.member, event.unit);
            if ranks.newest.is_none_or(|newest| event.day > newest) {
                ranks.newest = Some(event.day);
                totals.retain(|bucket, _| ranks.kept(*bucket));
            }
            for bucket in buckets_of(event.day, ranks.campaign.contains(&event.day)) {
                if ranks.kept(bucket) {
                    *totals.entry(bucket).or_default().entry(event.member).or_insert(0) += event.points;
                }
            }
        }
        for (bucket, points) in totals {
            let scores: Vec<(MemberId, i64)> = points.iter().map(|(m, p)| (*m, *p)).collect();
            let mut by_unit: IdMap<UnitId, Vec<(MemberId, i64)>> = IdMap::default();
            for &(member, score) in &scores {
                by_unit.entry(ranks.unit_of[&member]).or_default().push((member, score));
            }
            let units = by_unit.iter().map(|(unit, s)| (*unit, Board::from_scores(s))).collect();
            ranks.tables.insert(bucket, Table { points, all: Board::from_scores(&scores), units });
        }
        ranks
    }

    /// Counts one entry in every period it falls in.
    pub fn apply(&mut self, event: Event) {
        self.set_member_unit(event.member, event.unit);
        if self.newest.is_none_or(|newest| event.day > newest) {
            self.newest = Some(event.day);
            self.drop_old();
        }
        let in_campaign = self.campaign.contains(&event.day);
        for bucket in buckets_of(event.day, in_campaign) {
            if self.kept(bucket) {
                self.tables.entry(bucket).or_default().add(event.member, event.unit, event.points);
            }
        }
    }

    /// Puts `member` in `unit`, carrying their points in every period from their former unit.
    pub fn set_member_unit(&mut self, member: MemberId, unit: UnitId) {
        let Some(former) = self.unit_of.insert(member, unit) else { return };
        if former == unit {
            return;
        }
        for table in self.tables.values_mut() {
            let Some(&points) = table.points.get(&member) else { continue };
            if let Some(board) = table.units.get_mut(&former) {
                board.change(member, Some(points), None);
            }
            table.units.entry(unit).or_default().change(member, None, Some(points));
        }
    }

    /// Sets how many members a unit's audience holds (the denominator of its per-member points
    /// and participation rate).
    pub fn set_unit_audience(&mut self, unit: UnitId, members: u32) {
        self.audience.insert(unit, members);
    }

    /// `member`'s points and ranks in `period`; None when the period's rankings were dropped.
    pub fn standing(&self, period: Period, member: MemberId) -> Option<Standing> {
        let bucket = period.bucket();
        if !self.kept(bucket) {
            return None;
        }
        let table = self.tables.get(&bucket);
        let points = table.and_then(|t| t.points.get(&member)).copied().unwrap_or(0);
        let rank_on = |board: Option<&Board>| board.map_or(1, |b| b.rank_of(points));
        let rank_in_unit =
            self.unit_of.get(&member).map(|unit| rank_on(table.and_then(|t| t.board(Scope::Unit(*unit)))));
        Some(Standing { points, rank: rank_on(table.map(|t| &t.all)), rank_in_unit })
    }

    /// `member`'s rank in `scope` alone (what a sorted set's ZREVRANK answers, but with ties
    /// sharing a rank): one map look-up and one Fenwick query. None when the period was dropped.
    pub fn rank(&self, period: Period, scope: Scope, member: MemberId) -> Option<u32> {
        let bucket = period.bucket();
        if !self.kept(bucket) {
            return None;
        }
        let table = self.tables.get(&bucket);
        let points = table.and_then(|t| t.points.get(&member)).copied().unwrap_or(0);
        Some(table.and_then(|t| t.board(scope)).map_or(1, |b| b.rank_of(points)))
    }

    /// The first `n` members of `scope` in `period`, ranked (empty when dropped or nobody earned).
    pub fn top(&self, period: Period, scope: Scope, n: usize) -> Vec<Ranked> {
        let bucket = period.bucket();
        let Some(board) = self.tables.get(&bucket).filter(|_| self.kept(bucket)).and_then(|t| t.board(scope))
        else {
            return Vec::new();
        };
        let mut rows: Vec<Ranked> = Vec::with_capacity(n.min(1024));
        for (position, (member, points)) in board.ordered().take(n).enumerate() {
            let rank = match rows.last() {
                Some(previous) if previous.points == points => previous.rank,
                _ => position as u32 + 1,
            };
            rows.push(Ranked { rank, member, points });
        }
        rows
    }

    /// Members ranked in `period` (with at least one entry in it).
    pub fn ranked_members(&self, period: Period) -> usize {
        self.tables.get(&period.bucket()).map_or(0, |t| t.points.len())
    }

    /// Members the index knows (with at least one entry, or placed in a unit).
    pub fn members(&self) -> usize {
        self.unit_of.len()
    }

    /// Bytes held, estimated from the containers' sizes (hash maps at their capacity with one
    /// control byte per slot; ordered sets as [`Board`] estimates).
    pub fn approximate_bytes(&self) -> usize {
        let map = |capacity: usize, entry: usize| capacity * (entry + 1);
        let mut bytes = map(self.unit_of.capacity(), 16) + map(self.audience.capacity(), 12);
        for table in self.tables.values() {
            bytes += size_of::<Table>() + map(table.points.capacity(), 16) + table.all.bytes();
            bytes += map(table.units.capacity(), 8 + size_of::<Board>());
            bytes += table.units.values().map(Board::bytes).sum::<usize>();
        }
        bytes
    }

    /// Whether `bucket`'s rankings are kept (see the module doc's retention).
    fn kept(&self, bucket: Bucket) -> bool {
        let Some(newest) = self.newest else { return true };
        match bucket {
            Bucket::Day(day) => day + Days::new(Self::KEEP_DAYS) > newest,
            Bucket::Week(start) => start + Days::new(7) >= monday(newest),
            _ => true,
        }
    }

    fn drop_old(&mut self) {
        let stale: Vec<Bucket> = self.tables.keys().copied().filter(|b| !self.kept(*b)).collect();
        for bucket in stale {
            self.tables.remove(&bucket);
        }
    }
}

/// The shared, thread-safe rank index a room holds as state: cloning shares it. Readers take a
/// read lock for one query; [`RankIndex::apply`] takes the write lock for one entry.
#[derive(Debug, Clone)]
pub struct RankIndex(Arc<RwLock<Ranks>>);

impl RankIndex {
    /// Shares `ranks` (usually [`Ranks::rebuild`] from the ledger at start).
    pub fn new(ranks: Ranks) -> Self {
        Self(Arc::new(RwLock::new(ranks)))
    }

    /// Counts one committed entry.
    pub fn apply(&self, event: Event) {
        self.write().apply(event);
    }

    /// Replaces the whole index (a rebuild done off to the side, then swapped in).
    pub fn replace(&self, ranks: Ranks) {
        *self.write() = ranks;
    }

    /// Runs `query` on the index under a read lock.
    pub fn read<T>(&self, query: impl FnOnce(&Ranks) -> T) -> T {
        query(&self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Runs `change` on the index under the write lock.
    pub fn update<T>(&self, change: impl FnOnce(&mut Ranks) -> T) -> T {
        change(&mut self.write())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Ranks> {
        // A panic while writing leaves at worst one entry half-applied; the rankings stay usable
        // and the next rebuild corrects them.
        self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
