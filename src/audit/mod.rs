//! The audit log: who did what, when, from where, with what result. Append-only (the database
//! refuses updates and deletions by trigger); the committee can browse it.
//!
//! When an entry is written decides whether the log can be trusted:
//! - A **change** (campaigns, sessions, bookings, lecturers, accounts, passwords, members, units,
//!   roster imports, attendance entered by staff, feedback adjustments) is recorded with
//!   [`record_in`] inside the change's own [`Tx`], and the answer is sent only after that commit.
//!   The change and its entry are stored together or not at all: no committed change without
//!   its entry, no entry claiming a change that rolled back.
//! - A **non-change** (a login attempt, a logout, an export or download, a number shown
//!   unmasked, a backup) has no transaction to join and is recorded on its own with [`record`],
//!   but BEFORE the data leaves: before the file is returned or written, before the full number
//!   is shown. If the entry cannot be written, nothing is handed out.
//! - A refused change (a roster file with bad rows) stored nothing; its entry, with
//!   `succeeded = false`, is recorded on its own too.

mod pages;

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, Utc};

use crate::auth::CurrentUser;
use crate::coded_enum;
use crate::db::{Db, Tx};
use crate::state::AppState;
use crate::{on_db, on_tx};

/// Who acted: a logged-in user, someone trying to log in, or the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account, when known.
    pub user_id: Option<i64>,
    /// A readable label: "张三（13800001111）" or "命令行".
    pub label: String,
    /// The client address, or "命令行".
    pub ip: String,
}

impl Actor {
    /// The actor behind a web request.
    pub fn user(user: &CurrentUser) -> Self {
        Self {
            user_id: Some(user.user_id),
            label: format!("{}（{}）", user.name, user.phone),
            ip: user.ip.clone(),
        }
    }

    /// The operator at the server's console.
    pub fn command_line() -> Self {
        let who = std::env::var("USER").unwrap_or_else(|_| "?".into());
        Self { user_id: None, label: format!("命令行（{who}）"), ip: "本机".into() }
    }
}

coded_enum! {
    /// Kinds of audited action, stored as their code and shown in Chinese.
    Action {
        /// A login attempt.
        Login = ("login", "登录"),
        /// A logout.
        Logout = ("logout", "退出"),
        /// A password change or reset.
        Password = ("password", "密码"),
        /// An account created.
        AccountCreate = ("account_create", "创建账号"),
        /// A role or unit change.
        RoleChange = ("role_change", "角色变更"),
        /// An account enabled or disabled.
        AccountActive = ("account_active", "启用/停用账号"),
        /// A roster import.
        Import = ("import", "导入"),
        /// An export of personal data.
        Export = ("export", "导出"),
        /// A phone or ID-card number shown unmasked.
        Unmask = ("unmask", "查看完整号码"),
        /// A member's personal data created or edited.
        MemberEdit = ("member_edit", "编辑党员信息"),
        /// The organisation tree changed.
        UnitEdit = ("unit_edit", "组织架构"),
        /// A backup taken.
        Backup = ("backup", "备份"),
        /// A campaign, its topics or its audience changed.
        CampaignEdit = ("campaign_edit", "冬训计划"),
        /// Sessions scheduled, booked or cancelled.
        SessionEdit = ("session_edit", "场次安排"),
        /// Attendance entered by staff (roll call, paper).
        AttendanceEntry = ("attendance_entry", "代为签到"),
        /// Door-to-door tasks assigned, or a visit recorded.
        Delivery = ("delivery", "送学上门"),
        /// Points rules set, or a ledger entry corrected.
        Points = ("points", "积分"),
        /// Monthly awards: criteria set, a month opened, awardees added or removed, published.
        Award = ("award", "月度评优"),
        /// The study library: an item added, a curated list pushed to a unit.
        Library = ("library", "学习资料"),
        /// The cloud classroom: a series made, an episode uploaded.
        Classroom = ("classroom", "云课堂"),
        /// The publicity column: an article written, edited, submitted, published or returned,
        /// a picture uploaded, an outlet logged, posts imported.
        Column = ("column", "冬训专栏"),
        /// A knowledge contest set up, started, a question skipped, finished.
        Contest = ("contest", "知识竞赛"),
        /// A topic exam set for members (答题练习).
        Exam = ("exam", "专题考试"),
        /// A question of the bank edited on the web.
        QuestionEdit = ("question_edit", "编辑题目"),
        /// A speech contest set up, a round opened or closed, an entry, a judge's score, a vote,
        /// the contest finished.
        Speech = ("speech", "演讲比赛"),
        /// A debate tournament drawn, a match arranged or closed, a judge's ballot cast or revised.
        Debate = ("debate", "辩论赛"),
        /// A 冬训+ activity recorded or edited, a follow-up or photo added, volunteer hours
        /// reported by staff, approved, corrected or rejected.
        Activity = ("activity", "冬训+活动"),
    }
}

/// Appends the entry of a change inside the change's own transaction, so both commit together
/// (see the module documentation). Nothing is stored until the caller commits `tx`.
pub async fn record_in(
    tx: &mut Tx,
    actor: &Actor,
    action: Action,
    target: &str,
    detail: &str,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO audit_log (at, user_id, actor, ip, action, target, detail, succeeded) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Utc::now())
        .bind(actor.user_id)
        .bind(&actor.label)
        .bind(&actor.ip)
        .bind(action)
        .bind(target)
        .bind(detail)
        .bind(succeeded)
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Appends the entry of something that changed nothing (a login attempt, an export, a number
/// shown unmasked), committed on its own before the caller hands anything out. Callers record
/// failures too (`succeeded = false`). A change is recorded with [`record_in`] instead.
pub async fn record(
    db: &Db,
    actor: &Actor,
    action: Action,
    target: &str,
    detail: &str,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    record_in(&mut tx, actor, action, target, detail, succeeded).await?;
    tx.commit().await
}

/// One row of the log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who, as recorded then.
    pub actor: String,
    /// From where.
    pub ip: String,
    /// What was done.
    pub action: Action,
    /// On what.
    pub target: String,
    /// Details.
    pub detail: String,
    /// Whether it succeeded.
    pub succeeded: bool,
}

/// The newest entries, optionally of one action, before an id (for paging).
pub async fn recent(
    db: &Db,
    action: Option<Action>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let sql = "SELECT id, at, actor, ip, action, target, detail, succeeded FROM audit_log \
               WHERE ($1 = '' OR action = $1) AND id < $2 ORDER BY id DESC LIMIT $3";
    let rows = on_db!(db, pool => {
        sqlx::query_as(sql)
            .bind(action.map(Action::code).unwrap_or(""))
            .bind(before_id.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(pool)
            .await?
    });
    Ok(rows)
}

/// The committee's view of the log.
pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(pages::list))
}
