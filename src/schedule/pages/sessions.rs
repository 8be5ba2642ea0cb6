//! Sessions (场次): the week calendar (per station and for the whole sub-district), scheduling one
//! session, its page, cancelling.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use serde::Deserialize;

use super::session_form::{Choices, SessionForm, choices, conflict_field, read_session};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::campaign::store::Campaign;
use crate::checkin::store as attendance;
use crate::schedule::may_manage;
use crate::schedule::model::{SessionKind, SessionStatus};
use crate::schedule::store::sessions::{self, TrainingSession};
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::form::{FieldErrors, local_to_utc};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// A session as a calendar entry.
pub(super) struct SessionRow {
    id: i64,
    time: String,
    title: String,
    kind: &'static str,
    unit: String,
    lecturer: String,
    place: String,
    attended: i64,
    cancelled: bool,
}

impl SessionRow {
    fn from_session(s: &TrainingSession) -> Self {
        let start = s.starts_at.with_timezone(&chrono_tz::Asia::Shanghai);
        let end = s.ends_at.with_timezone(&chrono_tz::Asia::Shanghai);
        Self {
            id: s.id,
            time: format!("{}–{}", start.format("%H:%M"), end.format("%H:%M")),
            title: s.title.clone(),
            kind: s.kind.label(),
            unit: s.unit_name.clone(),
            lecturer: s.lecturer_name.clone(),
            place: if s.venue_name.is_empty() { s.place.clone() } else { s.venue_name.clone() },
            attended: s.attendance_count,
            cancelled: s.status == SessionStatus::Cancelled,
        }
    }
}

/// One day of the week view.
struct Day {
    label: String,
    is_today: bool,
    sessions: Vec<SessionRow>,
}

#[derive(Template)]
#[template(path = "schedule/calendar.html")]
struct CalendarPage {
    shell: Shell,
    days: Vec<Day>,
    week_label: String,
    prev: String,
    next: String,
    can_schedule: bool,
    total: usize,
}

#[derive(Deserialize)]
pub(super) struct WeekQuery {
    week: Option<String>,
}

labels! {
    WeekQuery { week: "周" }
}

/// The Monday of the week containing `day`.
fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// The week calendar: a station admin sees their own sessions and those meant for them; the
/// committee sees the whole sub-district.
pub(super) async fn calendar(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<WeekQuery>,
) -> AppResult<Html<String>> {
    let today = crate::time::today();
    let monday = monday_of(
        q.week.as_deref().and_then(|w| NaiveDate::parse_from_str(w, "%Y-%m-%d").ok()).unwrap_or(today),
    );
    let from = local_to_utc(monday, NaiveTime::MIN)?;
    let to = from + Duration::days(7);
    let hosted = user.role.is_admin().then(|| user.scope());
    let found = sessions::between(&state.db, from, to, hosted.as_ref(), &user.unit_path).await?;
    let days = (0..7)
        .map(|i| {
            let date = monday + Duration::days(i);
            let sessions = found
                .iter()
                .filter(|s| s.starts_at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive() == date)
                .map(SessionRow::from_session)
                .collect();
            Day {
                label: format!("{} {}", WEEKDAYS[i as usize], date.format("%m-%d")),
                is_today: date == today,
                sessions,
            }
        })
        .collect();
    let page = CalendarPage {
        shell: Shell::new(&user, "场次安排", "sessions"),
        days,
        week_label: format!(
            "{} 至 {}",
            monday.format("%Y-%m-%d"),
            (monday + Duration::days(6)).format("%m-%d")
        ),
        prev: (monday - Duration::days(7)).to_string(),
        next: (monday + Duration::days(7)).to_string(),
        can_schedule: user.role.is_admin(),
        total: found.len(),
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "schedule/session_form.html")]
struct NewPage {
    shell: Shell,
    choices: Choices,
    /// What was typed (the blank form at first), kept through every refusal.
    form: SessionForm,
    errors: FieldErrors,
}

/// The scheduling form, showing `form` with `errors` beside their fields.
async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    form: SessionForm,
    errors: FieldErrors,
) -> AppResult<String> {
    let page = NewPage {
        shell: Shell::new(user, "安排场次", "sessions"),
        choices: choices(state, user, campaign).await?,
        form,
        errors,
    };
    Ok(page.render()?)
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
) -> AppResult<Html<String>> {
    Ok(Html(form_page(&state, &user, &campaign, SessionForm::blank(), FieldErrors::default()).await?))
}

/// Schedules one session. Any problem — a field, or a clash with the calendar — gives the form
/// back with everything typed and the reason beside its field.
pub(super) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    CurrentCampaign(campaign): CurrentCampaign,
    Form(form): Form<SessionForm>,
) -> AppResult<Response> {
    let (session, capacity) = match read_session(&state, &user, &campaign, &form).await? {
        Ok(read) => read,
        Err(errors) => {
            let html = form_page(&state, &user, &campaign, form, errors).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    match sessions::insert_checked(&mut tx, std::slice::from_ref(&session), &[capacity], None).await? {
        Ok(ids) => {
            audit::record_in(
                &mut tx,
                &Actor::user(&user),
                Action::SessionEdit,
                &session.title,
                "安排场次",
                true,
            )
            .await?;
            tx.commit().await?;
            Ok(redirect_with_flash(&format!("/sessions/{}", ids[0]), "场次已安排"))
        }
        Err(conflicts) => {
            drop(tx);
            let mut errors = FieldErrors::default();
            for (_, conflict) in &conflicts {
                errors.add(conflict_field(conflict), conflict.message());
            }
            let html = form_page(&state, &user, &campaign, form, errors).await?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "schedule/session.html")]
struct DetailPage {
    shell: Shell,
    session: TrainingSession,
    row: SessionRow,
    date: String,
    audience: String,
    attendances: Vec<(String, String, bool, String)>,
    can_manage: bool,
    /// A live or recorded session: members study it through `/sessions/{id}/online`.
    online: bool,
    /// This server's address, for the link staff share.
    base_url: String,
}

pub(super) async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let hosted = user.role.is_admin().then(|| user.scope());
    let session = match sessions::visible(&state.db, id, hosted.as_ref(), &user.unit_path).await? {
        Some(s) => s,
        None => {
            // A lecturer sees the sessions they give, wherever they are.
            let s = sessions::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
            if !may_manage(&state.db, &user, &s).await? {
                return Err(AppError::NotFound);
            }
            s
        }
    };
    let can_manage = may_manage(&state.db, &user, &session).await?;
    let attendances = if can_manage {
        attendance::for_session(&state.db, id)
            .await?
            .into_iter()
            .map(|a| {
                let channel = a.channel.describe(a.self_declared);
                let time =
                    a.checked_in_at.with_timezone(&chrono_tz::Asia::Shanghai).format("%H:%M").to_string();
                (a.name, channel, a.late, time)
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = DetailPage {
        shell: Shell::new(&user, session.title.clone(), "sessions"),
        row: SessionRow::from_session(&session),
        date: session.starts_at.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y年%m月%d日").to_string(),
        audience: session.audience_name.clone(),
        attendances,
        can_manage,
        online: matches!(session.kind, SessionKind::Live | SessionKind::Recording)
            && session.status == SessionStatus::Scheduled,
        base_url: crate::web::form::base_url(&headers),
        session,
    };
    Ok(Html(page.render()?))
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let session =
        sessions::visible(&state.db, id, Some(&user.scope()), "").await?.ok_or(AppError::NotFound)?;
    if session.attendance_count > 0 {
        return Err(AppError::Conflict("已有人签到的场次不能取消".into()));
    }
    let mut tx = state.db.begin().await?;
    sessions::cancel(&mut tx, id).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::SessionEdit, &session.title, "取消场次", true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/sessions/{id}"), "场次已取消"))
}
