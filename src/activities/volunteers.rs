//! Volunteers' hours on an activity: reported by the volunteer (or added by staff for someone
//! without an account), then approved, corrected or rejected by staff in scope.
//!
//! Points: approved hours of a Party member (`member_id` set) earn 志愿服务 through
//! `points::award` in the review's transaction, item `activity_volunteer:{id}`, key
//! `volunteer:{id}` — a retried approval adds nothing. Reviewing again after approval (a
//! correction or a rejection) takes the points back with a compensating entry
//! (`points::take_back`) and, when approved again, earns the new hours under
//! `volunteer:{id}:{n}` for its n-th award, as an undone roll-call tick does.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use super::model::{HoursStatus, Review};
use crate::audit::Actor;
use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::points::{self, Award, Awarded, PointKind};
use crate::{on_db, on_tx};

/// One volunteer's hours on one activity.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Hours {
    /// Id.
    pub id: i64,
    /// The activity.
    pub activity_id: i64,
    /// Volunteer's name.
    pub name: String,
    /// Their unit's name.
    pub unit_name: String,
    /// The account, when they have one.
    pub user_id: Option<i64>,
    /// The Party member, when they are one.
    pub member_id: Option<i64>,
    /// Minutes reported.
    pub minutes_reported: i64,
    /// Minutes approved (or corrected to).
    pub minutes_approved: Option<i64>,
    /// Status.
    pub status: HoursStatus,
    /// The reviewer's note.
    pub review_note: String,
}

impl Hours {
    /// Reported hours as people read them.
    pub fn reported_text(&self) -> String {
        super::model::hours_text(self.minutes_reported)
    }

    /// Approved hours as people read them, or empty.
    pub fn approved_text(&self) -> String {
        self.minutes_approved.map(super::model::hours_text).unwrap_or_default()
    }
}

const HOURS: &str = "SELECT v.id, v.activity_id, v.name, u.name AS unit_name, v.user_id, v.member_id, \
     v.minutes_reported, v.minutes_approved, v.status, v.review_note FROM activity_volunteers v \
     JOIN units u ON u.id = v.unit_id";

/// The volunteers of an activity, in the order they reported.
pub async fn of_activity(db: &Db, activity_id: i64) -> Result<Vec<Hours>, sqlx::Error> {
    let sql = format!("{HOURS} WHERE v.activity_id = $1 ORDER BY v.id");
    on_db!(db, pool => { sqlx::query_as(&sql).bind(activity_id).fetch_all(pool).await })
}

/// An account's own reports, newest activity first: (hours, activity title, day held).
pub async fn of_user(db: &Db, user_id: i64) -> Result<Vec<(Hours, String, NaiveDate)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        hours: Hours,
        title: String,
        held_on: NaiveDate,
    }
    let sql = format!(
        "{HOURS} JOIN activities a ON a.id = v.activity_id WHERE v.user_id = $1 ORDER BY a.held_on DESC, v.id DESC"
    );
    let sql = sql.replacen("v.review_note FROM", "v.review_note, a.title, a.held_on FROM", 1);
    let rows: Vec<Row> = on_db!(db, pool => { sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await? });
    Ok(rows.into_iter().map(|r| (r.hours, r.title, r.held_on)).collect())
}

/// Someone reporting hours.
#[derive(Debug, Clone)]
pub struct Volunteer {
    /// `user:{id}` or `phone:{phone}`: one person is on an activity once.
    pub identity: String,
    /// Their account.
    pub user_id: Option<i64>,
    /// Their member record, when a Party member.
    pub member_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Their unit.
    pub unit_id: i64,
}

/// Who a volunteer added by name and phone is: their account's (user id, member id) when the
/// phone logs in, else the Party member in `scope` with that phone and name (so they earn points).
pub async fn identify(
    db: &Db,
    phone: &str,
    name: &str,
    scope: &Scope,
) -> Result<(Option<i64>, Option<i64>), sqlx::Error> {
    let account: Option<(i64, Option<i64>)> = on_db!(db, pool => {
        sqlx::query_as("SELECT id, member_id FROM users WHERE phone = $1").bind(phone).fetch_optional(pool).await?
    });
    if let Some((user_id, member_id)) = account {
        return Ok((Some(user_id), member_id));
    }
    let member: Option<i64> = on_db!(db, pool => {
        sqlx::query_scalar(
            "SELECT m.id FROM members m JOIN units u ON u.id = m.unit_id \
             WHERE m.phone = $1 AND m.name = $2 AND u.path LIKE $3 ORDER BY m.id LIMIT 1",
        )
        .bind(phone)
        .bind(name)
        .bind(scope)
        .fetch_optional(pool)
        .await?
    });
    Ok((None, member))
}

/// What became of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// Stored (new, or a change to hours not yet reviewed).
    Stored(i64),
    /// Already reviewed: the report was not changed.
    AlreadyReviewed,
}

/// Reports `minutes` for `v` on an activity: new, or changing a report not yet reviewed. A
/// reviewed one stays as it is.
pub async fn report(
    tx: &mut Tx,
    activity_id: i64,
    v: &Volunteer,
    minutes: i64,
    by: i64,
) -> Result<Reported, sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO activity_volunteers (activity_id, identity, user_id, member_id, name, unit_id, \
             minutes_reported, status, reported_by, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'reported', $8, $9) \
             ON CONFLICT (activity_id, identity) DO UPDATE SET minutes_reported = excluded.minutes_reported, \
             reported_at = excluded.reported_at WHERE activity_volunteers.status = 'reported' RETURNING id",
        )
        .bind(activity_id)
        .bind(&v.identity)
        .bind(v.user_id)
        .bind(v.member_id)
        .bind(&v.name)
        .bind(v.unit_id)
        .bind(minutes)
        .bind(by)
        .bind(Utc::now())
        .fetch_optional(&mut *conn)
        .await?
    });
    Ok(id.map_or(Reported::AlreadyReviewed, Reported::Stored))
}

/// One volunteer's hours, if their activity's unit is in `scope`, with the activity's day.
pub async fn get(db: &Db, id: i64, scope: &Scope) -> Result<Option<(Hours, NaiveDate, i64)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        hours: Hours,
        held_on: NaiveDate,
        campaign_id: i64,
    }
    let sql = format!(
        "{HOURS} JOIN activities a ON a.id = v.activity_id JOIN units au ON au.id = a.unit_id \
         WHERE v.id = $1 AND au.path LIKE $2"
    )
    .replacen("v.review_note FROM", "v.review_note, a.held_on, a.campaign_id FROM", 1);
    let row: Option<Row> =
        on_db!(db, pool => { sqlx::query_as(&sql).bind(id).bind(scope).fetch_optional(pool).await? });
    Ok(row.map(|r| (r.hours, r.held_on, r.campaign_id)))
}

/// What a review changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviewed {
    /// The hours now stand as decided.
    Changed,
    /// They already stood so (a retry): nothing changed.
    Unchanged,
}

/// Applies a review in the caller's transaction, with the member's points: earned on approval,
/// taken back and earned again on a later correction, taken back on a rejection.
pub async fn review(
    tx: &mut Tx,
    (hours, held_on, campaign_id): (&Hours, NaiveDate, i64),
    decision: Review,
    note: &str,
    by: &Actor,
) -> Result<Reviewed, sqlx::Error> {
    let (status, approved) = decision.outcome(hours.minutes_reported);
    let changed = on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE activity_volunteers SET status = $2, minutes_approved = $3, review_note = $4, reviewed_by = $5, \
             reviewed_at = $6 WHERE id = $1 AND status = $7 AND COALESCE(minutes_approved, -1) = $8 \
             AND NOT (status = $2 AND COALESCE(minutes_approved, -1) = COALESCE($3, -1))",
        )
        .bind(hours.id)
        .bind(status)
        .bind(approved)
        .bind(note.trim())
        .bind(by.user_id)
        .bind(Utc::now())
        .bind(hours.status)
        .bind(hours.minutes_approved.unwrap_or(-1))
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    if changed == 0 {
        return Ok(Reviewed::Unchanged);
    }
    let Some(member_id) = hours.member_id else { return Ok(Reviewed::Changed) };
    let item_key = format!("activity_volunteer:{}", hours.id);
    if hours.status == HoursStatus::Approved {
        points::take_back(tx, member_id, PointKind::Volunteer, &item_key, "志愿时长更正", by).await?;
    }
    if let Some(minutes) = approved.filter(|m| *m > 0) {
        let mut award = Award {
            member_id,
            kind: PointKind::Volunteer,
            item_key: item_key.clone(),
            idempotency_key: format!("volunteer:{}", hours.id),
            at: noon(held_on),
            quantity: minutes,
            reason: String::new(),
            recorded_by: by.user_id,
            campaign_id: Some(campaign_id),
        };
        if let Awarded::AlreadyRecorded(_) = points::award(tx, &award).await? {
            let n = points::earn::awards_for_item(tx, member_id, PointKind::Volunteer, &item_key).await?;
            award.idempotency_key = format!("volunteer:{}:{}", hours.id, n + 1);
            points::award(tx, &award).await?;
        }
    }
    Ok(Reviewed::Changed)
}

/// Noon of a day in Shanghai: hours are earned on the day they were served (so the daily cap
/// is that day's).
fn noon(day: NaiveDate) -> DateTime<Utc> {
    let noon = day.and_hms_opt(12, 0, 0).expect("valid time");
    Shanghai.from_local_datetime(&noon).single().expect("no DST in Shanghai").with_timezone(&Utc)
}

/// Reports still waiting for review on activities in `scope`, oldest first: (hours, activity title).
pub async fn waiting(db: &Db, scope: &Scope) -> Result<Vec<(Hours, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        hours: Hours,
        title: String,
    }
    let sql = format!(
        "{HOURS} JOIN activities a ON a.id = v.activity_id JOIN units au ON au.id = a.unit_id \
         WHERE v.status = 'reported' AND au.path LIKE $1 ORDER BY v.id LIMIT 200"
    )
    .replacen("v.review_note FROM", "v.review_note, a.title FROM", 1);
    let rows: Vec<Row> = on_db!(db, pool => { sqlx::query_as(&sql).bind(scope).fetch_all(pool).await? });
    Ok(rows.into_iter().map(|r| (r.hours, r.title)).collect())
}
