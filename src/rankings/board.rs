//! Rankings as rows to show or export: the index's ids and numbers joined to names. Every
//! function here asks the live index (caught up first), never the ledger.

use chrono::NaiveDate;

use super::live::LiveRanks;
use super::model::PeriodKind;
use super::store::{self, Named};
use crate::db::Db;
use crate::points::index::{Period, Scope, Standing, UnitId, UnitOrder};

/// A member's row in a ranking.
#[derive(Debug, Clone)]
pub struct MemberRow {
    /// Competition rank in the list's population (a unit, or the sub-district).
    pub rank: u32,
    /// Rank across the sub-district (the same as `rank` for a sub-district list).
    pub overall: u32,
    /// Member id.
    pub member: i64,
    /// Name, phone and unit.
    pub named: Named,
    /// Net points in the period.
    pub points: i64,
}

/// A unit's row in a unit ranking.
#[derive(Debug, Clone)]
pub struct UnitRow {
    /// Competition rank among units.
    pub rank: u32,
    /// Unit id.
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// Its members' net points.
    pub points: i64,
    /// Points per member of its audience, a number.
    pub per_member: f64,
    /// Share of its audience with points in the period, 0 to 1.
    pub participation: f64,
    /// Members with points.
    pub participants: u32,
    /// Its audience.
    pub audience: u32,
}

impl UnitRow {
    /// 人均积分 as shown: one decimal.
    pub fn per_member_text(&self) -> String {
        format!("{:.1}", self.per_member)
    }

    /// 参与率 as shown: a whole percentage.
    pub fn participation_text(&self) -> String {
        format!("{:.0}%", self.participation * 100.0)
    }
}

/// The period a request names (its kind, on `date`).
#[derive(Debug, Clone, Copy)]
pub struct Asked {
    /// Day, week…
    pub kind: PeriodKind,
    /// A day inside the period.
    pub date: NaiveDate,
}

impl Asked {
    /// The index's period.
    pub fn period(self) -> Period {
        self.kind.on(self.date)
    }
}

/// Members of `scope` in the period, ranked, at most `limit`; None when the index no longer keeps
/// that period (days and weeks long past).
pub async fn members(
    live: &LiveRanks,
    db: &Db,
    asked: Asked,
    scope: Scope,
    limit: usize,
) -> Result<Option<Vec<MemberRow>>, sqlx::Error> {
    live.catch_up().await?;
    live.refresh_units().await?;
    let period = asked.period();
    let ranked = live.index().read(|ranks| {
        ranks.standing(period, i64::MIN).map(|_| {
            ranks
                .top(period, scope, limit)
                .into_iter()
                .map(|r| (r, ranks.standing(period, r.member).map_or(r.rank, |s| s.rank)))
                .collect::<Vec<_>>()
        })
    });
    let Some(ranked) = ranked else { return Ok(None) };
    let ids: Vec<i64> = ranked.iter().map(|(r, _)| r.member).collect();
    let mut names = store::names(db, &ids).await?;
    Ok(Some(
        ranked
            .into_iter()
            .filter_map(|(r, overall)| {
                let named = names.remove(&r.member)?;
                Some(MemberRow { rank: r.rank, overall, member: r.member, named, points: r.points })
            })
            .collect(),
    ))
}

/// Every unit ranked by `order`; None when the period is no longer kept.
pub async fn units(
    live: &LiveRanks,
    db: &Db,
    asked: Asked,
    order: UnitOrder,
) -> Result<Option<Vec<UnitRow>>, sqlx::Error> {
    live.catch_up().await?;
    live.refresh_units().await?;
    let period = asked.period();
    let rows =
        live.index().read(|ranks| ranks.standing(period, i64::MIN).map(|_| ranks.units(period, order)));
    let Some(rows) = rows else { return Ok(None) };
    let names = store::unit_names(db).await?;
    Ok(Some(
        rows.into_iter()
            .filter_map(|u| {
                let name = names.get(&u.unit)?.clone();
                Some(UnitRow {
                    rank: u.rank,
                    unit: u.unit,
                    name,
                    points: u.points,
                    per_member: u.points_per_member(),
                    participation: u.participation(),
                    participants: u.participants,
                    audience: u.audience,
                })
            })
            .collect(),
    ))
}

/// A member's points and ranks in each period holding `today` (day, week, month, campaign), from
/// the index: one lookup each, never the ledger. `unit_path` is their unit's, to place them.
pub async fn my_standings(
    live: &LiveRanks,
    member: i64,
    unit_path: &str,
    today: NaiveDate,
) -> Result<Vec<(PeriodKind, Standing)>, sqlx::Error> {
    live.catch_up().await?;
    live.place(member, unit_path);
    let kinds = [PeriodKind::Day, PeriodKind::Week, PeriodKind::Month, PeriodKind::Campaign];
    Ok(live.index().read(|ranks| {
        kinds.iter().filter_map(|k| ranks.standing(k.on(today), member).map(|s| (*k, s))).collect()
    }))
}
