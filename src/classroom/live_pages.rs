//! Live lessons beyond joining: sending the member on to a live room on another host, and the
//! recording attached afterwards — picked from the classroom's episodes by whoever runs the
//! session, played on the live session's page once it is over, counted at 90 % as a recorded
//! session is (`pages::progress`).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::pages::{TicketQuery, member_of, online_session};
use crate::audit::{self, Action, Actor};
use crate::auth::CurrentUser;
use crate::classroom::{media, series, store as online};
use crate::schedule::model::SessionKind;
use crate::schedule::store::sessions::TrainingSession;
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "classroom/going_live.html")]
struct GoingLivePage {
    shell: Shell,
    url: String,
}

/// Sends the member on to the broadcast: a page with its link that the browser follows at once
/// (`Refresh`), not a redirect — the CSP's `form-action 'self'` forbids a form's answer from
/// redirecting to another host, and the broadcast is on one.
pub(super) fn going_live(
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    session: &TrainingSession,
) -> AppResult<Response> {
    let shell = Shell::for_visitor(user, session.title.clone(), "sessions", headers);
    let page = GoingLivePage { shell, url: session.online_url.clone() };
    let refresh = HeaderValue::from_str(&format!("0; url={}", session.online_url))
        .map_err(|_| AppError::Conflict("直播地址无效，请联系工作人员更正".into()))?;
    Ok(([(header::REFRESH, refresh)], Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub(super) struct ReplayForm {
    #[serde(default)]
    episode_id: String,
}

labels! {
    ReplayForm { episode_id: "录播视频" }
}

/// `POST /sessions/{id}/online/replay`: attaches a classroom episode as the live session's
/// recording (whoever runs the session), audited.
pub(super) async fn attach(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ReplayForm>,
) -> AppResult<Response> {
    let (session, kind) = online_session(&state, id).await?;
    if kind != SessionKind::Live || !crate::schedule::may_manage(&state.db, &user, &session).await? {
        return Err(AppError::Forbidden);
    }
    let episode = match form.episode_id.trim().parse::<i64>() {
        Ok(episode_id) => series::episode(&state.db, episode_id).await?,
        Err(_) => None,
    }
    .ok_or_else(|| AppError::BadRequest("请选择云课堂里的一集录播视频".into()))?;
    let mut tx = state.db.begin().await?;
    online::attach_replay(&mut tx, id, episode.id, user.user_id).await?;
    let detail = format!("{}：录播 {}", session.title, episode.title);
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Classroom,
        &format!("session:{id}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/sessions/{id}/online"), &format!("已关联录播：{}", episode.title)))
}

/// `GET /sessions/{id}/online/replay?k=`: the attached recording, with Range requests, for a
/// logged-in viewer or the member a genuine ticket names.
pub(super) async fn video(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<TicketQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (session, _) = online_session(&state, id).await?;
    if user.is_none() && member_of(None, &session, &q.k).is_none() {
        return Err(AppError::NotFound);
    }
    let episode = online::replay(&state.db, id).await?.ok_or(AppError::NotFound)?;
    media::serve(&media::dir(&state.config), &episode.file_name, &episode.mime, &headers).await
}
