//! Check-in (S4): the projector's rotating QR and six-digit code, the member's confirmation page
//! (logged in, or by name and phone), the code page, staff roll call, the printable sign-in sheet
//! and entry from paper. Every path ends in `attendance::record`, which stores a member once per
//! session however often they scan, retry or are also ticked on paper.

mod code_entry;
mod identify;
mod landing;
mod paper;
mod projector;
mod roll_call;

pub use identify::identify;

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;

use crate::auth::CurrentUser;
use crate::campaign::store as campaigns;
use crate::checkin::Guesser;
use crate::checkin::code::{accepts, qr_token, window_at};
use crate::checkin::model::{Channel, CheckinWindow, checkin_window};
use crate::checkin::store::{Attendance, Recorded};
use crate::org::Scope;
use crate::schedule::may_manage;
use crate::schedule::model::SessionStatus;
use crate::schedule::store::sessions::{self, TrainingSession};
use crate::state::AppState;
use crate::web::{AppError, AppResult, Shell};

/// A QR token stays usable this many 30-second windows after it left the screen: long enough
/// for an elderly member to type name and phone, short enough that a forwarded photo dies.
pub(super) const QR_GRACE_WINDOWS: i64 = 10;

/// Check-in routes.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/projector", get(projector::projector))
        .route("/sessions/{id}/projector/code", get(projector::projector_code))
        .route("/checkin/{id}", get(landing::landing).post(landing::confirm))
        .route("/checkin", get(code_entry::code_page).post(code_entry::confirm_code))
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
    /// Where 重试 goes, when trying again can help.
    retry: Option<String>,
}

/// Why a check-in did not happen, and where trying again goes (if it can help).
pub(super) struct Refusal {
    status: StatusCode,
    headline: &'static str,
    detail: String,
    /// 重试: the page to try again from (the same code later, the code page after the QR
    /// expired); none when waiting or retrying cannot help (cancelled, over, not in the audience).
    retry: Option<String>,
}

impl Refusal {
    pub(super) fn new(status: StatusCode, headline: &'static str, detail: impl Into<String>) -> Self {
        Self { status, headline, detail: detail.into(), retry: None }
    }

    pub(super) fn retry_at(mut self, page: impl Into<String>) -> Self {
        self.retry = Some(page.into());
        self
    }
}

/// The page saying why a check-in did not happen, with 重试 where it can help.
pub(super) fn refused(
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    refusal: Refusal,
) -> AppResult<Response> {
    let shell = Shell::for_visitor(user, "签到", "home", headers);
    let page = ResultPage {
        shell,
        ok: false,
        headline: refusal.headline.into(),
        detail: refusal.detail,
        feedback_url: String::new(),
        retry: refusal.retry,
    };
    Ok((refusal.status, [(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

/// The page saying a member is checked in (now or earlier), with the way to feedback.
fn checked_in(
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    headline: &str,
    detail: String,
    feedback_url: String,
) -> AppResult<Response> {
    let shell = Shell::for_visitor(user, "签到", "home", headers);
    let page = ResultPage { shell, ok: true, headline: headline.into(), detail, feedback_url, retry: None };
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

/// Why check-in is refused right now, if it is; `page` is where 重试 goes for a session whose
/// check-in has not opened yet.
pub(super) fn refusal(session: &TrainingSession, token: &str, grace: i64, page: &str) -> Option<Refusal> {
    if session.status != SessionStatus::Scheduled {
        return Some(Refusal::new(StatusCode::GONE, "本场已取消", ""));
    }
    let now = Utc::now();
    let window = window_at(now.timestamp());
    let valid = (0..=grace).any(|back| accepts(token, window - back, |w| qr_token(&session.secret, w)));
    if !valid {
        let detail = "请重新扫描大屏上的二维码，或点“重试”输入大屏上的6位签到码。";
        return Some(Refusal::new(StatusCode::BAD_REQUEST, "二维码已过期", detail).retry_at("/checkin"));
    }
    match checkin_window(session.starts_at, session.ends_at, session.checkin_opens_minutes, now) {
        CheckinWindow::NotYetOpen(at) => {
            let detail = format!("本场签到将于{}开始，到时点“重试”。", crate::time::local_datetime(at));
            Some(Refusal::new(StatusCode::CONFLICT, "签到还没开始", detail).retry_at(page))
        }
        CheckinWindow::Closed => Some(Refusal::new(
            StatusCode::GONE,
            "本场已结束",
            "已不能签到。如确实参加了，请联系工作人员补录。",
        )),
        CheckinWindow::Open { .. } => None,
    }
}

/// A member outside the session's audience, told so (a logged-in member as soon as the page
/// opens, before tapping 确认签到).
pub(super) async fn outside_audience(
    state: &AppState,
    session: &TrainingSession,
    member_id: i64,
) -> AppResult<Option<Refusal>> {
    let campaign = campaigns::by_id(&state.db, session.campaign_id).await?.ok_or(AppError::NotFound)?;
    let admitted =
        crate::campaign::audience::session_admits(&state.db, &campaign, &session.audience_path, member_id)
            .await?;
    let detail = format!("本场面向{}党员。如有疑问请联系工作人员。", session.audience_name);
    Ok((!admitted).then(|| Refusal::new(StatusCode::FORBIDDEN, "您不在本场参学名单中", detail)))
}

/// Finds the member (logged in, or by name and phone) and checks them in; someone not recognised
/// is `Ok(Err(message))`, for the form to show beside what they typed.
pub(super) async fn identify_and_check_in(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    session: &TrainingSession,
    (name, phone): (&str, &str),
    channel: Channel,
) -> AppResult<Result<Response, String>> {
    match identify(state, user, session, name, phone).await {
        Ok(member_id) => Ok(Ok(check_in(state, headers, user, session, member_id, channel).await?)),
        Err(AppError::BadRequest(message)) => Ok(Err(message)),
        Err(other) => Err(other),
    }
}

/// Spends a guess for a visitor identifying by name and phone (a logged-in member guesses
/// nothing), or answers the Chinese 429.
pub(super) fn spend_if_anonymous(
    state: &AppState,
    user: Option<&CurrentUser>,
    guesser: &Guesser,
) -> AppResult<()> {
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
    if let Some(refusal) = outside_audience(state, session, member_id).await? {
        return refused(headers, user, refusal);
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
    let recorded = state.checkins.record(entry).await?;
    let feedback = feedback_url(session, member_id);
    match recorded {
        Recorded::New { late } => {
            let detail = format!("{}{}", session.title, if late { "（迟到）" } else { "" });
            checked_in(headers, user, "签到成功", detail, feedback)
        }
        Recorded::Already { channel, at } => {
            let how = channel.label();
            let detail = format!("{} · {} {}", session.title, crate::time::local_datetime(at), how);
            checked_in(headers, user, "您已签到，无需重复", detail, feedback)
        }
    }
}
