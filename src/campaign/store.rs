//! Campaigns, their audience units, exclusions and topics.

use chrono::{DateTime, NaiveDate, Utc};

use crate::campaign::model::{CompletionRule, VisitCredit};
use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// One row of `campaigns`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Campaign {
    /// Id.
    pub id: i64,
    /// e.g. 2020–2021年度冬训.
    pub name: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Audience category bits (0 = every member).
    pub audience_categories: i64,
    /// Sessions that complete it (0 = route unused).
    pub required_sessions: i64,
    /// Minutes that complete it (0 = route unused).
    pub required_minutes: i64,
    /// What a door-to-door visit counts for.
    pub visit_credit: VisitCredit,
    /// The campaign pages open on.
    pub is_current: bool,
    /// Created (UTC).
    pub created_at: DateTime<Utc>,
}

/// A topic of a campaign; compulsory ones are part of the completion rule.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Topic {
    /// Id.
    pub id: i64,
    /// Campaign.
    pub campaign_id: i64,
    /// e.g. 书记开讲第一课.
    pub name: String,
    /// Must every member attend it?
    pub compulsory: bool,
}

/// What an admin fills in for a campaign.
#[derive(Debug, Clone)]
pub struct CampaignFields {
    /// Name.
    pub name: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Audience category bits.
    pub audience_categories: i64,
    /// Sessions needed.
    pub required_sessions: i64,
    /// Minutes needed.
    pub required_minutes: i64,
    /// What a door-to-door visit counts for.
    pub visit_credit: VisitCredit,
    /// Audience units (each with its subtree).
    pub unit_ids: Vec<i64>,
}

const COLUMNS: &str = "id, name, starts_on, ends_on, audience_categories, required_sessions, \
                       required_minutes, visit_credit, is_current, created_at";

/// Every campaign, newest first.
pub async fn list(db: &Db) -> Result<Vec<Campaign>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM campaigns ORDER BY starts_on DESC, id DESC");
    on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// One campaign.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Campaign>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM campaigns WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// The current campaign, if one is marked.
pub async fn current(db: &Db) -> Result<Option<Campaign>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM campaigns WHERE is_current = TRUE ORDER BY id DESC LIMIT 1");
    on_db!(db, pool => sqlx::query_as(&sql).fetch_optional(pool).await)
}

/// Creates a campaign with its audience units; the first campaign becomes current.
pub async fn insert(tx: &mut Tx, f: &CampaignFields) -> Result<i64, sqlx::Error> {
    let now = Utc::now();
    on_tx!(tx, conn => {
        let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM campaigns").fetch_one(&mut *conn).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO campaigns (name, starts_on, ends_on, audience_categories, required_sessions, \
             required_minutes, visit_credit, is_current, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&f.name)
        .bind(f.starts_on)
        .bind(f.ends_on)
        .bind(f.audience_categories)
        .bind(f.required_sessions)
        .bind(f.required_minutes)
        .bind(f.visit_credit)
        .bind(existing == 0)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        for unit_id in &f.unit_ids {
            sqlx::query("INSERT INTO campaign_units (campaign_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(unit_id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(id)
    })
}

/// Updates a campaign and replaces its audience units.
pub async fn update(tx: &mut Tx, id: i64, f: &CampaignFields) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE campaigns SET name = $1, starts_on = $2, ends_on = $3, audience_categories = $4, \
             required_sessions = $5, required_minutes = $6, visit_credit = $7 WHERE id = $8",
        )
        .bind(&f.name)
        .bind(f.starts_on)
        .bind(f.ends_on)
        .bind(f.audience_categories)
        .bind(f.required_sessions)
        .bind(f.required_minutes)
        .bind(f.visit_credit)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM campaign_units WHERE campaign_id = $1").bind(id).execute(&mut *conn).await?;
        for unit_id in &f.unit_ids {
            sqlx::query("INSERT INTO campaign_units (campaign_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(unit_id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    })
}

/// Makes one campaign the current one (and no other).
pub async fn make_current(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE campaigns SET is_current = FALSE WHERE is_current = TRUE").execute(&mut *conn).await?;
        sqlx::query("UPDATE campaigns SET is_current = TRUE WHERE id = $1").bind(id).execute(&mut *conn).await?;
        Ok(())
    })
}

/// The audience units' ids and paths.
pub async fn audience_units(db: &Db, campaign_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT u.id, u.path FROM campaign_units cu JOIN units u ON u.id = cu.unit_id \
             WHERE cu.campaign_id = $1 ORDER BY u.path",
        )
        .bind(campaign_id)
        .fetch_all(pool)
        .await
    })
}

/// The campaign's topics, compulsory first.
pub async fn topics(db: &Db, campaign_id: i64) -> Result<Vec<Topic>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, campaign_id, name, compulsory FROM topics WHERE campaign_id = $1 \
             ORDER BY compulsory DESC, id",
        )
        .bind(campaign_id)
        .fetch_all(pool)
        .await
    })
}

/// Adds a topic.
pub async fn add_topic(
    tx: &mut Tx,
    campaign_id: i64,
    name: &str,
    compulsory: bool,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = on_tx!(tx, conn => {
        sqlx::query_as("INSERT INTO topics (campaign_id, name, compulsory) VALUES ($1, $2, $3) RETURNING id")
            .bind(campaign_id)
            .bind(name)
            .bind(compulsory)
            .fetch_one(conn)
            .await?
    });
    Ok(id)
}

/// Sets whether a topic is compulsory.
pub async fn set_topic_compulsory(db: &Db, topic_id: i64, compulsory: bool) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE topics SET compulsory = $1 WHERE id = $2")
            .bind(compulsory)
            .bind(topic_id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// The completion rule of a campaign.
pub async fn completion_rule(db: &Db, campaign: &Campaign) -> Result<CompletionRule, sqlx::Error> {
    let compulsory_topics =
        topics(db, campaign.id).await?.into_iter().filter(|t| t.compulsory).map(|t| t.id).collect();
    Ok(CompletionRule {
        required_sessions: campaign.required_sessions,
        required_minutes: campaign.required_minutes,
        compulsory_topics,
        visit_credit: campaign.visit_credit,
    })
}

/// Members excluded from a campaign (e.g. long-term sick): (member id, reason).
pub async fn exclusions(db: &Db, campaign_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT member_id, reason FROM campaign_exclusions WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_all(pool)
            .await
    })
}

/// Excludes a member (idempotent: excluding twice keeps the first reason).
pub async fn exclude(tx: &mut Tx, campaign_id: i64, member_id: i64, reason: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO campaign_exclusions (campaign_id, member_id, reason, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (campaign_id, member_id) DO NOTHING",
        )
        .bind(campaign_id)
        .bind(member_id)
        .bind(reason)
        .bind(Utc::now())
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Takes a member back into the audience.
pub async fn include(tx: &mut Tx, campaign_id: i64, member_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM campaign_exclusions WHERE campaign_id = $1 AND member_id = $2")
            .bind(campaign_id)
            .bind(member_id)
            .execute(conn)
            .await?;
    });
    Ok(())
}
