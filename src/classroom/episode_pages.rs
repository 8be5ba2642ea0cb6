//! One episode of a series: its player (a member's page reports what was played), the recording
//! and poster served with Range requests, and the progress report that merges played stretches
//! and, at 90 %, earns 观看视频 points once.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::classroom::media;
use crate::classroom::model::{self as watching, Watched};
use crate::classroom::series::{self, Episode, Series};
use crate::points::{self, Award, PointKind};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::{AppError, AppResult, Shell};

labels! {
    EpisodeProgress { played: "已播放的片段", duration: "视频时长" }
}

#[derive(Template)]
#[template(path = "classroom/episode.html")]
struct EpisodePage {
    shell: Shell,
    series: Series,
    episode: Episode,
    next: Option<Episode>,
    reports: bool,
    percent: i64,
}

/// `GET /classroom/episodes/{id}`: the player; a member's page reports what was played.
pub(super) async fn episode(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let episode = series::episode(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let found = series::by_id(&state.db, episode.series_id).await?.ok_or(AppError::NotFound)?;
    let next =
        series::episodes(&state.db, found.id).await?.into_iter().find(|e| e.position > episode.position);
    let percent = match user.member_id {
        Some(member) => {
            let view = series::open_view(&state.db, id, member).await?;
            Watched::from_stored(&view.watched, view.duration_seconds).percent()
        }
        None => 0,
    };
    let page = EpisodePage {
        shell: Shell::new(&user, episode.title.clone(), "library"),
        series: found,
        episode,
        next,
        reports: user.member_id.is_some(),
        percent,
    };
    Ok(Html(page.render()?))
}

/// `GET /classroom/episodes/{id}/video`: the recording, with Range requests.
pub(super) async fn video(
    State(state): State<AppState>,
    _: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let dir = media::dir(&state.config);
    if let Some((file_name, mime)) = state.episode_files.get(id) {
        match media::serve(&dir, &file_name, &mime, &headers).await {
            // Replaced or deleted since: its file is gone. Look the episode up again.
            Err(AppError::NotFound) => state.episode_files.forget(id),
            answer => return answer,
        }
    }
    let episode = series::episode(&state.db, id).await?.ok_or(AppError::NotFound)?;
    state.episode_files.remember(id, &episode.file_name, &episode.mime);
    media::serve(&dir, &episode.file_name, &episode.mime, &headers).await
}

/// `GET /classroom/episodes/{id}/poster`: the poster image.
pub(super) async fn poster(
    State(state): State<AppState>,
    _: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let episode = series::episode(&state.db, id).await?.ok_or(AppError::NotFound)?;
    media::serve(&media::dir(&state.config), &episode.poster_name, "image/jpeg", &headers).await
}

#[derive(Deserialize)]
pub(super) struct EpisodeProgress {
    #[serde(default)]
    played: String,
    duration: String,
}

/// The answer to a progress report (the shape `watch.js` reads).
#[derive(Serialize)]
pub(super) struct ProgressAnswer {
    watched_percent: i64,
    counted: bool,
    message: String,
}

/// `POST /classroom/episodes/{id}/progress`: merges the played ranges with earlier sittings; at
/// 90 % the episode counts, once, for 观看视频 points in the same transaction.
pub(super) async fn progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<EpisodeProgress>,
) -> AppResult<Json<ProgressAnswer>> {
    let member_id =
        user.member_id.ok_or_else(|| AppError::BadRequest("只有党员本人的账号计入观看学习".into()))?;
    series::episode(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (duration, ranges) =
        watching::parse_report(&form.duration, &form.played).map_err(|m| AppError::BadRequest(m.into()))?;
    let campaign_id = crate::campaign::store::current(&state.db).await?.map(|c| c.id);
    for _ in 0..5 {
        let view = series::open_view(&state.db, id, member_id).await?;
        let mut watched = Watched::from_stored(&view.watched, duration);
        let was_enough = Watched::from_stored(&view.watched, view.duration_seconds).enough();
        let added = watched.add(&ranges);
        if !watching::plausible(added, (Utc::now() - view.updated_at).num_seconds()) {
            return Err(AppError::BadRequest("观看进度异常，请正常播放视频".into()));
        }
        let mut tx = state.db.begin().await?;
        let after = (watched.to_stored(), watched.seconds(), duration);
        if !series::save_view(&mut tx, (id, member_id), &view, (&after.0, after.1, after.2)).await? {
            continue;
        }
        if watched.enough() && !was_enough {
            let award = Award {
                member_id,
                kind: PointKind::Video,
                item_key: format!("episode:{id}"),
                idempotency_key: format!("video:{id}:{member_id}"),
                at: Utc::now(),
                quantity: 1,
                reason: String::new(),
                recorded_by: None,
                campaign_id,
            };
            points::award(&mut tx, &award).await?;
        }
        tx.commit().await?;
        let message = if watched.enough() {
            "本集已看满90%，计入观看学习".to_owned()
        } else {
            format!("已观看{}%，看满90%计入观看学习", watched.percent())
        };
        return Ok(Json(ProgressAnswer {
            watched_percent: watched.percent(),
            counted: watched.enough(),
            message,
        }));
    }
    Err(AppError::Conflict("观看进度正在保存，请稍后".into()))
}
