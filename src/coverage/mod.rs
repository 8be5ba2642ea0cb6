//! Full coverage (S4, 实现冬训对象全覆盖): every audience member's progress over every channel —
//! in person, field lectures, exchanges, live, recordings watched to 90 %, door-to-door visits —
//! whether the completion rule is met, the rate per unit, and who is still missing and why.
//!
//! Built to be served fast at city scale: a trigger keeps one `member_progress` row per member and
//! campaign in the same transaction as every attendance (migration 0003), so the rollup is one
//! query over audience × progress rows, counted per unit in the database, and the uncovered list
//! is filtered and paged there too. [`unit_counts_sql`] computes the same per-unit counts straight
//! from the attendances, for benchmarks and as a cross-check of the trigger.

mod assign;
mod export;
mod pages;
pub mod rollup;
mod sql;
mod uncovered;

use std::collections::HashMap;

use axum::Router;
use axum::routing::{get, post};

pub use export::coverage_xlsx;
pub use rollup::{MemberCoverage, Reason, UnitRate};

use crate::campaign::audience::{self, AUDIENCE_WHERE, AudienceMember};
use crate::campaign::model::{CompletionRule, Progress};
use crate::campaign::store::{self as campaigns, Campaign, Topic};
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;
use crate::state::AppState;

/// Coverage pages (admins only, each scoped to the viewer's subtree).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/coverage", get(pages::overview))
        .route("/coverage/units/{id}", get(pages::unit))
        .route("/coverage/uncovered", get(uncovered::page))
        .route("/coverage/deliveries", post(uncovered::create_deliveries))
        .route("/coverage/export.xlsx", get(export::download))
        .route("/coverage/select-all.js", get(select_all_script))
}

/// `GET /coverage/select-all.js`: the uncovered list's 全选 box ticks the members shown. The CSP
/// allows scripts from this app only (no inline ones), so it is served as a file.
async fn select_all_script() -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("select-all.js"),
    )
        .into_response()
}

/// A campaign's coverage inside one subtree.
#[derive(Debug, Clone)]
pub struct CoverageReport {
    /// The campaign.
    pub campaign: Campaign,
    /// Its completion rule.
    pub rule: CompletionRule,
    /// Its topics (to name compulsory ones).
    pub topics: Vec<Topic>,
    /// Every audience member in the subtree, in tree order then pinyin.
    pub members: Vec<MemberCoverage>,
}

impl CoverageReport {
    /// Audience size.
    pub fn audience(&self) -> i64 {
        self.members.len() as i64
    }

    /// Members covered.
    pub fn covered(&self) -> i64 {
        self.members.iter().filter(|m| m.covered).count() as i64
    }

    /// The name of a topic id.
    pub fn topic_name(&self, id: i64) -> String {
        self.topics
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| format!("专题#{id}"))
    }

    /// What a member still lacks, in words ('' when covered).
    pub fn missing(&self, m: &MemberCoverage) -> String {
        rollup::missing_text(&self.rule, &m.progress, |id| self.topic_name(id))
    }

    /// The per-unit rollup for a viewer at `viewer` (id, name, path) over its child units
    /// (id, name, path), in the given order.
    pub fn by_unit(&self, viewer: (i64, &str, &str), children: &[(i64, String, String)]) -> Vec<UnitRate> {
        let counts = self.members.iter().map(|m| (m.member.unit_path.as_str(), 1, i64::from(m.covered)));
        rollup::unit_rollup(viewer, children, counts)
    }
}

/// Which audience members to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberFilter {
    /// Everyone.
    All,
    /// Those who completed the campaign.
    Covered,
    /// Those who did not, optionally only those with this reason.
    Uncovered(Option<Reason>),
}

/// Audience members with their progress: `$1` campaign, `$2` scope, `$3` audience categories.
const MEMBERS_SQL: &str = "SELECT m.id, m.name, m.name_pinyin, m.unit_id, u.name AS unit_name, \
     u.path AS unit_path, m.categories, m.phone, p.sessions, p.minutes, p.topics, p.visits \
     FROM members m JOIN units u ON u.id = m.unit_id \
     LEFT JOIN member_progress p ON p.campaign_id = $1 AND p.member_id = m.id";

#[derive(sqlx::FromRow)]
struct MemberRow {
    #[sqlx(flatten)]
    member: audience::Row,
    sessions: Option<i64>,
    minutes: Option<i64>,
    topics: Option<String>,
    visits: Option<i64>,
}

impl MemberRow {
    fn judge(self, rule: &CompletionRule) -> MemberCoverage {
        let progress = Progress {
            sessions: self.sessions.unwrap_or(0),
            minutes: self.minutes.unwrap_or(0),
            visits: self.visits.unwrap_or(0),
            ..sql::parse_topics(self.topics.as_deref().unwrap_or(","))
        };
        MemberCoverage {
            covered: rule.is_met(&progress),
            member: AudienceMember::from(self.member),
            progress,
        }
    }
}

/// The audience members inside `scope` that pass `filter`, in tree order then pinyin, at most
/// `limit` of them. Filtering and paging happen in the database over the progress rows the
/// attendance trigger keeps, so a page of the uncovered at city scale reads only that page.
pub async fn members(
    db: &Db,
    campaign: &Campaign,
    rule: &CompletionRule,
    scope: &Scope,
    filter: MemberFilter,
    limit: Option<usize>,
) -> Result<Vec<MemberCoverage>, sqlx::Error> {
    members_page(db, campaign, rule, scope, filter, limit, 0).await
}

/// [`members`], skipping the first `offset` (the uncovered list's pages).
pub async fn members_page(
    db: &Db,
    campaign: &Campaign,
    rule: &CompletionRule,
    scope: &Scope,
    filter: MemberFilter,
    limit: Option<usize>,
    offset: usize,
) -> Result<Vec<MemberCoverage>, sqlx::Error> {
    let condition = match filter {
        MemberFilter::All => String::new(),
        MemberFilter::Covered => format!(" AND {}", sql::covered(rule)),
        MemberFilter::Uncovered(None) => format!(" AND NOT {}", sql::covered(rule)),
        MemberFilter::Uncovered(Some(reason)) => {
            format!(" AND NOT {} AND {}", sql::covered(rule), sql::has_reason(reason))
        }
    };
    let limit = limit.map(|n| format!(" LIMIT {n} OFFSET {offset}")).unwrap_or_default();
    let audience = audience::where_in_units(&audience::units(db, campaign, scope).await?);
    let query =
        format!("{MEMBERS_SQL} WHERE {audience}{condition} ORDER BY u.path, m.name_pinyin, m.id{limit}");
    let rows: Vec<MemberRow> = on_db!(db, pool => {
        sqlx::query_as(&query)
            .bind(campaign.id)
            .bind(campaign.audience_categories)
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(|r| r.judge(rule)).collect())
}

/// How many audience members inside `scope` are not covered, in all and per reason (reasons
/// with nobody are absent). A member counts under each of their reasons, so the per-reason
/// counts add up to more than the total.
pub async fn uncovered_by_reason(
    db: &Db,
    campaign: &Campaign,
    rule: &CompletionRule,
    scope: &Scope,
) -> Result<(i64, HashMap<Reason, i64>), sqlx::Error> {
    let audience = audience::where_in_units(&audience::units(db, campaign, scope).await?);
    let uncovered = format!(
        "FROM members m LEFT JOIN member_progress p ON p.campaign_id = $1 AND p.member_id = m.id \
         WHERE {audience} AND NOT {covered}",
        covered = sql::covered(rule),
    );
    let total_sql = format!("SELECT COUNT(*) {uncovered}");
    let per_reason_sql = format!(
        "SELECT r.code, COUNT(*) FROM members m CROSS JOIN {reasons} \
         LEFT JOIN member_progress p ON p.campaign_id = $1 AND p.member_id = m.id \
         WHERE {audience} AND NOT {covered} AND {has} GROUP BY r.code",
        reasons = sql::reasons_table(),
        covered = sql::covered(rule),
        has = sql::has_reason_of_row(),
    );
    let (total, rows): ((i64,), Vec<(Reason, i64)>) = on_db!(db, pool => {
        let total = sqlx::query_as(&total_sql)
            .bind(campaign.id)
            .bind(campaign.audience_categories)
            .fetch_one(pool)
            .await?;
        let rows = sqlx::query_as(&per_reason_sql)
            .bind(campaign.id)
            .bind(campaign.audience_categories)
            .fetch_all(pool)
            .await?;
        (total, rows)
    });
    Ok((total.0, rows.into_iter().collect()))
}

/// A unit's child units still in use (or retired ones that still hold audience), as
/// (id, name, path), in tree order: the rows of every rollup.
pub async fn child_units(
    db: &Db,
    parent_id: i64,
    parent_path: &str,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let units = crate::org::store::units_in_scope(db, &Scope::of_unit(parent_path)).await?;
    Ok(units.into_iter().filter(|u| u.parent_id == Some(parent_id)).map(|u| (u.id, u.name, u.path)).collect())
}

/// [`unit_rates`] over the viewer's own child units: what the coverage page, the overview and a
/// secretary's home all show, so they always agree.
pub async fn viewer_rates(
    db: &Db,
    campaign: &Campaign,
    viewer: (i64, &str, &str),
) -> Result<(Vec<UnitRate>, i64, i64), sqlx::Error> {
    let children = child_units(db, viewer.0, viewer.2).await?;
    unit_rates(db, campaign, viewer, &children).await
}

/// The per-unit rollup for a viewer at `viewer` (id, name, path) over its child units
/// (id, name, path), and the totals (audience, covered): ONE query counting each unit's audience
/// and covered members over the progress rows (a few hundred rows come back, no names).
pub async fn unit_rates(
    db: &Db,
    campaign: &Campaign,
    viewer: (i64, &str, &str),
    children: &[(i64, String, String)],
) -> Result<(Vec<UnitRate>, i64, i64), sqlx::Error> {
    let scope = Scope::of_unit(viewer.2);
    let rule = campaigns::completion_rule(db, campaign).await?;
    let query = format!(
        "SELECT m.unit_id, COUNT(*), SUM(CASE WHEN {covered} THEN 1 ELSE 0 END) FROM members m \
         LEFT JOIN member_progress p ON p.campaign_id = $1 AND p.member_id = m.id \
         WHERE {audience} GROUP BY m.unit_id",
        covered = sql::covered(&rule),
        audience = audience::where_in_units(&audience::units(db, campaign, &scope).await?),
    );
    let per_unit: Vec<(i64, i64, i64)> = on_db!(db, pool => {
        sqlx::query_as(&query)
            .bind(campaign.id)
            .bind(campaign.audience_categories)
            .fetch_all(pool)
            .await?
    });
    let paths: HashMap<i64, String> =
        crate::org::store::units_in_scope(db, &scope).await?.into_iter().map(|u| (u.id, u.path)).collect();
    let (audience, covered) = per_unit.iter().fold((0, 0), |(a, c), (_, ua, uc)| (a + ua, c + uc));
    let counts = per_unit.iter().filter_map(|(unit, a, c)| paths.get(unit).map(|p| (p.as_str(), *a, *c)));
    Ok((rollup::unit_rollup(viewer, children, counts), audience, covered))
}

/// The progress of a few members (door-to-door task creation, a member's own page).
pub async fn progress_of(
    db: &Db,
    campaign: &Campaign,
    member_ids: &[i64],
) -> Result<HashMap<i64, Progress>, sqlx::Error> {
    if member_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Integers formatted here, never request text.
    let list = member_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let query = format!(
        "SELECT member_id, sessions, minutes, topics, visits FROM member_progress \
         WHERE campaign_id = $1 AND member_id IN ({list})"
    );
    let rows: Vec<(i64, i64, i64, String, i64)> = on_db!(db, pool => {
        sqlx::query_as(&query).bind(campaign.id).fetch_all(pool).await?
    });
    Ok(rows
        .into_iter()
        .map(|(member, sessions, minutes, topics, visits)| {
            (member, Progress { sessions, minutes, visits, ..sql::parse_topics(&topics) })
        })
        .collect())
}

/// How many of each listed member's attendances in a campaign are self-declared online study
/// (identified by name and phone only); members without any are absent.
pub async fn self_declared_counts(
    db: &Db,
    campaign_id: i64,
    member_ids: &[i64],
) -> Result<HashMap<i64, i64>, sqlx::Error> {
    if member_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Integers formatted here, never request text.
    let list = member_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let query = format!(
        "SELECT a.member_id, COUNT(*) FROM attendances a JOIN training_sessions s ON s.id = a.session_id \
         WHERE s.campaign_id = $1 AND a.self_declared = TRUE AND a.member_id IN ({list}) GROUP BY a.member_id"
    );
    let rows: Vec<(i64, i64)> = on_db!(db, pool => {
        sqlx::query_as(&query).bind(campaign_id).fetch_all(pool).await?
    });
    Ok(rows.into_iter().collect())
}

/// The coverage of `campaign` inside `scope`: every audience member.
pub async fn compute(db: &Db, campaign: &Campaign, scope: &Scope) -> Result<CoverageReport, sqlx::Error> {
    let rule = campaigns::completion_rule(db, campaign).await?;
    let topics = campaigns::topics(db, campaign.id).await?;
    let members = members(db, campaign, &rule, scope, MemberFilter::All, None).await?;
    Ok(CoverageReport { campaign: campaign.clone(), rule, topics, members })
}

/// The per-unit counts `(unit key, audience, covered)` for a viewer at `viewer_path`, computed as
/// ONE SQL query straight from the attendances and visits (no progress rows): the unit key is the path of the viewer's child holding the member (or the
/// viewer's own path for members directly in it), as [`rollup::child_key`] computes it. Same
/// numbers as [`unit_rates`]; kept for benchmarks (the alternative to keeping progress rows) and
/// as a cross-check of the trigger that keeps them.
pub async fn unit_counts_sql(
    db: &Db,
    campaign: &Campaign,
    viewer_path: &str,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    unit_counts_until(db, campaign, viewer_path, None).await
}

/// [`unit_counts_sql`] as it stood at `until` (none: now): only attendances checked in and visits
/// made before it count, so a month's coverage can be set beside the month before's. The
/// audience is today's.
pub async fn unit_counts_until(
    db: &Db,
    campaign: &Campaign,
    viewer_path: &str,
    until: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    // Not `DateTime::MAX_UTC`: SQLite compares these as text, and its year +262142 sorts first.
    let until =
        until.unwrap_or_else(|| chrono::DateTime::from_timestamp(253_402_300_799, 0).expect("9999-12-31"));
    let before_day = until.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let rule = campaigns::completion_rule(db, campaign).await?;
    // Ids in paths are ten digits plus a slash (see `org::model::child_path`).
    let key_length = viewer_path.len() as i64 + 11;
    let sql = format!(
        "SELECT substr(u.path, 1, CAST($4 AS INTEGER)) AS unit_key, COUNT(*) AS audience, \
         SUM(CASE WHEN {covered} THEN 1 ELSE 0 END) AS covered \
         FROM members m JOIN units u ON u.id = m.unit_id \
         LEFT JOIN ({progress}) p ON p.member_id = m.id \
         WHERE {AUDIENCE_WHERE} GROUP BY 1 ORDER BY 1",
        covered = sql::covered_from_attendances(&rule),
        progress = sql::progress_from_credits(&rule),
    );
    let rows: Vec<(String, i64, i64)> = on_db!(db, pool => {
        sqlx::query_as(&sql)
            .bind(campaign.id)
            .bind(Scope::of_unit(viewer_path))
            .bind(campaign.audience_categories)
            .bind(key_length)
            .bind(until)
            .bind(before_day)
            .fetch_all(pool)
            .await?
    });
    Ok(rows)
}
