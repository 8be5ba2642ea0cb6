//! Door-to-door tasks: who visits which member, by when, carrying what.

use chrono::{DateTime, NaiveDate, Utc};

use super::names_from_json;
use crate::auth::Role;
use crate::db::{Db, Tx};
use crate::delivery::TaskStatus;
use crate::org::Scope;
use crate::{on_db, on_tx};

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

/// Creates tasks in the caller's transaction. The unique index `deliveries_one_open` decides, under any
/// concurrency, that a member has at most one open task per campaign: a repeat does nothing.
#[allow(clippy::too_many_arguments)]
pub async fn create_tasks(
    tx: &mut Tx,
    campaign_id: i64,
    tasks: &[NewTask],
    assignee_user_id: i64,
    due_on: NaiveDate,
    materials_json: &str,
    created_by: i64,
) -> Result<Created, sqlx::Error> {
    let now = Utc::now();
    on_tx!(tx, conn => {
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
            .fetch_optional(&mut *conn)
            .await?;
            match row {
                Some((id,)) => outcome.created.push(id),
                None => outcome.already_open.push(task.member_id),
            }
        }
        Ok(outcome)
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
    /// Member's phone (shown masked until revealed).
    pub member_phone: Option<String>,
    /// Member's category bits.
    pub member_categories: i64,
    /// Member's 住址, if recorded: personal data, shown to staff in scope and, while the task is
    /// open, to its assignee.
    pub member_address: Option<String>,
    /// Member's unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path (scope checks).
    pub unit_path: String,
    /// The village or community (station) the unit belongs to, when it is a branch of one: with
    /// the 住址 (or instead of it, when none is recorded) it tells a visitor where to go.
    pub station_name: Option<String>,
    /// Who visits.
    pub assignee_user_id: i64,
    /// Their name.
    pub assignee_name: String,
    /// Their role (lecturer / volunteer, or an admin's).
    pub assignee_role: Role,
    /// Due date.
    pub due_on: NaiveDate,
    /// Open or done.
    pub status: TaskStatus,
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
        self.status == TaskStatus::Open && self.due_on < today
    }

    /// The material names.
    pub fn material_names(&self) -> Vec<String> {
        names_from_json(&self.materials)
    }
}

const TASK_SELECT: &str = "SELECT d.id, d.campaign_id, d.member_id, m.name AS member_name, \
     m.phone AS member_phone, m.categories AS member_categories, m.address AS member_address, \
     m.unit_id, u.name AS unit_name, \
     u.path AS unit_path, su.name AS station_name, d.assignee_user_id, au.name AS assignee_name, \
     au.role AS assignee_role, d.due_on, d.status, d.reason, d.materials, d.created_at, v.visited_on \
     FROM deliveries d JOIN members m ON m.id = d.member_id JOIN units u ON u.id = m.unit_id \
     LEFT JOIN units su ON su.id = u.parent_id AND su.kind = 'station' \
     JOIN users au ON au.id = d.assignee_user_id LEFT JOIN delivery_visits v ON v.delivery_id = d.id";

/// Overdue open tasks first, then open by due date, then done ones, newest visit first.
const TASK_ORDER: &str = " ORDER BY CASE WHEN d.status = 'open' AND d.due_on < $6 THEN 0 \
     WHEN d.status = 'open' THEN 1 ELSE 2 END, \
     CASE WHEN d.status = 'open' THEN d.due_on END, v.visited_on DESC, d.id";

/// Which tasks a list shows.
#[derive(Debug, Clone)]
pub struct TaskFilter {
    /// Only members inside this subtree.
    pub scope: Scope,
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

/// Open tasks past due inside a scope (the home page and overview badge).
pub async fn overdue_count(db: &Db, scope: &Scope, today: NaiveDate) -> Result<i64, sqlx::Error> {
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
