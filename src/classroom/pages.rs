//! Online study (S13's hook into coverage): a member joins a live broadcast through the app —
//! which records the attendance, then sends them to the broadcast — or watches a recording on a
//! page that reports how much was actually played; once 90 % is watched the recording counts.
//!
//! Members need no account: as at check-in, name and phone identify them once, and from then on
//! a ticket in the URL (an HMAC under the session's secret) names them.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::campaign::store as campaigns;
use crate::checkin::model::{Channel, CheckinWindow, checkin_window};
use crate::checkin::store::{self as attendance, Attendance};
use crate::checkin::{Guesser, identify};
use crate::classroom::model::{self as watching, Watched};
use crate::classroom::store as online;
use crate::feedback::{member_of_ticket, ticket};
use crate::schedule::model::{SessionKind, SessionStatus, is_online_url};
use crate::schedule::store::sessions::{self, TrainingSession};
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::{AppError, AppResult, Shell};

/// A live or recorded session that is not cancelled, or 404.
pub(super) async fn online_session(state: &AppState, id: i64) -> AppResult<(TrainingSession, SessionKind)> {
    let session = sessions::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match session.kind {
        kind @ (SessionKind::Live | SessionKind::Recording) if session.status == SessionStatus::Scheduled => {
            Ok((session, kind))
        }
        _ => Err(AppError::NotFound),
    }
}

/// The member studying: the logged-in member, or the one a genuine ticket names.
pub(super) fn member_of(user: Option<&CurrentUser>, session: &TrainingSession, k: &str) -> Option<i64> {
    user.and_then(|u| u.member_id).or_else(|| member_of_ticket(&session.secret, k))
}

/// [`member_of`], or the refusal for an action that needs to know the member.
fn require_member(user: Option<&CurrentUser>, session: &TrainingSession, k: &str) -> AppResult<i64> {
    member_of(user, session, k).ok_or_else(|| AppError::BadRequest("请先填写姓名和手机号".into()))
}

/// Refuses members outside the session's audience.
async fn require_audience(state: &AppState, session: &TrainingSession, member_id: i64) -> AppResult<()> {
    let campaign = campaigns::by_id(&state.db, session.campaign_id).await?.ok_or(AppError::NotFound)?;
    if crate::campaign::audience::session_admits(&state.db, &campaign, &session.audience_path, member_id)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::BadRequest(format!("您不在本场参学名单中（本场面向{}党员）", session.audience_name)))
    }
}

#[derive(Deserialize, Default)]
pub(super) struct TicketQuery {
    #[serde(default)]
    pub(super) k: String,
}

#[derive(Template)]
#[template(path = "classroom/online.html")]
struct OnlinePage {
    shell: Shell,
    session: TrainingSession,
    live: bool,
    when: String,
    /// The member's ticket ('' before they are identified: the page asks for name and phone).
    ticket: String,
    identified: bool,
    /// The name and phone typed, shown again beside the problem with them.
    who: WhoForm,
    error: String,
    /// Live: the broadcast can be joined now. Recording: it can be watched now.
    open: bool,
    state_text: String,
    /// How this member's attendance was recorded ('' when not yet).
    counted: String,
    watched_percent: i64,
    /// Live, and its address is an HLS playlist: it plays in the page once joined.
    hls: bool,
    /// The start, in milliseconds since the epoch: the countdown's target.
    starts_at_ms: i64,
    /// Live and not yet started: the page counts down.
    before_start: bool,
    /// What the player plays: the recording's address, or a live lesson's attached recording.
    video_src: String,
    /// Live, over, and its recording attached: the page plays that and counts it at 90 %.
    replaying: bool,
    /// The viewer runs this live session: they may attach its recording, picked from these.
    episodes: Option<Vec<(i64, String)>>,
}

/// `GET /sessions/{id}/online`: the live or recorded session for a member.
pub(super) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<TicketQuery>,
) -> AppResult<Response> {
    let (session, kind) = online_session(&state, id).await?;
    let member_id = member_of(user.as_ref(), &session, &q.k);
    render(&state, &headers, user.as_ref(), session, kind, member_id, Default::default()).await
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    session: TrainingSession,
    kind: SessionKind,
    member_id: Option<i64>,
    (who, error): (WhoForm, String),
) -> AppResult<Response> {
    let shell = Shell::for_visitor(user, session.title.clone(), "sessions", headers);
    let now = Utc::now();
    let live = kind == SessionKind::Live;
    let stream = if live { watching::hls_origin(&session.online_url) } else { None };
    let replay = if live { online::replay(&state.db, session.id).await? } else { None };
    let replaying = replay.is_some() && session.ends_at <= now;
    let (open, state_text) = if live {
        match checkin_window(session.starts_at, session.ends_at, session.checkin_opens_minutes, now) {
            CheckinWindow::NotYetOpen(at) => {
                (false, format!("直播将于{}开放进入", crate::time::local_datetime(at)))
            }
            CheckinWindow::Open { late } => {
                (true, if late { "直播进行中".into() } else { "直播即将开始".into() })
            }
            CheckinWindow::Closed if replay.is_some() => (
                true,
                format!("直播已结束，可观看录播，看满{}%计入冬训学习", watching::WATCHED_PERMILLE / 10),
            ),
            CheckinWindow::Closed => (false, "直播已结束，可等待录播".into()),
        }
    } else if session.online_url.is_empty() {
        (false, "录播地址尚未设置，请联系工作人员".into())
    } else if !is_online_url(&session.online_url) {
        (false, "录播地址无效，请联系工作人员更正".into())
    } else if now < session.starts_at {
        (false, format!("录播将于{}上线", crate::time::local_datetime(session.starts_at)))
    } else {
        (true, format!("看满{}%计入冬训学习", watching::WATCHED_PERMILLE / 10))
    };
    let (mut counted, mut watched_percent) = (String::new(), 0);
    if let Some(member_id) = member_id {
        require_audience(state, &session, member_id).await?;
        let channel = attendance::channel_of(&state.db, session.id, member_id).await?;
        counted = channel.map(|c| c.label().to_owned()).unwrap_or_default();
        if (!live && open) || replaying {
            let view = online::open(&state.db, session.id, member_id).await?;
            watched_percent = Watched::from_stored(&view.watched, view.duration_seconds).percent();
        }
    }
    let ticket_text = member_id.map(|m| ticket(&session.secret, m)).unwrap_or_default();
    let may_attach = match user {
        Some(u) if live && u.role != crate::auth::Role::Member => {
            crate::schedule::may_manage(&state.db, u, &session).await?
        }
        _ => false,
    };
    let page = OnlinePage {
        video_src: if replaying {
            format!("/sessions/{}/online/replay?k={ticket_text}", session.id)
        } else {
            session.online_url.clone()
        },
        replaying,
        episodes: if may_attach { Some(online::episode_choices(&state.db).await?) } else { None },
        shell,
        when: crate::time::local_datetime(session.starts_at),
        ticket: ticket_text,
        identified: member_id.is_some(),
        who,
        error,
        live,
        open,
        state_text,
        counted,
        watched_percent,
        hls: stream.is_some(),
        starts_at_ms: session.starts_at.timestamp_millis(),
        before_start: live && now < session.starts_at,
        session,
    };
    let status = if page.error.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let mut response = (status, Html(page.render()?)).into_response();
    if let Some(policy) = stream.as_deref().and_then(crate::web::csp_for_stream) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
pub(super) struct WhoForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

/// `POST /sessions/{id}/online`: name and phone, once; then the page carries the ticket.
pub(super) async fn identify_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    guesser: Guesser,
    Path(id): Path<i64>,
    Form(form): Form<WhoForm>,
) -> AppResult<Response> {
    let (session, kind) = online_session(&state, id).await?;
    if user.as_ref().and_then(|u| u.member_id).is_none() {
        state.guesses.spend(&guesser)?;
    }
    match identify(&state, user.as_ref(), &session, &form.name, &form.phone).await {
        Ok(member_id) => {
            let to = format!("/sessions/{}/online?k={}", session.id, ticket(&session.secret, member_id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::BadRequest(message)) => {
            render(&state, &headers, user.as_ref(), session, kind, None, (form, message)).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /sessions/{id}/online/live`: records the member at the live broadcast, then sends them
/// to it. Joining twice records once.
pub(super) async fn join_live(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
    Form(q): Form<TicketQuery>,
) -> AppResult<Response> {
    let (session, kind) = online_session(&state, id).await?;
    if kind != SessionKind::Live {
        return Err(AppError::NotFound);
    }
    let member_id = require_member(user.as_ref(), &session, &q.k)?;
    require_audience(&state, &session, member_id).await?;
    let late =
        match checkin_window(session.starts_at, session.ends_at, session.checkin_opens_minutes, Utc::now()) {
            CheckinWindow::Open { late } => late,
            CheckinWindow::NotYetOpen(at) => {
                return Err(AppError::Conflict(format!(
                    "直播将于{}开放进入",
                    crate::time::local_datetime(at)
                )));
            }
            CheckinWindow::Closed => return Err(AppError::Conflict("直播已结束".into())),
        };
    if session.online_url.is_empty() {
        return Err(AppError::Conflict("直播地址尚未设置，请联系工作人员".into()));
    }
    // Checked again here, not only when the session was saved: a link stored before the form
    // refused paths and backslashes (or written around it) must not send members to another host.
    if !is_online_url(&session.online_url) {
        return Err(AppError::Conflict("直播地址无效，请联系工作人员更正".into()));
    }
    let entry = Attendance {
        session_id: session.id,
        member_id,
        channel: Channel::Live,
        minutes: session.minutes(),
        late,
        recorded_by: None,
    };
    // Recorded (and committed) before the member is sent away.
    let mut tx = state.db.begin().await?;
    record_online(&mut tx, user.as_ref(), &entry).await?;
    tx.commit().await?;
    if watching::hls_origin(&session.online_url).is_some() {
        // An HLS lesson plays in the page: back to it, now counted, with the player.
        let ticket = ticket(&session.secret, member_id);
        return Ok(Redirect::to(&format!("/sessions/{}/online?k={ticket}", session.id)).into_response());
    }
    super::live_pages::going_live(&headers, user.as_ref(), &session)
}

/// Records online study once; study by a member not logged in (known only by the name and phone
/// behind their ticket) is marked self-declared when first recorded.
async fn record_online(
    tx: &mut crate::db::Tx,
    user: Option<&CurrentUser>,
    entry: &Attendance,
) -> AppResult<()> {
    // Self-declared study earns points flagged as such, in the same transaction.
    match user.and_then(|u| u.member_id) {
        Some(_) => attendance::record(tx, entry).await?,
        None => attendance::record_self_declared(tx, entry).await?,
    };
    Ok(())
}

#[derive(Deserialize)]
pub(super) struct ProgressForm {
    #[serde(default)]
    k: String,
    /// Played ranges, `"start-end,start-end"` in seconds (the player's `played`).
    #[serde(default)]
    played: String,
    duration: String,
}

labels! {
    TicketQuery { k: "学习凭证" }
    WhoForm { name: "姓名", phone: "手机号码" }
    ProgressForm { k: "学习凭证", played: "已播放的片段", duration: "视频时长" }
}

/// The answer to a progress report.
#[derive(Serialize)]
pub(super) struct ProgressAnswer {
    watched_percent: i64,
    counted: bool,
    message: String,
}

/// `POST /sessions/{id}/online/progress`: the recording's player reports the ranges actually
/// played and the video's length; they are merged with earlier sittings, and at 90 % the
/// recording counts (once) for coverage.
pub(super) async fn progress(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
    Form(form): Form<ProgressForm>,
) -> AppResult<Json<ProgressAnswer>> {
    let (session, kind) = online_session(&state, id).await?;
    let replayed = kind == SessionKind::Live
        && session.ends_at <= Utc::now()
        && online::replay(&state.db, id).await?.is_some();
    if !(replayed || kind == SessionKind::Recording && session.starts_at <= Utc::now()) {
        return Err(AppError::NotFound);
    }
    let member_id = require_member(user.as_ref(), &session, &form.k)?;
    let (duration, ranges) =
        watching::parse_report(&form.duration, &form.played).map_err(|m| AppError::BadRequest(m.into()))?;
    let watched = merge_report(&state, session.id, member_id, duration, &ranges).await?;
    if watched.enough() {
        require_audience(&state, &session, member_id).await?;
        let entry = Attendance {
            session_id: session.id,
            member_id,
            channel: Channel::Recording,
            minutes: session.minutes(),
            late: false,
            recorded_by: None,
        };
        let mut tx = state.db.begin().await?;
        record_online(&mut tx, user.as_ref(), &entry).await?;
        tx.commit().await?;
    }
    let message = if watched.enough() {
        format!("已看满{}%，本场已计入冬训学习", watching::WATCHED_PERMILLE / 10)
    } else {
        format!("已观看{}%，看满{}%计入冬训学习", watched.percent(), watching::WATCHED_PERMILLE / 10)
    };
    Ok(Json(ProgressAnswer { watched_percent: watched.percent(), counted: watched.enough(), message }))
}

/// Merges a report into the stored stretches (retrying if another tab's report landed between
/// the read and the write) and returns what is now stored.
async fn merge_report(
    state: &AppState,
    session_id: i64,
    member_id: i64,
    duration: i64,
    ranges: &[(f64, f64)],
) -> AppResult<Watched> {
    for _ in 0..5 {
        let view = online::get(&state.db, session_id, member_id)
            .await?
            .ok_or_else(|| AppError::BadRequest("请先打开录播页面".into()))?;
        let mut watched = Watched::from_stored(&view.watched, duration);
        let added = watched.add(ranges);
        if !watching::plausible(added, (Utc::now() - view.updated_at).num_seconds()) {
            return Err(AppError::BadRequest("观看进度异常，请正常播放视频".into()));
        }
        let after = (watched.to_stored(), watched.seconds(), duration);
        if online::save_progress(&state.db, session_id, member_id, &view, (&after.0, after.1, after.2))
            .await?
        {
            return Ok(watched);
        }
    }
    Err(AppError::Conflict("观看进度正在保存，请稍后".into()))
}
