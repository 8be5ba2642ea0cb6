//! [`LiveRanks`]: the rank index (`points::index`) kept level with the ledger, a sub-state of
//! `AppState`.
//!
//! How it stays exact:
//! - At start it is rebuilt from the whole ledger; it remembers the highest entry id it applied.
//! - Before answering, a ranking **catches up**: `WHERE id > last` (a primary-key range, usually
//!   empty). A catch-up whose query *began* after the request arrived already saw every write
//!   acknowledged before it, so concurrent requests share one query instead of queueing for their
//!   own. So after a write is acknowledged, every ranking answer on any server reflects it.
//! - A background task catches up every [`FOLLOW_EVERY`] too, so a server whose pages nobody asks
//!   still follows the entries other servers write (within one second).
//! - PostgreSQL hands out ids before commit, so id 10 may commit after id 11 was seen. Ids
//!   skipped over are kept as **gaps** and asked for again on each catch-up for [`GAP_TTL`]
//!   (a transaction holding one commits long before); an `ON CONFLICT DO NOTHING` also burns an
//!   id, so most gaps simply expire. SQLite commits in id order; its gaps are the burnt ids.
//! - Each entry counts in the ranking unit (`model::ranking_unit`) of its member's unit *now*.
//!   Member moves and audience sizes are re-read on every rankings page, projector view and
//!   export (coalesced the same way), and every [`REFRESH_EVERY`] in the background; "my rank"
//!   places the member by their own unit as it asks. A change of the current campaign's dates
//!   rebuilds the index.

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tokio::sync::Mutex;

use super::model::ranking_unit;
use crate::campaign::audience;
use crate::campaign::store::{self as campaigns, Campaign};
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;
use crate::points::index::{Event, RankIndex, Ranks, UnitId};

/// How often the background task catches up with the ledger.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(300);
/// How often the background task re-reads members' units and audience sizes.
pub const REFRESH_EVERY: Duration = Duration::from_secs(30);
/// How long a skipped id is asked for again.
pub const GAP_TTL: Duration = Duration::from_secs(300);
/// At most this many gaps are kept (the newest); at start, ids this far below the highest.
const MAX_GAPS: i64 = 2_000;

/// The shared, self-updating rank index; cloning shares it.
#[derive(Clone)]
pub struct LiveRanks(Arc<Inner>);

struct Inner {
    db: Db,
    index: RankIndex,
    cursor: Mutex<Cursor>,
    units: Mutex<Instant>,
}

struct Cursor {
    last: i64,
    gaps: BTreeMap<i64, Instant>,
    /// When the newest finished catch-up began its query.
    began: Instant,
    campaign: RangeInclusive<NaiveDate>,
}

/// One ledger entry as the catch-up reads it: id, member, the member's unit path, day, points.
type Row = (i64, i64, String, NaiveDate, i64);

const ENTRIES: &str = "SELECT e.id, e.member_id, u.path, e.earned_on, e.points FROM point_entries e \
                       JOIN members m ON m.id = e.member_id JOIN units u ON u.id = m.unit_id";

impl LiveRanks {
    /// Rebuilds the index from the ledger, members' units and the current campaign's audience.
    pub async fn load(db: &Db) -> Result<Self, sqlx::Error> {
        let campaign = campaigns::current(db).await?;
        let began = Instant::now();
        let (ranks, last, gaps) = rebuild(db, days_of(campaign.as_ref())).await?;
        let cursor = Cursor { last, gaps, began, campaign: days_of(campaign.as_ref()) };
        let live = Self(Arc::new(Inner {
            db: db.clone(),
            index: RankIndex::new(ranks),
            cursor: Mutex::new(cursor),
            units: Mutex::new(began),
        }));
        live.refresh_now(campaign.as_ref()).await?;
        Ok(live)
    }

    /// The index, for queries; call [`Self::catch_up`] (and [`Self::refresh_units`]) first.
    pub fn index(&self) -> &RankIndex {
        &self.0.index
    }

    /// Applies every entry committed before this call (see the module doc).
    pub async fn catch_up(&self) -> Result<(), sqlx::Error> {
        let asked = Instant::now();
        let mut cursor = self.0.cursor.lock().await;
        if cursor.began > asked {
            return Ok(());
        }
        let began = Instant::now();
        cursor.gaps.retain(|_, seen| began.duration_since(*seen) < GAP_TTL);
        let mut sql = format!("{ENTRIES} WHERE e.id > $1");
        if !cursor.gaps.is_empty() {
            // Ids from our own map, formatted here, never text from a request.
            let list: Vec<String> = cursor.gaps.keys().map(i64::to_string).collect();
            sql = format!("{ENTRIES} WHERE e.id > $1 OR e.id IN ({})", list.join(","));
        }
        let rows: Vec<Row> = on_db!(&self.0.db, pool => {
            sqlx::query_as(&format!("{sql} ORDER BY e.id")).bind(cursor.last).fetch_all(pool).await?
        });
        let cursor = &mut *cursor;
        for row in &rows {
            if row.0 > cursor.last {
                let skipped_from = (cursor.last + 1).max(row.0 - MAX_GAPS);
                for id in skipped_from..row.0 {
                    cursor.gaps.insert(id, began);
                }
                cursor.last = row.0;
            } else {
                cursor.gaps.remove(&row.0);
            }
        }
        while cursor.gaps.len() > MAX_GAPS as usize {
            cursor.gaps.pop_first();
        }
        if !rows.is_empty() {
            self.0.index.update(|ranks| rows.iter().filter_map(event).for_each(|e| ranks.apply(e)));
        }
        cursor.began = began;
        Ok(())
    }

    /// Re-reads members' units and each unit's audience, and rebuilds the index when the current
    /// campaign's dates changed; coalesced like [`Self::catch_up`].
    pub async fn refresh_units(&self) -> Result<(), sqlx::Error> {
        let asked = Instant::now();
        let mut began = self.0.units.lock().await;
        if *began > asked {
            return Ok(());
        }
        *began = Instant::now();
        let campaign = campaigns::current(&self.0.db).await?;
        self.refresh_now(campaign.as_ref()).await
    }

    /// Places `member` in the ranking unit of the unit at `unit_path` (their own page asks).
    pub fn place(&self, member: i64, unit_path: &str) {
        if let Some(unit) = ranking_unit(unit_path) {
            self.0.index.update(|ranks| ranks.set_member_unit(member, unit));
        }
    }

    /// Follows the ledger in the background until every clone of this index is dropped.
    pub fn follow(&self) -> tokio::task::JoinHandle<()> {
        let weak: Weak<Inner> = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut refreshed = Instant::now();
            loop {
                tokio::time::sleep(FOLLOW_EVERY).await;
                let Some(inner) = weak.upgrade() else { return };
                let live = LiveRanks(inner);
                if let Err(error) = live.catch_up().await {
                    tracing::debug!("rank index catch-up failed: {error}");
                }
                if refreshed.elapsed() >= REFRESH_EVERY {
                    refreshed = Instant::now();
                    if let Err(error) = live.refresh_units().await {
                        tracing::debug!("rank index refresh failed: {error}");
                    }
                }
            }
        })
    }

    async fn refresh_now(&self, campaign: Option<&Campaign>) -> Result<(), sqlx::Error> {
        let db = &self.0.db;
        let days = days_of(campaign);
        {
            let mut cursor = self.0.cursor.lock().await;
            if cursor.campaign != days {
                let began = Instant::now();
                let (ranks, last, gaps) = rebuild(db, days.clone()).await?;
                self.0.index.replace(ranks);
                *cursor = Cursor { last, gaps, began, campaign: days };
            }
        }
        let members: Vec<(i64, String)> = on_db!(db, pool => {
            sqlx::query_as("SELECT m.id, u.path FROM members m JOIN units u ON u.id = m.unit_id")
                .fetch_all(pool)
                .await?
        });
        let audience = audience_sizes(db, campaign).await?;
        self.0.index.update(|ranks| {
            for (member, path) in &members {
                if let Some(unit) = ranking_unit(path) {
                    ranks.set_member_unit(*member, unit);
                }
            }
            for (unit, size) in &audience {
                ranks.set_unit_audience(*unit, *size);
            }
        });
        Ok(())
    }
}

/// The current campaign's days; an empty range without one.
fn days_of(campaign: Option<&Campaign>) -> RangeInclusive<NaiveDate> {
    match campaign {
        Some(c) => c.starts_on..=c.ends_on,
        None => NaiveDate::MAX..=NaiveDate::MIN,
    }
}

fn event(row: &Row) -> Option<Event> {
    let unit = ranking_unit(&row.2)?;
    Some(Event { member: row.1, unit, day: row.3, points: row.4 })
}

/// The index over the whole ledger, the highest id, and the ids missing just below it.
async fn rebuild(
    db: &Db,
    days: RangeInclusive<NaiveDate>,
) -> Result<(Ranks, i64, BTreeMap<i64, Instant>), sqlx::Error> {
    let now = Instant::now();
    let rows: Vec<Row> = on_db!(db, pool => {
        sqlx::query_as(&format!("{ENTRIES} ORDER BY e.id")).fetch_all(pool).await?
    });
    let last = rows.last().map_or(0, |r| r.0);
    let mut gaps: BTreeMap<i64, Instant> = ((last - MAX_GAPS).max(1)..last).map(|id| (id, now)).collect();
    for row in rows.iter().rev().take_while(|r| r.0 > last - MAX_GAPS) {
        gaps.remove(&row.0);
    }
    Ok((Ranks::rebuild(days, rows.iter().filter_map(event)), last, gaps))
}

/// Each ranking unit's audience: the current campaign's audience under it, or (without a
/// campaign) its active members; every unit at the ranking level is listed, empty ones with 0.
async fn audience_sizes(db: &Db, campaign: Option<&Campaign>) -> Result<HashMap<UnitId, u32>, sqlx::Error> {
    let units: Vec<String> = on_db!(db, pool => {
        sqlx::query_scalar("SELECT path FROM units WHERE retired_at IS NULL").fetch_all(pool).await?
    });
    let mut sizes: HashMap<UnitId, u32> = HashMap::new();
    for path in &units {
        if path.split('/').filter(|s| !s.is_empty()).count() == 2
            && let Some(unit) = ranking_unit(path)
        {
            sizes.insert(unit, 0);
        }
    }
    let counts: Vec<(String, i64)> = match campaign {
        Some(campaign) => {
            let ids = audience::units(db, campaign, &Scope::whole_tree()).await?;
            let sql = format!(
                "SELECT u.path, COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id WHERE {} GROUP BY u.path",
                audience::where_in_units(&ids)
            );
            on_db!(db, pool => {
                sqlx::query_as(&sql).bind(campaign.id).bind(campaign.audience_categories).fetch_all(pool).await?
            })
        }
        None => on_db!(db, pool => {
            sqlx::query_as(
                "SELECT u.path, COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id \
                 WHERE m.status = 'active' GROUP BY u.path",
            )
            .fetch_all(pool)
            .await?
        }),
    };
    for (path, count) in counts {
        if let Some(unit) = ranking_unit(&path) {
            *sizes.entry(unit).or_insert(0) += u32::try_from(count).unwrap_or(0);
        }
    }
    Ok(sizes)
}
