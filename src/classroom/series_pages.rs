//! The cloud classroom's series (S13): the list of series, a series with its episodes in order
//! and the member's progress in each, uploading an episode (committee), an episode's player
//! reporting played stretches, and the recording and poster served with Range requests.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::audit::{self, Action, Actor};
use crate::auth::{CommitteeUser, CurrentUser, Role};
use crate::classroom::media;
use crate::classroom::model::Watched;
use crate::classroom::series::{self, Episode, NewEpisode, Series};
use crate::formats::photo::PHOTO_DECODES;
use crate::state::AppState;
use crate::web::extract::{Form, Multipart, Path, labels};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "classroom/series_list.html")]
struct ListPage {
    shell: Shell,
    series: Vec<Series>,
    can_edit: bool,
    error: String,
    title: String,
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    error: String,
    title: String,
) -> AppResult<ListPage> {
    Ok(ListPage {
        shell: Shell::new(user, "云课堂", "library"),
        series: series::all(&state.db).await?,
        can_edit: user.role == Role::CommitteeAdmin,
        error,
        title,
    })
}

/// `GET /classroom`: every series.
pub(super) async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    Ok(Html(list_page(&state, &user, String::new(), String::new()).await?.render()?))
}

#[derive(Deserialize)]
pub(super) struct SeriesForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

labels! {
    SeriesForm { title: "系列名称", description: "简介" }
}

/// `POST /classroom`: makes a series (committee), audited.
pub(super) async fn create(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Form(form): Form<SeriesForm>,
) -> AppResult<Response> {
    let title = form.title.trim();
    let refuse = |message: String| async {
        let page = list_page(&state, &user, message, form.title.clone()).await?;
        Ok::<_, AppError>((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response())
    };
    if !(2..=30).contains(&title.chars().count()) {
        return refuse("系列名称应为2到30个字".into()).await;
    }
    let mut tx = state.db.begin().await?;
    let Some(id) = series::insert_series(&mut tx, title, form.description.trim()).await? else {
        drop(tx);
        return refuse(format!("“{title}”系列已存在")).await;
    };
    audit::record_in(&mut tx, &Actor::user(&user), Action::Classroom, &format!("series:{id}"), title, true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/classroom/series/{id}"), &format!("已建立系列：{title}")))
}

/// One episode's line on its series page.
struct EpisodeLine {
    episode: Episode,
    percent: i64,
    done: bool,
}

#[derive(Template)]
#[template(path = "classroom/series.html")]
struct SeriesPage {
    shell: Shell,
    series: Series,
    lines: Vec<EpisodeLine>,
    /// Episodes watched to 90 %, and the series' share of them.
    done: usize,
    percent: usize,
    can_edit: bool,
    error: String,
    title: String,
    max_mb: u64,
}

async fn series_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    (error, title): (String, String),
) -> AppResult<SeriesPage> {
    let found = series::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let views = match user.member_id {
        Some(member) => series::views_in_series(&state.db, id, member).await?,
        None => Vec::new(),
    };
    let lines: Vec<EpisodeLine> = series::episodes(&state.db, id)
        .await?
        .into_iter()
        .map(|episode| {
            let watched = views
                .iter()
                .find(|v| v.episode_id == episode.id)
                .map(|v| Watched::from_stored(&v.watched, v.duration_seconds));
            let (percent, done) = watched.map(|w| (w.percent(), w.enough())).unwrap_or((0, false));
            EpisodeLine { episode, percent, done }
        })
        .collect();
    let done = lines.iter().filter(|l| l.done).count();
    let percent = if lines.is_empty() { 0 } else { done * 100 / lines.len() };
    Ok(SeriesPage {
        shell: Shell::new(user, found.title.clone(), "library"),
        series: found,
        lines,
        done,
        percent,
        can_edit: user.role == Role::CommitteeAdmin,
        error,
        title,
        max_mb: state.config.max_recording_bytes / (1024 * 1024),
    })
}

/// `GET /classroom/series/{id}`: the episodes in order, with the member's progress.
pub(super) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    Ok(Html(series_page(&state, &user, id, Default::default()).await?.render()?))
}

/// `POST /classroom/series/{id}/episodes` (multipart; CSRF token in the query): uploads an
/// episode, streamed to the media directory under the size cap; its poster re-encoded.
pub(super) async fn upload(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    series::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let dir = media::dir(&state.config);
    let (mut title, mut video, mut poster) = (String::new(), None, Vec::new());
    let bad = media::interrupted;
    let outcome: AppResult<()> = async {
        while let Some(mut field) = multipart.next_field().await.map_err(|_| bad())? {
            match field.name().unwrap_or_default() {
                "title" => {
                    while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
                        if title.len() + chunk.len() > 1024 {
                            return Err(AppError::BadRequest("每集标题应为2到40个字".into()));
                        }
                        title.push_str(&String::from_utf8_lossy(&chunk));
                    }
                }
                "poster" => {
                    while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
                        if poster.len() + chunk.len() > 5 * 1024 * 1024 {
                            return Err(AppError::PayloadTooLarge("封面图片太大：不能超过5 MB".into()));
                        }
                        poster.extend_from_slice(&chunk);
                    }
                }
                "file" => {
                    video = Some(media::save_video(&mut field, &dir, state.config.max_recording_bytes).await?)
                }
                _ => {}
            }
        }
        Ok(())
    }
    .await;
    let title_ok = (2..=40).contains(&title.trim().chars().count());
    let problem = match (outcome, &video) {
        (Err(AppError::PayloadTooLarge(message)), _) => Some((StatusCode::PAYLOAD_TOO_LARGE, message)),
        (Err(AppError::BadRequest(message)), _) => Some((StatusCode::BAD_REQUEST, message)),
        (Err(error), _) => {
            if let Some((name, _, _)) = &video {
                let _ = tokio::fs::remove_file(dir.join(name)).await;
            }
            return Err(error);
        }
        (Ok(()), None) => Some((StatusCode::BAD_REQUEST, "请选择要上传的视频文件".to_owned())),
        (Ok(()), Some(_)) if !title_ok => Some((StatusCode::BAD_REQUEST, "每集标题应为2到40个字".to_owned())),
        _ => None,
    };
    let poster_name = match (&problem, poster.is_empty()) {
        (None, false) => {
            let bytes = std::mem::take(&mut poster);
            match PHOTO_DECODES
                .run(move || crate::formats::photo::reencode_photo(&bytes, 5 * 1024 * 1024))
                .await
            {
                Ok(Ok(photo)) => Some(media::save_poster(&dir, &photo.jpeg).await?),
                Ok(Err(e)) => {
                    return refuse_upload(
                        &state,
                        &user,
                        id,
                        video,
                        (StatusCode::BAD_REQUEST, e.to_string()),
                        title,
                    )
                    .await;
                }
                Err(busy) => {
                    return refuse_upload(
                        &state,
                        &user,
                        id,
                        video,
                        (StatusCode::SERVICE_UNAVAILABLE, busy.to_string()),
                        title,
                    )
                    .await;
                }
            }
        }
        _ => None,
    };
    if let Some(problem) = problem {
        return refuse_upload(&state, &user, id, video, problem, title).await;
    }
    let Some((file_name, mime, size)) = video else { return Err(bad()) };
    let title = title.trim();
    let mut tx = state.db.begin().await?;
    let new = NewEpisode {
        series_id: id,
        title,
        file_name: &file_name,
        mime,
        size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
        poster_name: poster_name.as_deref().unwrap_or(""),
    };
    let episode = series::insert_episode(&mut tx, &new).await?;
    let detail = format!("{title}（{} KB）", size / 1024);
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Classroom,
        &format!("episode:{episode}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/classroom/series/{id}"), &format!("已上传：{title}")))
}

/// Removes a saved recording of a refused upload and shows the series page with the problem.
async fn refuse_upload(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    video: Option<(String, &'static str, u64)>,
    (status, message): (StatusCode, String),
    title: String,
) -> AppResult<Response> {
    if let Some((name, _, _)) = video {
        let _ = tokio::fs::remove_file(media::dir(&state.config).join(name)).await;
    }
    let page = series_page(state, user, id, (message, title)).await?;
    Ok((status, Html(page.render()?)).into_response())
}
