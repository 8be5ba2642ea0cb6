//! Sessions (场次): the week calendar (per station and for the whole sub-district), scheduling one
//! session, its page, cancelling.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use serde::Deserialize;

use super::{field, local_to_utc, optional_id, parse_count, parse_date, parse_time};
use crate::accounts::CurrentUser;
use crate::audit::{self, Action, Actor};
use crate::campaign::model::SessionKind;
use crate::campaign::store::attendance;
use crate::campaign::store::campaigns::{self, Campaign};
use crate::campaign::store::lecturers;
use crate::campaign::store::sessions::{self, NewSession, TrainingSession};
use crate::org::store as org_store;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, AppState, Shell};

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
            kind: SessionKind::from_code(&s.kind).map(SessionKind::label).unwrap_or(""),
            unit: s.unit_name.clone(),
            lecturer: s.lecturer_name.clone(),
            place: if s.venue_name.is_empty() { s.place.clone() } else { s.venue_name.clone() },
            attended: s.attendance_count,
            cancelled: s.status == "cancelled",
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
#[template(path = "campaign/calendar.html")]
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
    let hosted = if user.role.is_admin() { user.scope() } else { String::new() };
    let found = sessions::between(&state.db, from, to, &hosted, &user.unit_path).await?;
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

/// The current campaign, or a clear refusal.
pub(super) async fn current_campaign(state: &AppState) -> AppResult<Campaign> {
    campaigns::current(&state.db)
        .await?
        .ok_or_else(|| AppError::BadRequest("还没有当前冬训计划，请街道管理员先创建".into()))
}

/// Choices the scheduling forms offer, all inside the user's subtree.
pub(super) struct Choices {
    pub kinds: Vec<(&'static str, &'static str)>,
    pub topics: Vec<(i64, String)>,
    pub lecturers: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
    pub venues: Vec<(i64, String)>,
}

pub(super) async fn choices(state: &AppState, user: &CurrentUser, campaign: &Campaign) -> AppResult<Choices> {
    let topics = campaigns::topics(&state.db, campaign.id).await?;
    let pool = lecturers::active(&state.db).await?;
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    let venues = lecturers::venues_in_scope(&state.db, &user.scope()).await?;
    Ok(Choices {
        kinds: SessionKind::choices()
            .into_iter()
            .filter(|(code, _)| *code != SessionKind::Delivery.code())
            .collect(),
        topics: topics
            .into_iter()
            .map(|t| (t.id, if t.compulsory { format!("{}（必修）", t.name) } else { t.name }))
            .collect(),
        lecturers: pool.into_iter().map(|l| (l.id, l.name)).collect(),
        units: units.into_iter().map(|u| (u.id, u.indented_name())).collect(),
        venues: venues.into_iter().map(|v| (v.id, format!("{}（限{}人）", v.name, v.capacity))).collect(),
    })
}

#[derive(Template)]
#[template(path = "campaign/session_form.html")]
struct NewPage {
    shell: Shell,
    choices: Choices,
    errors: Vec<String>,
}

pub(super) async fn new_form(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    user.require_admin()?;
    let campaign = current_campaign(&state).await?;
    let page = NewPage {
        shell: Shell::new(&user, "安排场次", "sessions"),
        choices: choices(&state, &user, &campaign).await?,
        errors: Vec::new(),
    };
    Ok(Html(page.render()?))
}

/// Reads one session from the form; `suffix` picks a row of a batch form ("" for single).
pub(super) async fn read_session(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    pairs: &[(String, String)],
    suffix: &str,
) -> AppResult<(NewSession, Option<i64>)> {
    let get = |name: &str| field(pairs, &format!("{name}{suffix}")).to_owned();
    let kind = SessionKind::from_code(field(pairs, "kind"))
        .filter(|k| *k != SessionKind::Delivery)
        .unwrap_or(SessionKind::Lecture);
    let title = field(pairs, "title").trim().to_owned();
    if !(2..=60).contains(&title.chars().count()) {
        return Err(AppError::BadRequest("主题应为2到60个字".into()));
    }
    let date = parse_date(&get("date"), "日期")?;
    let starts_at = local_to_utc(date, parse_time(&get("start"), "开始时间")?)?;
    let ends_at = local_to_utc(date, parse_time(&get("end"), "结束时间")?)?;
    if ends_at <= starts_at {
        return Err(AppError::BadRequest("结束时间应晚于开始时间".into()));
    }
    if date < campaign.starts_on || date > campaign.ends_on {
        return Err(AppError::BadRequest(format!(
            "日期应在冬训期间（{} 至 {}）",
            campaign.starts_on, campaign.ends_on
        )));
    }
    let scope = user.scope();
    let unit_id = optional_id(pairs, &format!("unit_id{suffix}")).unwrap_or(user.unit_id);
    let host = org_store::unit_in_scope(&state.db, unit_id, &scope)
        .await?
        .ok_or_else(|| AppError::BadRequest("承办单位不在您的管辖范围内".into()))?;
    let audience_id = optional_id(pairs, "audience_unit_id").unwrap_or(host.id);
    let audience = org_store::unit_in_scope(&state.db, audience_id, &scope)
        .await?
        .ok_or_else(|| AppError::BadRequest("参学对象单位不在您的管辖范围内".into()))?;
    let topic_id = optional_id(pairs, "topic_id");
    if let Some(topic) = topic_id
        && !campaigns::topics(&state.db, campaign.id).await?.iter().any(|t| t.id == topic)
    {
        return Err(AppError::BadRequest("专题不属于当前冬训".into()));
    }
    let lecturer_id = optional_id(pairs, "lecturer_id");
    if let Some(id) = lecturer_id {
        lecturers::by_id(&state.db, id)
            .await?
            .filter(|l| l.active)
            .ok_or_else(|| AppError::BadRequest("宣讲员不存在".into()))?;
    }
    let venue_id = optional_id(pairs, &format!("venue_id{suffix}"));
    let mut capacity = None;
    if let Some(id) = venue_id {
        let venue = lecturers::venue(&state.db, id)
            .await?
            .ok_or_else(|| AppError::BadRequest("场地不存在".into()))?;
        org_store::unit_in_scope(&state.db, venue.unit_id, &scope)
            .await?
            .ok_or_else(|| AppError::BadRequest("场地不在您的管辖范围内".into()))?;
        capacity = Some(venue.capacity);
    }
    let session = NewSession {
        campaign_id: campaign.id,
        batch_id: None,
        kind: kind.code().into(),
        title,
        topic_id,
        lecturer_id,
        unit_id: host.id,
        audience_unit_id: audience.id,
        venue_id,
        place: field(pairs, &format!("place{suffix}")).trim().chars().take(60).collect(),
        starts_at,
        ends_at,
        expected_attendees: parse_count(&get("expected"), "预计人数", 10_000)?,
        checkin_opens_minutes: match field(pairs, "checkin_opens_minutes").trim() {
            "" => 30,
            text => parse_count(text, "提前签到分钟数", 24 * 60)?,
        },
        online_url: online_url(field(pairs, "online_url"))?,
        created_by: Some(user.user_id),
    };
    Ok((session, capacity))
}

/// The live broadcast's or recording's address: an https/http URL or a path on this server;
/// anything else (a `javascript:` link, a typo) is refused.
fn online_url(text: &str) -> Result<String, AppError> {
    let url = text.trim();
    let acceptable = url.is_empty()
        || ((url.starts_with("https://")
            || url.starts_with("http://")
            || (url.starts_with('/') && !url.starts_with("//")))
            && url.chars().count() <= 300
            && !url.chars().any(|c| c.is_whitespace() || c.is_control()));
    if acceptable {
        Ok(url.to_owned())
    } else {
        Err(AppError::BadRequest("线上链接：请填写以 https:// 开头的完整网址（不超过300字）".into()))
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    user.require_admin()?;
    let campaign = current_campaign(&state).await?;
    let (session, capacity) = read_session(&state, &user, &campaign, &pairs, "").await?;
    match sessions::insert_checked(&state.db, std::slice::from_ref(&session), &[capacity], None).await? {
        Ok(ids) => {
            audit::record(
                &state.db,
                &Actor::user(&user),
                Action::SessionEdit,
                &session.title,
                "安排场次",
                true,
            )
            .await?;
            Ok(redirect_with_flash(&format!("/sessions/{}", ids[0]), "场次已安排"))
        }
        Err(conflicts) => {
            let page = NewPage {
                shell: Shell::new(&user, "安排场次", "sessions"),
                choices: choices(&state, &user, &campaign).await?,
                errors: conflicts.iter().map(|(_, c)| c.message()).collect(),
            };
            Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "campaign/session.html")]
struct DetailPage {
    shell: Shell,
    session: TrainingSession,
    row: SessionRow,
    date: String,
    audience: String,
    attendances: Vec<(String, &'static str, bool, String)>,
    can_manage: bool,
    /// A live or recorded session: members study it through `/sessions/{id}/online`.
    online: bool,
    /// This server's address, for the link staff share.
    base_url: String,
}

/// Whether the user runs this session: an admin whose subtree hosts it, or its lecturer.
pub(crate) async fn may_manage(
    state: &AppState,
    user: &CurrentUser,
    session: &TrainingSession,
) -> AppResult<bool> {
    if user.role.is_admin() && user.covers(&session.unit_path) {
        return Ok(true);
    }
    let lecturer = lecturers::by_user(&state.db, user.user_id).await?;
    Ok(lecturer.is_some_and(|l| Some(l.id) == session.lecturer_id))
}

pub(super) async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let hosted = if user.role.is_admin() { user.scope() } else { String::new() };
    let session = match sessions::visible(&state.db, id, &hosted, &user.unit_path).await? {
        Some(s) => s,
        None => {
            // A lecturer sees the sessions they give, wherever they are.
            let s = sessions::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
            if !may_manage(&state, &user, &s).await? {
                return Err(AppError::NotFound);
            }
            s
        }
    };
    let can_manage = may_manage(&state, &user, &session).await?;
    let attendances = if can_manage {
        attendance::for_session(&state.db, id)
            .await?
            .into_iter()
            .map(|a| {
                let channel =
                    crate::campaign::model::Channel::from_code(&a.channel).map(|c| c.label()).unwrap_or("");
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
        online: matches!(session.kind.as_str(), "live" | "recording") && session.status == "scheduled",
        base_url: super::base_url(&headers),
        session,
    };
    Ok(Html(page.render()?))
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require_admin()?;
    let session = sessions::visible(&state.db, id, &user.scope(), "").await?.ok_or(AppError::NotFound)?;
    if session.attendance_count > 0 {
        return Err(AppError::Conflict("已有人签到的场次不能取消".into()));
    }
    sessions::cancel(&state.db, id).await?;
    audit::record(&state.db, &Actor::user(&user), Action::SessionEdit, &session.title, "取消场次", true)
        .await?;
    Ok(redirect_with_flash(&format!("/sessions/{id}"), "场次已取消"))
}
