//! A speech entry's video uploaded from the phone or computer it was recorded on, as the cloud
//! classroom's recordings are: streamed to the media directory under the recording cap
//! (`DONGXUN_MAX_RECORDING_MB`), known as MP4 or WebM by its first bytes, stored by a random name
//! (a refusal leaves nothing behind), and played in the entry's page with Range requests.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::entry::{Loaded, entry_page_with, load};
use super::runs;
use crate::audit::{self, Action, Actor};
use crate::auth::CurrentUser;
use crate::classroom::media;
use crate::speech::model::{ContestStatus, RoundStatus};
use crate::speech::store;
use crate::state::AppState;
use crate::web::extract::{Multipart, Path};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult};

/// `POST /speech/entries/{id}/video` (multipart, CSRF token in the query): the entrant, or staff
/// running the contest, uploads the entry's video while its round is open; it replaces a link or
/// an earlier upload (removed once the new one is stored). Audited.
pub(in crate::speech) async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let loaded = load(&state, &user, id).await?;
    if !(user.member_id == Some(loaded.entry.member_id) || runs(&user, &loaded.contest)) {
        return Err(AppError::Forbidden);
    }
    if loaded.round.status != RoundStatus::Open || loaded.contest.status != ContestStatus::Running {
        return Err(AppError::Conflict(format!("{}未在进行，不能再更换视频", loaded.round.name)));
    }
    let dir = media::dir(&state.config);
    let cap = state.config.max_recording_bytes;
    let mut saved = None;
    let received: AppResult<()> = async {
        while let Some(mut field) = multipart.next_field().await.map_err(|_| media::interrupted())? {
            if field.name() == Some("video") && saved.is_none() {
                saved = Some(media::save_video(&mut field, &dir, cap).await?);
            }
        }
        Ok(())
    }
    .await;
    let refusal = match (received, &saved) {
        (Ok(()), Some(_)) => None,
        (Ok(()), None) => Some((StatusCode::BAD_REQUEST, "请选择要上传的视频文件（MP4 或 WebM）".to_owned())),
        (Err(AppError::PayloadTooLarge(message)), _) => Some((StatusCode::PAYLOAD_TOO_LARGE, message)),
        (Err(AppError::BadRequest(message)), _) => Some((StatusCode::BAD_REQUEST, message)),
        (Err(error), _) => {
            media::remove_stored(&dir, saved.as_ref().map(|s| s.0.as_str())).await;
            return Err(error);
        }
    };
    let Some((name, mime, size)) = saved.filter(|_| refusal.is_none()) else {
        let (status, message) = refusal.unwrap_or((StatusCode::BAD_REQUEST, String::new()));
        return refused(&state, &user, loaded, status, message).await;
    };
    let stored: AppResult<Option<String>> = async {
        let mut tx = state.db.begin().await?;
        let previous = store::attach_video(&mut tx, id, &name, mime).await?;
        let detail = format!(
            "上传演讲视频：《{}》（{}，{} MB）",
            loaded.entry.title,
            loaded.entry.name,
            size / (1024 * 1024)
        );
        let target = format!("speech_entry:{id}");
        audit::record_in(&mut tx, &Actor::user(&user), Action::Speech, &target, &detail, true).await?;
        tx.commit().await?;
        Ok(previous)
    }
    .await;
    match stored {
        Ok(previous) => {
            media::remove_stored(&dir, previous.as_deref()).await;
            Ok(redirect_with_flash(&format!("/speech/entries/{id}"), "视频已上传"))
        }
        Err(error) => {
            media::remove_stored(&dir, Some(&name)).await;
            Err(error)
        }
    }
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    loaded: Loaded,
    status: StatusCode,
    message: String,
) -> AppResult<Response> {
    let html = entry_page_with(state, user, loaded, None, Some(message)).await?;
    Ok((status, Html(html)).into_response())
}

/// `GET /speech/entries/{id}/video`: the uploaded video, inline, with Range requests, to whoever
/// may see the contest.
pub(in crate::speech) async fn play(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let loaded = load(&state, &user, id).await?;
    if loaded.entry.video_file.is_empty() {
        return Err(AppError::NotFound);
    }
    media::serve(&media::dir(&state.config), &loaded.entry.video_file, &loaded.entry.video_mime, &headers)
        .await
}
