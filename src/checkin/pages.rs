//! Check-in (S4): the projector's rotating QR and six-digit code, the member's confirmation page
//! (logged in, or by name and phone), the code page, staff roll call, the printable sign-in sheet
//! and entry from paper. Every path ends in `attendance::record`, which stores a member once per
//! session however often they scan, retry or are also ticked on paper.

mod identify;
mod paper;
mod projector;
mod roll_call;

pub use identify::identify;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::campaign::store as campaigns;
use crate::checkin::Guesser;
use crate::checkin::code::{accepts, qr_token, six_digit_code, window_at};
use crate::checkin::model::{Channel, CheckinWindow, checkin_window};
use crate::checkin::store::{self as attendance, Attendance, Recorded};
use crate::org::Scope;
use crate::people::store as member_store;
use crate::schedule::may_manage;
use crate::schedule::model::SessionStatus;
use crate::schedule::store::sessions::{self, TrainingSession};
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::{AppError, AppResult, Shell};

/// A QR token stays usable this many 30-second windows after it left the screen: long enough
/// for an elderly member to type name and phone, short enough that a forwarded photo dies.
const QR_GRACE_WINDOWS: i64 = 10;

/// Check-in routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/projector", get(projector::projector))
        .route("/sessions/{id}/projector/code", get(projector::projector_code))
        .route("/checkin/{id}", get(landing).post(confirm))
        .route("/checkin", get(code_page).post(confirm_code))
        .route("/sessions/{id}/roll-call", get(roll_call::page).post(roll_call::tick))
        .route("/sessions/{id}/roll-call/undo", post(roll_call::undo))
        .route("/sessions/{id}/paper", get(paper::page).post(paper::enter))
        .route("/sessions/{id}/sheet.pdf", get(paper::sheet))
}

/// The audience members of a session inside the user's subtree, by pinyin.
pub(super) async fn session_audience(
    state: &AppState,
    user: &CurrentUser,
    session: &TrainingSession,
) -> AppResult<Vec<crate::campaign::audience::AudienceMember>> {
    let campaign = campaigns::by_id(&state.db, session.campaign_id).await?.ok_or(AppError::NotFound)?;
    // The narrower of the two subtrees, read as such (not the admin's whole subtree then
    // filtered): an admin sees the session's audience inside their own subtree; a lecturer from
    // the hub runs sessions anywhere, so their view is the session's audience.
    let scope = if user.role.is_admin() && !user.covers(&session.audience_path) {
        // The session's audience is wider than the admin's subtree: only their part, if any.
        if !Scope::of_unit(&session.audience_path).covers(&user.unit_path) {
            return Ok(Vec::new());
        }
        user.scope()
    } else {
        Scope::of_unit(&session.audience_path)
    };
    let mut members = crate::campaign::audience::members(&state.db, &campaign, &scope).await?;
    members.sort_by(|a, b| a.name_pinyin.cmp(&b.name_pinyin));
    Ok(members)
}

/// A session the user runs, or 404.
pub(super) async fn managed(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<TrainingSession> {
    let session = sessions::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !may_manage(&state.db, user, &session).await? {
        return Err(AppError::NotFound);
    }
    Ok(session)
}

/// The member-facing outcome of a check-in attempt.
#[derive(Template)]
#[template(path = "checkin/checkin_result.html")]
struct ResultPage {
    shell: Shell,
    ok: bool,
    headline: String,
    detail: String,
    /// Where to give feedback after the lecture ('' for none); carries the feedback ticket for
    /// members checking in without an account.
    feedback_url: String,
}

fn result(
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    status: StatusCode,
    ok: bool,
    headline: &str,
    detail: String,
    feedback_url: String,
) -> AppResult<Response> {
    let shell = Shell::for_visitor(user, "签到", "home", headers);
    let page = ResultPage { shell, ok, headline: headline.into(), detail, feedback_url };
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
struct TokenQuery {
    t: Option<String>,
}

#[derive(Template)]
#[template(path = "checkin/checkin.html")]
struct LandingPage {
    shell: Shell,
    session: TrainingSession,
    token: String,
    member_name: Option<String>,
    when: String,
}

/// Why check-in is refused right now, if it is.
fn refusal(session: &TrainingSession, token: &str, grace: i64) -> Option<(StatusCode, &'static str, String)> {
    if session.status != SessionStatus::Scheduled {
        return Some((StatusCode::GONE, "本场已取消", String::new()));
    }
    let now = Utc::now();
    let window = window_at(now.timestamp());
    let valid = (0..=grace).any(|back| accepts(token, window - back, |w| qr_token(&session.secret, w)));
    if !valid {
        return Some((
            StatusCode::BAD_REQUEST,
            "二维码已过期",
            "请重新扫描大屏上的二维码，或输入大屏上的6位签到码。".into(),
        ));
    }
    match checkin_window(session.starts_at, session.ends_at, session.checkin_opens_minutes, now) {
        CheckinWindow::NotYetOpen(at) => Some((
            StatusCode::CONFLICT,
            "签到还没开始",
            format!("本场签到将于{}开始。", crate::time::local_datetime(at)),
        )),
        CheckinWindow::Closed => {
            Some((StatusCode::GONE, "本场已结束", "已不能签到。如确实参加了，请联系工作人员补录。".into()))
        }
        CheckinWindow::Open { .. } => None,
    }
}

/// Where the phone camera lands: a page confirming the session, one tap to check in.
async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.t.unwrap_or_default();
    let Some(session) = sessions::by_id(&state.db, id).await? else {
        return result(
            &headers,
            user.as_ref(),
            StatusCode::NOT_FOUND,
            false,
            "签到码无效",
            "请重新扫描大屏上的二维码。".into(),
            String::new(),
        );
    };
    if let Some((status, headline, detail)) = refusal(&session, &token, 1) {
        return result(&headers, user.as_ref(), status, false, headline, detail, String::new());
    }
    let member_name = match user.as_ref().and_then(|u| u.member_id) {
        Some(member_id) => {
            member_store::by_id_in_scope(&state.db, member_id, &Scope::whole_tree()).await?.map(|m| m.name)
        }
        None => None,
    };
    let shell = Shell::for_visitor(user.as_ref(), "签到", "home", &headers);
    let when = format!("{} {}", crate::time::local_datetime(session.starts_at), session.venue_name);
    let page = LandingPage { shell, token, member_name, when, session };
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
struct ConfirmForm {
    t: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

/// Finds the member (logged in, or by name and phone) and checks them in, or says why not.
async fn identify_and_check_in(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    session: &TrainingSession,
    (name, phone): (&str, &str),
    channel: Channel,
) -> AppResult<Response> {
    match identify(state, user, session, name, phone).await {
        Ok(member_id) => check_in(state, headers, user, session, member_id, channel).await,
        Err(AppError::BadRequest(message)) => {
            result(headers, user, StatusCode::BAD_REQUEST, false, "签到未完成", message, String::new())
        }
        Err(other) => Err(other),
    }
}

/// Spends a guess for a visitor identifying by name and phone (a logged-in member guesses
/// nothing), or answers the Chinese 429.
fn spend_if_anonymous(state: &AppState, user: Option<&CurrentUser>, guesser: &Guesser) -> AppResult<()> {
    match user.and_then(|u| u.member_id) {
        Some(_) => Ok(()),
        None => state.guesses.spend(guesser),
    }
}

/// The feedback page of a session for a member who checked in; the ticket lets a member without
/// an account in (a logged-in member is known anyway, and the ticket does no harm).
fn feedback_url(session: &TrainingSession, member_id: i64) -> String {
    format!("/feedback/{}?k={}", session.id, crate::feedback::ticket(&session.secret, member_id))
}

/// Records a check-in once the session, the code and the member are all confirmed.
async fn check_in(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    session: &TrainingSession,
    member_id: i64,
    channel: Channel,
) -> AppResult<Response> {
    let campaign = campaigns::by_id(&state.db, session.campaign_id).await?.ok_or(AppError::NotFound)?;
    if !crate::campaign::audience::session_admits(&state.db, &campaign, &session.audience_path, member_id)
        .await?
    {
        let detail = format!("本场面向{}党员。如有疑问请联系工作人员。", session.audience_name);
        return result(
            headers,
            user,
            StatusCode::FORBIDDEN,
            false,
            "您不在本场参学名单中",
            detail,
            String::new(),
        );
    }
    let late = matches!(
        checkin_window(session.starts_at, session.ends_at, session.checkin_opens_minutes, Utc::now()),
        CheckinWindow::Open { late: true }
    );
    let entry = Attendance {
        session_id: session.id,
        member_id,
        channel,
        minutes: session.minutes(),
        late,
        recorded_by: None,
    };
    let mut tx = state.db.begin().await?;
    let recorded = attendance::record(&mut tx, &entry).await?;
    tx.commit().await?;
    match recorded {
        Recorded::New { late } => {
            let detail = format!("{}{}", session.title, if late { "（迟到）" } else { "" });
            result(headers, user, StatusCode::OK, true, "签到成功", detail, feedback_url(session, member_id))
        }
        Recorded::Already { channel, at } => {
            let how = channel.label();
            let detail = format!("{} · {} {}", session.title, crate::time::local_datetime(at), how);
            let url = feedback_url(session, member_id);
            result(headers, user, StatusCode::OK, true, "您已签到，无需重复", detail, url)
        }
    }
}

async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    guesser: Guesser,
    Path(id): Path<i64>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let session = sessions::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if let Some((status, headline, detail)) = refusal(&session, &form.t, QR_GRACE_WINDOWS) {
        return result(&headers, user.as_ref(), status, false, headline, detail, String::new());
    }
    spend_if_anonymous(&state, user.as_ref(), &guesser)?;
    let who = (form.name.as_str(), form.phone.as_str());
    identify_and_check_in(&state, &headers, user.as_ref(), &session, who, Channel::Qr).await
}

#[derive(Template)]
#[template(path = "checkin/checkin_code.html")]
struct CodePage {
    shell: Shell,
    logged_in_member: bool,
}

/// For those who cannot scan: type the six digits shown on the screen.
async fn code_page(headers: HeaderMap, user: Option<CurrentUser>) -> AppResult<Html<String>> {
    let shell = Shell::for_visitor(user.as_ref(), "输入签到码", "home", &headers);
    let page = CodePage { shell, logged_in_member: user.as_ref().is_some_and(|u| u.member_id.is_some()) };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

labels! {
    TokenQuery { t: "签到二维码" }
    ConfirmForm { t: "签到二维码", name: "姓名", phone: "手机号码" }
    CodeForm { code: "签到码", name: "姓名", phone: "手机号码" }
}

async fn confirm_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    guesser: Guesser,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    // Every code typed is a guess, a logged-in member's too; the name and phone that come with
    // it are not counted again.
    state.guesses.spend(&guesser)?;
    let code: String =
        crate::people::model::normalize_text(&form.code).chars().filter(char::is_ascii_digit).collect();
    let now = Utc::now();
    let window = window_at(now.timestamp());
    let open = sessions::open_around(&state.db, now).await?;
    let matching = open.into_iter().find(|s| {
        matches!(
            checkin_window(s.starts_at, s.ends_at, s.checkin_opens_minutes, now),
            CheckinWindow::Open { .. }
        ) && accepts(&code, window, |w| six_digit_code(&s.secret, w))
    });
    let Some(session) = matching else {
        return result(
            &headers,
            user.as_ref(),
            StatusCode::BAD_REQUEST,
            false,
            "签到码不正确或已过期",
            "请核对大屏上最新的6位签到码（每30秒更新）。".into(),
            String::new(),
        );
    };
    let who = (form.name.as_str(), form.phone.as_str());
    identify_and_check_in(&state, &headers, user.as_ref(), &session, who, Channel::Code).await
}
