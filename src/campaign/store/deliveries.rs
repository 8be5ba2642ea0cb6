//! Door-to-door study (送学上门): the materials catalogue, tasks, and recorded visits.
//!
//! A task's materials and a visit's books are stored as JSON arrays of material names, so a task
//! keeps saying what it said even if the catalogue is edited later.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::Db;
use crate::on_db;

/// One row of `delivery_materials`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Material {
    /// Id.
    pub id: i64,
    /// e.g. 《习近平谈治国理政》第三卷.
    pub name: String,
    /// Kind code (see `MaterialKind`).
    pub kind: String,
    /// Still offered for new tasks.
    pub active: bool,
}

/// The catalogue, active first, then by name.
pub async fn materials(db: &Db) -> Result<Vec<Material>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, name, kind, active FROM delivery_materials ORDER BY active DESC, kind, name",
        )
        .fetch_all(pool)
        .await
    })
}

/// Adds a material; `Ok(None)` when one with this name exists already.
pub async fn insert_material(db: &Db, name: &str, kind: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = on_db!(db, pool => {
        sqlx::query_as(
            "INSERT INTO delivery_materials (name, kind, active) VALUES ($1, $2, TRUE) \
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(kind)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(|(id,)| id))
}

/// Offers a material for new tasks again, or stops offering it. Returns whether it exists.
pub async fn set_material_active(db: &Db, id: i64, active: bool) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query("UPDATE delivery_materials SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done > 0)
}

/// A door-to-door task to create.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// Member to visit.
    pub member_id: i64,
    /// Why (the coverage reason's label).
    pub reason: String,
}

/// What creating tasks did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Created {
    /// Tasks created now.
    pub created: Vec<i64>,
    /// Members who already had an open task in this campaign (nothing created for them).
    pub already_open: Vec<i64>,
}

/// Creates tasks in ONE transaction. The unique index `deliveries_one_open` decides, under any
/// concurrency, that a member has at most one open task per campaign: a repeat does nothing.
#[allow(clippy::too_many_arguments)]
pub async fn create_tasks(
    db: &Db,
    campaign_id: i64,
    tasks: &[NewTask],
    assignee_user_id: i64,
    due_on: NaiveDate,
    materials_json: &str,
    created_by: i64,
) -> Result<Created, sqlx::Error> {
    let now = Utc::now();
    crate::in_transaction!(db, tx => {
        let mut outcome = Created::default();
        for task in tasks {
            let row: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO deliveries (campaign_id, member_id, assignee_user_id, due_on, status, reason, \
                 materials, created_by, created_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8) \
                 ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(campaign_id)
            .bind(task.member_id)
            .bind(assignee_user_id)
            .bind(due_on)
            .bind(&task.reason)
            .bind(materials_json)
            .bind(created_by)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                Some((id,)) => outcome.created.push(id),
                None => outcome.already_open.push(task.member_id),
            }
        }
        Ok::<Created, sqlx::Error>(outcome)
    })
}

/// A task with the names its pages show.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Task {
    /// Id.
    pub id: i64,
    /// Campaign.
    pub campaign_id: i64,
    /// Member visited.
    pub member_id: i64,
    /// Member's name.
    pub member_name: String,
    /// Member's phone (shown masked).
    pub member_phone: Option<String>,
    /// Member's category bits.
    pub member_categories: i64,
    /// Member's unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path (scope checks).
    pub unit_path: String,
    /// Who visits.
    pub assignee_user_id: i64,
    /// Their name.
    pub assignee_name: String,
    /// Due date.
    pub due_on: NaiveDate,
    /// open / done.
    pub status: String,
    /// Why the member needs it.
    pub reason: String,
    /// JSON array of material names.
    pub materials: String,
    /// Created (UTC).
    pub created_at: DateTime<Utc>,
    /// The visit's date, once recorded.
    pub visited_on: Option<NaiveDate>,
}

impl Task {
    /// Still to do and past its due date (Shanghai `today`).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == "open" && self.due_on < today
    }

    /// The material names.
    pub fn material_names(&self) -> Vec<String> {
        names_from_json(&self.materials)
    }
}

/// Names from a JSON array ('' and garbage read as none).
pub fn names_from_json(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Names as a JSON array.
pub fn names_to_json(names: &[String]) -> String {
    serde_json::to_string(names).unwrap_or_else(|_| "[]".to_owned())
}

const TASK_SELECT: &str = "SELECT d.id, d.campaign_id, d.member_id, m.name AS member_name, \
     m.phone AS member_phone, m.categories AS member_categories, m.unit_id, u.name AS unit_name, \
     u.path AS unit_path, d.assignee_user_id, au.name AS assignee_name, d.due_on, d.status, d.reason, \
     d.materials, d.created_at, v.visited_on \
     FROM deliveries d JOIN members m ON m.id = d.member_id JOIN units u ON u.id = m.unit_id \
     JOIN users au ON au.id = d.assignee_user_id LEFT JOIN delivery_visits v ON v.delivery_id = d.id";

/// Overdue open tasks first, then open by due date, then done ones, newest visit first.
const TASK_ORDER: &str = " ORDER BY CASE WHEN d.status = 'open' AND d.due_on < $6 THEN 0 \
     WHEN d.status = 'open' THEN 1 ELSE 2 END, \
     CASE WHEN d.status = 'open' THEN d.due_on END, v.visited_on DESC, d.id";

/// Which tasks a list shows.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only these members' units: a unit-path pattern ('%' = everywhere).
    pub scope: String,
    /// Only tasks assigned to this account.
    pub assignee_user_id: Option<i64>,
    /// Only tasks visiting this member.
    pub member_id: Option<i64>,
    /// Only this campaign's.
    pub campaign_id: Option<i64>,
    /// 'open', 'done' or '' for both.
    pub status: String,
}

/// Tasks matching a filter, overdue first; at most `limit`.
pub async fn tasks(db: &Db, f: &TaskFilter, today: NaiveDate, limit: i64) -> Result<Vec<Task>, sqlx::Error> {
    let sql = format!(
        "{TASK_SELECT} WHERE u.path LIKE $1 AND ($2 = 0 OR d.assignee_user_id = $2) \
         AND ($3 = 0 OR d.member_id = $3) AND ($4 = 0 OR d.campaign_id = $4) \
         AND ($5 = '' OR d.status = $5 OR ($5 = 'overdue' AND d.status = 'open' AND d.due_on < $6)) \
         {TASK_ORDER} LIMIT $7"
    );
    on_db!(db, pool => {
        sqlx::query_as(&sql)
            .bind(&f.scope)
            .bind(f.assignee_user_id.unwrap_or(0))
            .bind(f.member_id.unwrap_or(0))
            .bind(f.campaign_id.unwrap_or(0))
            .bind(&f.status)
            .bind(today)
            .bind(limit)
            .fetch_all(pool)
            .await
    })
}

/// One task, unscoped (pages check who may see it).
pub async fn task(db: &Db, id: i64) -> Result<Option<Task>, sqlx::Error> {
    let sql = format!("{TASK_SELECT} WHERE d.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Members with an open task in a campaign.
pub async fn open_member_ids(db: &Db, campaign_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT member_id FROM deliveries WHERE campaign_id = $1 AND status = 'open'")
            .bind(campaign_id)
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A recorded visit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Visit {
    /// Id.
    pub id: i64,
    /// The training session it created.
    pub session_id: i64,
    /// Date of the visit.
    pub visited_on: NaiveDate,
    /// How long they studied.
    pub minutes: i64,
    /// What was taught.
    pub content: String,
    /// JSON array of the books handed over.
    pub books: String,
    /// What the member said.
    pub member_words: String,
    /// 本人 / 家属 / 村社工作人员 code.
    pub confirmed_by_kind: String,
    /// The confirmer's name.
    pub confirmed_by_name: String,
    /// Whether a photo was kept.
    pub has_photo: bool,
    /// Who recorded it.
    pub recorded_by_name: String,
    /// When (UTC).
    pub created_at: DateTime<Utc>,
}

/// The visit of a task, if recorded.
pub async fn visit(db: &Db, delivery_id: i64) -> Result<Option<Visit>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT v.id, v.session_id, v.visited_on, v.minutes, v.content, v.books, v.member_words, \
             v.confirmed_by_kind, v.confirmed_by_name, (v.photo IS NOT NULL) AS has_photo, \
             COALESCE(r.name, '') AS recorded_by_name, v.created_at \
             FROM delivery_visits v LEFT JOIN users r ON r.id = v.recorded_by WHERE v.delivery_id = $1",
        )
        .bind(delivery_id)
        .fetch_optional(pool)
        .await
    })
}

/// The photo of a task's visit.
pub async fn visit_photo(db: &Db, delivery_id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let row: Option<(Option<Vec<u8>>,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT photo FROM delivery_visits WHERE delivery_id = $1")
            .bind(delivery_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.and_then(|(photo,)| photo))
}

/// A visit to record, with the session it becomes.
#[derive(Debug, Clone)]
pub struct NewVisit {
    /// The task.
    pub delivery_id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// The member visited.
    pub member_id: i64,
    /// The member's unit: host and audience of the session.
    pub unit_id: i64,
    /// "送学上门：<name>".
    pub title: String,
    /// Topic taught, if one of the campaign's.
    pub topic_id: Option<i64>,
    /// The assignee's lecturer record, if any.
    pub lecturer_id: Option<i64>,
    /// Session start (visit date 10:00 Shanghai) and end (+ minutes).
    pub starts_at: DateTime<Utc>,
    /// Session end.
    pub ends_at: DateTime<Utc>,
    /// Visit date.
    pub visited_on: NaiveDate,
    /// Minutes studied.
    pub minutes: i64,
    /// What was taught.
    pub content: String,
    /// JSON array of books handed over.
    pub books: String,
    /// What the member said.
    pub member_words: String,
    /// Confirmer kind code.
    pub confirmed_by_kind: String,
    /// Confirmer name.
    pub confirmed_by_name: String,
    /// Photo bytes (already checked).
    pub photo: Option<Vec<u8>>,
    /// Recording account.
    pub recorded_by: i64,
}

/// Why a visit was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    /// The task is done already (a retry, a second device): nothing changed.
    #[error("该任务已登记走访")]
    AlreadyRecorded,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Records a visit in ONE transaction: the `delivery` training session, the member's attendance
/// (channel `delivery`), the visit row, and the task set done. A retry finds the task done (or
/// trips `delivery_visits.delivery_id UNIQUE`) and changes nothing.
pub async fn record_visit(db: &Db, v: &NewVisit) -> Result<i64, VisitError> {
    let now = Utc::now();
    let result = crate::in_transaction!(db, tx => {
        async {
            // Taking the task first serialises concurrent submissions on it.
            let taken = sqlx::query("UPDATE deliveries SET status = 'done' WHERE id = $1 AND status = 'open'")
                .bind(v.delivery_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if taken == 0 {
                return Err(VisitError::AlreadyRecorded);
            }
            let (session_id,): (i64,) = sqlx::query_as(
                "INSERT INTO training_sessions (campaign_id, batch_id, kind, title, topic_id, lecturer_id, unit_id, \
                 audience_unit_id, venue_id, place, starts_at, ends_at, expected_attendees, checkin_opens_minutes, \
                 online_url, status, secret, created_by, created_at) \
                 VALUES ($1, NULL, 'delivery', $2, $3, $4, $5, $5, NULL, '党员家中', $6, $7, 1, 0, '', 'scheduled', $8, $9, $10) \
                 RETURNING id",
            )
            .bind(v.campaign_id)
            .bind(&v.title)
            .bind(v.topic_id)
            .bind(v.lecturer_id)
            .bind(v.unit_id)
            .bind(v.starts_at)
            .bind(v.ends_at)
            .bind(crate::accounts::session::random_token())
            .bind(v.recorded_by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO attendances (session_id, member_id, channel, minutes, late, checked_in_at, recorded_by) \
                 VALUES ($1, $2, 'delivery', $3, FALSE, $4, $5)",
            )
            .bind(session_id)
            .bind(v.member_id)
            .bind(v.minutes)
            .bind(now)
            .bind(v.recorded_by)
            .execute(&mut *tx)
            .await?;
            let (visit_id,): (i64,) = sqlx::query_as(
                "INSERT INTO delivery_visits (delivery_id, session_id, visited_on, minutes, content, books, \
                 member_words, confirmed_by_kind, confirmed_by_name, photo, recorded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(v.delivery_id)
            .bind(session_id)
            .bind(v.visited_on)
            .bind(v.minutes)
            .bind(&v.content)
            .bind(&v.books)
            .bind(&v.member_words)
            .bind(&v.confirmed_by_kind)
            .bind(&v.confirmed_by_name)
            .bind(v.photo.as_deref())
            .bind(v.recorded_by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            Ok::<i64, VisitError>(visit_id)
        }
        .await
    });
    match result {
        Err(VisitError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
            Err(VisitError::AlreadyRecorded)
        }
        other => other,
    }
}

/// Open tasks past due inside a scope (the home page and overview badge).
pub async fn overdue_count(db: &Db, scope: &str, today: NaiveDate) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT COUNT(*) FROM deliveries d JOIN members m ON m.id = d.member_id \
             JOIN units u ON u.id = m.unit_id WHERE u.path LIKE $1 AND d.status = 'open' AND d.due_on < $2",
        )
        .bind(scope)
        .bind(today)
        .fetch_one(pool)
        .await?
    });
    Ok(n)
}
