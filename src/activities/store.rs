//! Activities, their kinds, follow-ups and photos. Every read of an activity takes the viewer's
//! `Scope` in SQL: another village's activity is simply not found.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{ActivityFacts, Served};
use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::{on_db, on_tx};

/// An activity kind (built in or custom).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Kind {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// From the founding document.
    pub builtin: bool,
}

/// One activity, as listed and shown.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Activity {
    /// Id.
    pub id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// Organising unit.
    pub unit_id: i64,
    /// Organising unit's name.
    pub unit_name: String,
    /// Kind.
    pub kind_id: i64,
    /// Kind's name.
    pub kind_name: String,
    /// Title.
    pub title: String,
    /// Day held.
    pub held_on: NaiveDate,
    /// Place.
    pub place: String,
    /// Linked training session.
    pub session_id: Option<i64>,
    /// Its title.
    pub session_title: Option<String>,
    /// Outcome.
    pub outcome: String,
    /// 老年人.
    pub served_elderly: i64,
    /// 低收入.
    pub served_low_income: i64,
    /// 残疾人.
    pub served_disabled: i64,
    /// 留守/务工.
    pub served_left_behind: i64,
    /// 儿童.
    pub served_children: i64,
    /// 其他.
    pub served_others: i64,
    /// Volunteers on it (any status).
    pub volunteers: i64,
    /// Approved minutes.
    pub approved_minutes: i64,
}

impl Activity {
    /// People served, per category.
    pub fn served(&self) -> Served {
        Served([
            self.served_elderly,
            self.served_low_income,
            self.served_disabled,
            self.served_left_behind,
            self.served_children,
            self.served_others,
        ])
    }
}

const ACTIVITY: &str = "SELECT a.id, a.campaign_id, a.unit_id, u.name AS unit_name, a.kind_id, k.name AS kind_name, \
     a.title, a.held_on, a.place, a.session_id, s.title AS session_title, a.outcome, a.served_elderly, \
     a.served_low_income, a.served_disabled, a.served_left_behind, a.served_children, a.served_others, \
     (SELECT COUNT(*) FROM activity_volunteers v WHERE v.activity_id = a.id) AS volunteers, \
     CAST((SELECT COALESCE(SUM(v.minutes_approved), 0) FROM activity_volunteers v \
      WHERE v.activity_id = a.id AND v.status = 'approved') AS BIGINT) AS approved_minutes \
     FROM activities a JOIN units u ON u.id = a.unit_id JOIN activity_kinds k ON k.id = a.kind_id \
     LEFT JOIN training_sessions s ON s.id = a.session_id";

/// Kinds still offered, built-in first.
pub async fn kinds(db: &Db) -> Result<Vec<Kind>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, name, builtin FROM activity_kinds WHERE retired_at IS NULL ORDER BY sort_order, id",
        )
        .fetch_all(pool)
        .await
    })
}

/// The kind named `name`, added as a custom kind if there is none yet; its id.
pub async fn kind_named(tx: &mut Tx, name: &str) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO activity_kinds (name, builtin, sort_order, created_at) VALUES ($1, FALSE, 100, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(Utc::now())
        .execute(&mut *conn)
        .await?;
        sqlx::query_scalar("SELECT id FROM activity_kinds WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *conn)
            .await
    })
}

/// Activities held from `from` to `to` by units in `scope` (or, with `unit`, in that unit's
/// subtree as well), newest first.
pub async fn list(
    db: &Db,
    scope: &Scope,
    unit: Option<&Scope>,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<Activity>, sqlx::Error> {
    let inner = unit.unwrap_or(scope);
    let sql = format!(
        "{ACTIVITY} WHERE u.path LIKE $1 AND u.path LIKE $2 AND a.held_on >= $3 AND a.held_on <= $4 \
         ORDER BY a.held_on DESC, a.id DESC"
    );
    on_db!(db, pool => {
        sqlx::query_as(&sql).bind(scope).bind(inner).bind(from).bind(to).fetch_all(pool).await
    })
}

/// One activity, if its unit is in `scope`.
pub async fn get(db: &Db, id: i64, scope: &Scope) -> Result<Option<Activity>, sqlx::Error> {
    let sql = format!("{ACTIVITY} WHERE a.id = $1 AND u.path LIKE $2");
    on_db!(db, pool => {
        sqlx::query_as(&sql).bind(id).bind(scope).fetch_optional(pool).await
    })
}

/// A unit's training sessions in a campaign (id, title, start), to link an activity to.
pub async fn sessions_of_units(
    db: &Db,
    campaign_id: i64,
    scope: &Scope,
) -> Result<Vec<(i64, String, i64, DateTime<Utc>)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT s.id, s.title, s.unit_id, s.starts_at FROM training_sessions s JOIN units u ON u.id = s.unit_id \
             WHERE s.campaign_id = $1 AND u.path LIKE $2 AND s.status <> 'cancelled' ORDER BY s.starts_at DESC",
        )
        .bind(campaign_id)
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// Saves an activity (new when `id` is `None`), its kind already resolved; its id.
pub async fn save(
    tx: &mut Tx,
    id: Option<i64>,
    (campaign_id, kind_id): (i64, i64),
    f: &ActivityFacts,
    by: i64,
) -> Result<i64, sqlx::Error> {
    let now = Utc::now();
    let s = f.served.0;
    on_tx!(tx, conn => {
        match id {
            None => {
                sqlx::query_scalar(
                    "INSERT INTO activities (campaign_id, unit_id, kind_id, title, held_on, place, session_id, outcome, \
                     served_elderly, served_low_income, served_disabled, served_left_behind, served_children, \
                     served_others, created_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
                )
                .bind(campaign_id).bind(f.unit_id).bind(kind_id).bind(&f.title).bind(f.held_on).bind(&f.place)
                .bind(f.session_id).bind(&f.outcome)
                .bind(s[0]).bind(s[1]).bind(s[2]).bind(s[3]).bind(s[4]).bind(s[5])
                .bind(by).bind(now)
                .fetch_one(&mut *conn)
                .await
            }
            Some(id) => {
                sqlx::query(
                    "UPDATE activities SET unit_id = $2, kind_id = $3, title = $4, held_on = $5, place = $6, \
                     session_id = $7, outcome = $8, served_elderly = $9, served_low_income = $10, \
                     served_disabled = $11, served_left_behind = $12, served_children = $13, served_others = $14, \
                     updated_at = $15 WHERE id = $1",
                )
                .bind(id).bind(f.unit_id).bind(kind_id).bind(&f.title).bind(f.held_on).bind(&f.place)
                .bind(f.session_id).bind(&f.outcome)
                .bind(s[0]).bind(s[1]).bind(s[2]).bind(s[3]).bind(s[4]).bind(s[5])
                .bind(now)
                .execute(&mut *conn)
                .await?;
                Ok(id)
            }
        }
    })
}

/// A person to visit again, by name and why: the only names an activity keeps.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowUp {
    /// Name.
    pub person_name: String,
    /// Why a follow-up visit is needed.
    pub reason: String,
}

/// An activity's follow-ups, in the order added.
pub async fn follow_ups(db: &Db, activity_id: i64) -> Result<Vec<FollowUp>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT person_name, reason FROM activity_follow_ups WHERE activity_id = $1 ORDER BY id")
            .bind(activity_id)
            .fetch_all(pool)
            .await
    })
}

/// Adds a follow-up.
pub async fn add_follow_up(
    tx: &mut Tx,
    activity_id: i64,
    (name, reason): (&str, &str),
    by: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO activity_follow_ups (activity_id, person_name, reason, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(activity_id)
        .bind(name)
        .bind(reason)
        .bind(by)
        .bind(Utc::now())
        .execute(&mut *conn)
        .await?;
        Ok(())
    })
}

/// Most photos one activity keeps.
pub const MAX_PHOTOS: i64 = 9;

/// An activity's photo ids.
pub async fn photo_ids(db: &Db, activity_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM activity_photos WHERE activity_id = $1 ORDER BY id")
            .bind(activity_id)
            .fetch_all(pool)
            .await
    })
}

/// Adds a re-encoded photo; its id.
pub async fn add_photo(tx: &mut Tx, activity_id: i64, jpeg: &[u8]) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO activity_photos (activity_id, photo, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(activity_id)
        .bind(jpeg)
        .bind(Utc::now())
        .fetch_one(&mut *conn)
        .await
    })
}

/// A photo's bytes and its activity's id, if the activity is in `scope`.
pub async fn photo(db: &Db, photo_id: i64, scope: &Scope) -> Result<Option<Vec<u8>>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar(
            "SELECT p.photo FROM activity_photos p JOIN activities a ON a.id = p.activity_id \
             JOIN units u ON u.id = a.unit_id WHERE p.id = $1 AND u.path LIKE $2",
        )
        .bind(photo_id)
        .bind(scope)
        .fetch_optional(pool)
        .await
    })
}
