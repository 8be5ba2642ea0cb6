//! Report downloads, each inside the user's subtree and audited.

use axum::extract::State;
use axum::response::Response;

use super::sheets;
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::checkin::model::Channel;
use crate::db::Db;
use crate::delivery::Confirmer;
use crate::on_db;
use crate::org::Scope;
use crate::schedule::may_manage;
use crate::schedule::store::sessions;
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::{AppError, AppResult};

/// An .xlsx download named in Chinese.
fn xlsx(file_name: &str, bytes: Vec<u8>) -> Response {
    crate::web::download::xlsx("report.xlsx", file_name, bytes)
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("{e}"))
}

/// (member, unit, channel, checked in at, late, self-declared) of an attendance.
type AttendanceLine = (String, String, Channel, chrono::DateTime<chrono::Utc>, bool, bool);

/// Attendance of one session the user runs.
pub(super) async fn attendance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let session = sessions::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !may_manage(&state.db, &user, &session).await? {
        return Err(AppError::NotFound);
    }
    let rows: Vec<AttendanceLine> = on_db!(&state.db, pool => {
        sqlx::query_as(
            "SELECT m.name, u.name, a.channel, a.checked_in_at, a.late, a.self_declared FROM attendances a \
             JOIN members m ON m.id = a.member_id JOIN units u ON u.id = m.unit_id \
             WHERE a.session_id = $1 ORDER BY a.checked_in_at, a.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?
    });
    let rows: Vec<_> = rows
        .into_iter()
        .map(|(name, unit, channel, at, late, self_declared)| {
            (name, unit, channel.describe(self_declared), crate::time::local_datetime(at), late)
        })
        .collect();
    let title = format!("{} 签到名单（{}）", session.title, crate::time::local_datetime(session.starts_at));
    let bytes = sheets::attendance_xlsx(&title, &rows).map_err(internal)?;
    audit::record(
        &state.db,
        &Actor::user(&user),
        Action::Export,
        "签到名单",
        &format!("{}：{}人", session.title, rows.len()),
        true,
    )
    .await?;
    Ok(xlsx(&format!("{}签到名单.xlsx", session.title), bytes))
}

/// Lecturers' workload in the current campaign, inside the user's subtree.
pub(super) async fn lecturers(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
) -> AppResult<Response> {
    let rows: Vec<_> = crate::dashboard::store::lecturer_workload(&state.db, campaign.id, &user.scope())
        .await?
        .into_iter()
        .map(|w| (w.name, w.kind.label().to_owned(), w.held, w.upcoming, w.attendances))
        .collect();
    let title = format!("{} 宣讲员工作量（{}）", campaign.name, user.unit_name);
    let bytes = sheets::lecturers_xlsx(&title, &rows).map_err(internal)?;
    audit::record(
        &state.db,
        &Actor::user(&user),
        Action::Export,
        "宣讲员工作量",
        &format!("{}人", rows.len()),
        true,
    )
    .await?;
    Ok(xlsx("宣讲员工作量.xlsx", bytes))
}

/// Door-to-door visits recorded in the current campaign for members inside a scope.
async fn visit_rows(db: &Db, campaign_id: i64, scope: &Scope) -> Result<Vec<[String; 9]>, sqlx::Error> {
    type Row = (String, String, String, chrono::NaiveDate, i64, String, String, Confirmer, String, String);
    let rows: Vec<Row> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT m.name, u.name, us.name, v.visited_on, v.minutes, v.content, v.books, v.confirmed_by_kind, \
             v.confirmed_by_name, v.member_words FROM delivery_visits v JOIN deliveries d ON d.id = v.delivery_id \
             JOIN members m ON m.id = d.member_id JOIN units u ON u.id = m.unit_id JOIN users us ON us.id = d.assignee_user_id \
             WHERE d.campaign_id = $1 AND u.path LIKE $2 ORDER BY v.visited_on, v.id",
        )
        .bind(campaign_id)
        .bind(scope)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(member, unit, visitor, on, minutes, content, books, kind, confirmer, words)| {
            [
                member,
                unit,
                visitor,
                on.to_string(),
                minutes.to_string(),
                content,
                books,
                format!("{confirmer}（{}）", kind.label()),
                words,
            ]
        })
        .collect())
}

pub(super) async fn visits(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
) -> AppResult<Response> {
    let rows = visit_rows(&state.db, campaign.id, &user.scope()).await?;
    let title = format!("{} 送学上门记录（{}）", campaign.name, user.unit_name);
    let bytes = sheets::visits_xlsx(&title, &rows).map_err(internal)?;
    audit::record(
        &state.db,
        &Actor::user(&user),
        Action::Export,
        "送学上门记录",
        &format!("{}次", rows.len()),
        true,
    )
    .await?;
    Ok(xlsx("送学上门记录.xlsx", bytes))
}
