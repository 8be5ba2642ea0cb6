//! Feedback and adjustments' SQL.

use chrono::{DateTime, Utc};

use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::points::{self, Award, PointKind};
use crate::{on_db, on_tx};

/// One attendee's feedback.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    /// Session.
    pub session_id: i64,
    /// Member.
    pub member_id: i64,
    /// 1–5.
    pub rating: i64,
    /// What helped.
    pub helped: String,
    /// Wanted topic tags, comma-separated codes.
    pub wants_tags: String,
    /// Wanted, in their words.
    pub wants_text: String,
}

/// Stores feedback once per member and session, in the caller's transaction, with the point it
/// earns (评价反馈, keyed `feedback:{session}:{member}`: once per session however often it is
/// sent); `false` when it was already given.
pub async fn submit(tx: &mut Tx, f: &NewFeedback) -> Result<bool, sqlx::Error> {
    Ok(submit_many(tx, std::slice::from_ref(f)).await? == 1)
}

/// [`submit`] for many (the demo): each stored once, their points awarded in one batch. Returns
/// how many were new.
pub async fn submit_many(tx: &mut Tx, all: &[NewFeedback]) -> Result<usize, sqlx::Error> {
    let now = Utc::now();
    let mut awards = Vec::new();
    for f in all {
        let inserted: Option<i64> = on_tx!(tx, conn => {
            sqlx::query_scalar(
                "INSERT INTO feedback (session_id, member_id, rating, helped, wants_tags, wants_text, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (session_id, member_id) DO NOTHING \
                 RETURNING (SELECT s.campaign_id FROM training_sessions s WHERE s.id = session_id)",
            )
            .bind(f.session_id)
            .bind(f.member_id)
            .bind(f.rating)
            .bind(&f.helped)
            .bind(&f.wants_tags)
            .bind(&f.wants_text)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        });
        let Some(campaign_id) = inserted else { continue };
        awards.push(Award {
            member_id: f.member_id,
            kind: PointKind::Feedback,
            item_key: format!("session:{}", f.session_id),
            idempotency_key: format!("feedback:{}:{}", f.session_id, f.member_id),
            at: now,
            quantity: 1,
            reason: String::new(),
            recorded_by: None,
            campaign_id: Some(campaign_id),
        });
    }
    match awards.as_slice() {
        [] => {}
        [one] => {
            points::award(tx, one).await?;
        }
        many => {
            points::award_batch(tx, many).await?;
        }
    }
    Ok(awards.len())
}

/// Feedback as organisers see it, with where it came from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedbackRow {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Session title.
    pub session_title: String,
    /// The member's unit (branch or station) name.
    pub unit_name: String,
    /// The member's unit path (to roll up by station).
    pub unit_path: String,
    /// Rating.
    pub rating: i64,
    /// What helped.
    pub helped: String,
    /// Tag codes.
    pub wants_tags: String,
    /// Free text.
    pub wants_text: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Feedback of a campaign from members inside a scope, newest first.
pub async fn in_scope(db: &Db, campaign_id: i64, scope: &Scope) -> Result<Vec<FeedbackRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT f.id, f.session_id, s.title AS session_title, u.name AS unit_name, u.path AS unit_path, f.rating, f.helped, \
             f.wants_tags, f.wants_text, f.created_at FROM feedback f \
             JOIN training_sessions s ON s.id = f.session_id JOIN members m ON m.id = f.member_id \
             JOIN units u ON u.id = m.unit_id WHERE s.campaign_id = $1 AND u.path LIKE $2 ORDER BY f.id DESC",
        )
        .bind(campaign_id)
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// An adjustment with the feedback it answers.
#[derive(Debug, Clone)]
pub struct Adjustment {
    /// Id.
    pub id: i64,
    /// What was changed.
    pub description: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Linked feedback ids.
    pub feedback_ids: Vec<i64>,
}

/// Records an adjustment and its links in the caller's transaction.
pub async fn adjust(
    tx: &mut Tx,
    campaign_id: i64,
    description: &str,
    feedback_ids: &[i64],
    user_id: i64,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO adjustments (campaign_id, description, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(campaign_id)
        .bind(description)
        .bind(user_id)
        .bind(Utc::now())
        .fetch_one(&mut *conn)
        .await?;
        for feedback_id in feedback_ids {
            sqlx::query("INSERT INTO adjustment_feedback (adjustment_id, feedback_id) VALUES ($1, $2)")
                .bind(id)
                .bind(feedback_id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(id)
    })
}

/// (id, description, created_at) of an adjustment row.
type AdjustmentRow = (i64, String, DateTime<Utc>);

/// A campaign's adjustments, newest first, with their linked feedback ids.
pub async fn adjustments(db: &Db, campaign_id: i64) -> Result<Vec<Adjustment>, sqlx::Error> {
    let (rows, links): (Vec<AdjustmentRow>, Vec<(i64, i64)>) = on_db!(db, pool => {
        let rows = sqlx::query_as("SELECT id, description, created_at FROM adjustments WHERE campaign_id = $1 ORDER BY id DESC")
            .bind(campaign_id)
            .fetch_all(pool)
            .await?;
        let links = sqlx::query_as(
            "SELECT af.adjustment_id, af.feedback_id FROM adjustment_feedback af \
             JOIN adjustments a ON a.id = af.adjustment_id WHERE a.campaign_id = $1",
        )
        .bind(campaign_id)
        .fetch_all(pool)
        .await?;
        (rows, links)
    });
    Ok(rows
        .into_iter()
        .map(|(id, description, created_at)| Adjustment {
            id,
            description,
            created_at,
            feedback_ids: links.iter().filter(|(a, _)| *a == id).map(|(_, f)| *f).collect(),
        })
        .collect())
}
