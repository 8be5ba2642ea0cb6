//! The awards' SQL: the committee's criteria, a month's candidates from the ledger and the
//! attendances, rounds and their awardees. Publishing is in [`super::publish`].

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Asia::Shanghai;

use super::model::{Candidate, Criteria, Month, RoundStatus};
use crate::audit::{self, Action, Actor};
use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::{on_db, on_tx};

/// Length of a station's path (`/root/station/`: two ten-digit ids, see `org::model::child_path`):
/// a member's award unit is the unit whose path is the first this many characters of theirs.
const STATION_PATH_LEN: i64 = 23;

/// The campaign's criteria, or the defaults if the committee has set none.
pub async fn criteria(db: &Db, campaign_id: i64) -> Result<Criteria, sqlx::Error> {
    let row: Option<(i64, i64, i64, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT top_n, min_sessions, min_volunteer_hours, issuer FROM award_criteria WHERE campaign_id = $1",
        )
        .bind(campaign_id)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map_or_else(Criteria::default, |(top_n, min_sessions, min_volunteer_hours, issuer)| Criteria {
        top_n,
        min_sessions,
        min_volunteer_hours,
        issuer,
    }))
}

/// Sets the campaign's criteria, audited. Rounds already opened keep the criteria they were opened with.
pub async fn set_criteria(
    tx: &mut Tx,
    campaign_id: i64,
    c: &Criteria,
    by: &Actor,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO award_criteria (campaign_id, top_n, min_sessions, min_volunteer_hours, issuer, updated_at, \
             updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (campaign_id) DO UPDATE SET top_n = $2, \
             min_sessions = $3, min_volunteer_hours = $4, issuer = $5, updated_at = $6, updated_by = $7",
        )
        .bind(campaign_id)
        .bind(c.top_n)
        .bind(c.min_sessions)
        .bind(c.min_volunteer_hours)
        .bind(&c.issuer)
        .bind(Utc::now())
        .bind(by.user_id)
        .execute(&mut *conn)
        .await?;
    });
    let detail = format!(
        "每单位前 {} 名，当月至少参加学习 {} 次、志愿服务 {} 小时；颁发单位：{}",
        c.top_n,
        c.min_sessions,
        c.min_volunteer_hours,
        if c.issuer.is_empty() { "（默认）" } else { &c.issuer }
    );
    audit::record_in(tx, by, Action::Award, "评优条件", &detail, true).await
}

/// Midnight at the start of `day`, Shanghai, in UTC.
fn day_start(day: chrono::NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_local_timezone(Shanghai).single().expect("Shanghai has no DST").to_utc()
}

/// Every active member's month (points without monthly awards, the campaign's sessions held in the
/// month that they attended — by the session's start, so a paper sheet entered later counts too,
/// 志愿服务 points) with the unit the award is for; those with neither points nor sessions are
/// left out unless `only_member` names them (0: everyone).
pub async fn candidates(
    db: &Db,
    campaign_id: i64,
    month: Month,
    only_member: i64,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let sql = "SELECT m.id AS member_id, m.name AS name, st.id AS unit_id, st.name AS unit_name, \
               CAST(COALESCE(p.points, 0) AS BIGINT) AS points, CAST(COALESCE(a.sessions, 0) AS BIGINT) AS sessions, \
               CAST(COALESCE(p.volunteer, 0) AS BIGINT) AS volunteer_points \
               FROM members m JOIN units u ON u.id = m.unit_id \
               JOIN units st ON st.path = substr(u.path, 1, CAST($6 AS INTEGER)) \
               LEFT JOIN (SELECT member_id, SUM(CASE WHEN kind = 'monthly_award' THEN 0 ELSE points END) AS points, \
                          SUM(CASE WHEN kind = 'volunteer' THEN points ELSE 0 END) AS volunteer \
                          FROM point_entries WHERE earned_on >= $1 AND earned_on <= $2 GROUP BY member_id) p \
                 ON p.member_id = m.id \
               LEFT JOIN (SELECT att.member_id, COUNT(*) AS sessions FROM attendances att \
                          JOIN training_sessions s ON s.id = att.session_id \
                          WHERE s.campaign_id = $3 AND s.starts_at >= $4 AND s.starts_at < $5 \
                          GROUP BY att.member_id) a ON a.member_id = m.id \
               WHERE m.status = 'active' AND ($7 = 0 OR m.id = $7) \
                 AND (p.member_id IS NOT NULL OR a.member_id IS NOT NULL OR m.id = $7) \
               ORDER BY st.id, m.id";
    on_db!(db, pool => {
        sqlx::query_as(sql)
            .bind(month.first_day())
            .bind(month.last_day())
            .bind(campaign_id)
            .bind(day_start(month.first_day()))
            .bind(day_start(month.next().first_day()))
            .bind(STATION_PATH_LEN)
            .bind(only_member)
            .fetch_all(pool)
            .await
    })
}

/// A month's award round.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Round {
    /// Id.
    pub id: i64,
    /// The campaign.
    pub campaign_id: i64,
    /// `YYYY-MM`.
    pub month: String,
    /// Draft or published.
    pub status: RoundStatus,
    /// Criteria applied when opened.
    pub top_n: i64,
    /// Criteria applied when opened.
    pub min_sessions: i64,
    /// Criteria applied when opened.
    pub min_volunteer_hours: i64,
    /// The name on its certificates.
    pub issuer: String,
    /// When published.
    pub published_at: Option<DateTime<Utc>>,
}

impl Round {
    /// Its month.
    pub fn month(&self) -> Month {
        Month::parse(&self.month).expect("stored months are YYYY-MM")
    }
}

const ROUND: &str = "SELECT id, campaign_id, month, status, top_n, min_sessions, min_volunteer_hours, issuer, \
                     published_at FROM award_rounds";

/// The campaign's rounds, latest month first.
pub async fn rounds(db: &Db, campaign_id: i64) -> Result<Vec<Round>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!("{ROUND} WHERE campaign_id = $1 ORDER BY month DESC")).bind(campaign_id).fetch_all(pool).await
    })
}

/// One round.
pub async fn round(db: &Db, id: i64) -> Result<Option<Round>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(&format!("{ROUND} WHERE id = $1")).bind(id).fetch_optional(pool).await)
}

/// One round, read in the caller's transaction (a round just opened there).
pub async fn round_in(tx: &mut Tx, id: i64) -> Result<Round, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_as(&format!("{ROUND} WHERE id = $1")).bind(id).fetch_one(&mut *conn).await)
}

/// One awardee of a round.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Awardee {
    /// The member.
    pub member_id: i64,
    /// Their name.
    pub name: String,
    /// The unit the award is for.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// The month's points when listed.
    pub points: i64,
    /// The month's sessions when listed.
    pub sessions: i64,
    /// Why.
    pub reason: String,
    /// Proposed by the criteria (else added by the committee).
    pub proposed: bool,
    /// Shares the Nth place.
    pub tied: bool,
}

/// A round's awardees whose own unit lies in `scope`, by unit then points.
pub async fn awardees(db: &Db, round_id: i64, scope: &Scope) -> Result<Vec<Awardee>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT w.member_id, m.name, w.unit_id, u.name AS unit_name, w.points, w.sessions, w.reason, w.proposed, \
             w.tied FROM awardees w JOIN members m ON m.id = w.member_id JOIN units mu ON mu.id = m.unit_id \
             JOIN units u ON u.id = w.unit_id WHERE w.round_id = $1 AND mu.path LIKE $2 \
             ORDER BY u.sort_order, u.id, w.points DESC, m.name",
        )
        .bind(round_id)
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// What opening a month did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// A new draft round, with this many proposed.
    New(i64, usize),
    /// The month was open already: its round, unchanged.
    Existing(i64),
}

/// Opens `month` for the campaign: a draft round with the criteria as they are and the proposed
/// awardees (`(candidate, reason, tied)`), audited. A month already opened is left as it is.
pub async fn open(
    tx: &mut Tx,
    campaign_id: i64,
    month: Month,
    criteria: &Criteria,
    issuer: &str,
    proposed: &[(Candidate, String, bool)],
    by: &Actor,
) -> Result<Opened, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO award_rounds (campaign_id, month, status, top_n, min_sessions, min_volunteer_hours, issuer, \
             opened_at, opened_by) VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (campaign_id, month) DO NOTHING RETURNING id",
        )
        .bind(campaign_id)
        .bind(month.to_string())
        .bind(criteria.top_n)
        .bind(criteria.min_sessions)
        .bind(criteria.min_volunteer_hours)
        .bind(issuer)
        .bind(Utc::now())
        .bind(by.user_id)
        .fetch_optional(&mut *conn)
        .await?
    });
    let Some(id) = id else {
        let existing: i64 = on_tx!(tx, conn => {
            sqlx::query_scalar("SELECT id FROM award_rounds WHERE campaign_id = $1 AND month = $2")
                .bind(campaign_id)
                .bind(month.to_string())
                .fetch_one(&mut *conn)
                .await?
        });
        return Ok(Opened::Existing(existing));
    };
    for (c, reason, tied) in proposed {
        insert_awardee(tx, id, c, reason, true, *tied, None).await?;
    }
    let detail = format!("{}：按条件推荐 {} 人", month.label(), proposed.len());
    audit::record_in(tx, by, Action::Award, &format!("评优 {month}"), &detail, true).await?;
    Ok(Opened::New(id, proposed.len()))
}

async fn insert_awardee(
    tx: &mut Tx,
    round_id: i64,
    c: &Candidate,
    reason: &str,
    proposed: bool,
    tied: bool,
    added_by: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO awardees (round_id, member_id, unit_id, points, sessions, reason, proposed, tied, added_by) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM award_rounds WHERE id = $1 AND status = 'draft' \
             ON CONFLICT (round_id, member_id) DO NOTHING",
        )
        .bind(round_id)
        .bind(c.member_id)
        .bind(c.unit_id)
        .bind(c.points)
        .bind(c.sessions)
        .bind(reason)
        .bind(proposed)
        .bind(tied)
        .bind(added_by)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// Adds a member to a draft round with the committee's reason, audited; false if they were on it
/// already (or the round is no longer a draft).
pub async fn add(
    tx: &mut Tx,
    round: &Round,
    c: &Candidate,
    reason: &str,
    by: &Actor,
) -> Result<bool, sqlx::Error> {
    let added = insert_awardee(tx, round.id, c, reason, false, false, by.user_id).await?;
    if added {
        let detail = format!("加入 {}（{}）：{reason}", c.name, c.unit_name);
        audit::record_in(tx, by, Action::Award, &format!("评优 {}", round.month), &detail, true).await?;
    }
    Ok(added)
}

/// Takes a member off a draft round, audited; false if they were not on it.
pub async fn remove(tx: &mut Tx, round: &Round, member_id: i64, by: &Actor) -> Result<bool, sqlx::Error> {
    let name: Option<String> = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "DELETE FROM awardees WHERE round_id = $1 AND member_id = $2 \
             AND round_id IN (SELECT id FROM award_rounds WHERE status = 'draft') \
             RETURNING (SELECT name FROM members WHERE id = $2)",
        )
        .bind(round.id)
        .bind(member_id)
        .fetch_optional(&mut *conn)
        .await?
    });
    let Some(name) = name else { return Ok(false) };
    audit::record_in(tx, by, Action::Award, &format!("评优 {}", round.month), &format!("移出 {name}"), true)
        .await?;
    Ok(true)
}

/// A published award as its member sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MyAward {
    /// The round.
    pub round_id: i64,
    /// `YYYY-MM`.
    pub month: String,
    /// The unit the award is for.
    pub unit_name: String,
    /// Why.
    pub reason: String,
}

impl MyAward {
    /// Its month as read: `2026年11月`.
    pub fn month_label(&self) -> String {
        Month::parse(&self.month).map(Month::label).unwrap_or_default()
    }
}

/// A member's published awards, latest first.
pub async fn for_member(db: &Db, member_id: i64) -> Result<Vec<MyAward>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT r.id AS round_id, r.month, u.name AS unit_name, w.reason FROM awardees w \
             JOIN award_rounds r ON r.id = w.round_id JOIN units u ON u.id = w.unit_id \
             WHERE w.member_id = $1 AND r.status = 'published' ORDER BY r.month DESC, r.id DESC",
        )
        .bind(member_id)
        .fetch_all(pool)
        .await
    })
}
