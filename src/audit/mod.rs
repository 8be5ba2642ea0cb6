//! The audit log: who did what, when, from where, with what result. Append-only (the database
//! refuses updates and deletions by trigger); the committee can browse it.

mod pages;

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, Utc};

use crate::auth::CurrentUser;
use crate::db::Db;
use crate::on_db;
use crate::startup::AppState;

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

/// Kinds of audited action, stored as their code and shown in Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A login attempt.
    Login,
    /// A logout.
    Logout,
    /// A password change or reset.
    Password,
    /// An account created.
    AccountCreate,
    /// A role or unit change.
    RoleChange,
    /// An account enabled or disabled.
    AccountActive,
    /// A roster import.
    Import,
    /// An export of personal data.
    Export,
    /// A phone or ID-card number shown unmasked.
    Unmask,
    /// A member's personal data created or edited.
    MemberEdit,
    /// The organisation tree changed.
    UnitEdit,
    /// A backup taken.
    Backup,
    /// A campaign, its topics or its audience changed.
    CampaignEdit,
    /// Sessions scheduled, booked or cancelled.
    SessionEdit,
    /// Attendance entered by staff (roll call, paper).
    AttendanceEntry,
}

impl Action {
    /// Every action, for the filter list.
    pub const ALL: [Action; 15] = [
        Action::Login,
        Action::Logout,
        Action::Password,
        Action::AccountCreate,
        Action::RoleChange,
        Action::AccountActive,
        Action::Import,
        Action::Export,
        Action::Unmask,
        Action::MemberEdit,
        Action::UnitEdit,
        Action::Backup,
        Action::CampaignEdit,
        Action::SessionEdit,
        Action::AttendanceEntry,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::Logout => "logout",
            Action::Password => "password",
            Action::AccountCreate => "account_create",
            Action::RoleChange => "role_change",
            Action::AccountActive => "account_active",
            Action::Import => "import",
            Action::Export => "export",
            Action::Unmask => "unmask",
            Action::MemberEdit => "member_edit",
            Action::UnitEdit => "unit_edit",
            Action::Backup => "backup",
            Action::CampaignEdit => "campaign_edit",
            Action::SessionEdit => "session_edit",
            Action::AttendanceEntry => "attendance_entry",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Action::Login => "登录",
            Action::Logout => "退出",
            Action::Password => "密码",
            Action::AccountCreate => "创建账号",
            Action::RoleChange => "角色变更",
            Action::AccountActive => "启用/停用账号",
            Action::Import => "导入",
            Action::Export => "导出",
            Action::Unmask => "查看完整号码",
            Action::MemberEdit => "编辑党员信息",
            Action::UnitEdit => "组织架构",
            Action::Backup => "备份",
            Action::CampaignEdit => "冬训计划",
            Action::SessionEdit => "场次安排",
            Action::AttendanceEntry => "代为签到",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// Appends one entry. Callers record failures too (`succeeded = false`).
pub async fn record(
    db: &Db,
    actor: &Actor,
    action: Action,
    target: &str,
    detail: &str,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO audit_log (at, user_id, actor, ip, action, target, detail, succeeded) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Utc::now())
        .bind(actor.user_id)
        .bind(&actor.label)
        .bind(&actor.ip)
        .bind(action.code())
        .bind(target)
        .bind(detail)
        .bind(succeeded)
        .execute(pool)
        .await?;
    });
    Ok(())
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
    /// Action code.
    pub action: String,
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
