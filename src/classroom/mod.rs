//! The cloud classroom (S13): online study of a session — a member joins a live broadcast
//! through the app or watches a recording until 90 % of it has played — and series of recorded
//! lessons (党课视频) uploaded into the data directory, served with Range requests, whose
//! episodes earn 观看视频 points once 90 % has played.

pub mod episode_files;
mod episode_pages;
mod live_pages;
mod mapped;
pub mod media;
pub mod model;
mod pages;
pub mod series;
mod series_pages;
pub mod store;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

/// Online study and series routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/online", get(pages::page).post(pages::identify_member))
        .route("/sessions/{id}/online/live", post(pages::join_live))
        .route("/sessions/{id}/online/progress", post(pages::progress))
        .route("/sessions/{id}/online/replay", get(live_pages::video).post(live_pages::attach))
        .route("/classroom", get(series_pages::list).post(series_pages::create))
        .route("/classroom/series/{id}", get(series_pages::show))
        // A recording is streamed to disk under its own cap (`--max-recording-mb`), checked
        // while it arrives, so the app-wide body limit for forms does not apply here.
        .route(
            "/classroom/series/{id}/episodes",
            post(series_pages::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/classroom/episodes/{id}", get(episode_pages::episode))
        .route("/classroom/episodes/{id}/video", get(episode_pages::video))
        .route("/classroom/episodes/{id}/poster", get(episode_pages::poster))
        .route("/classroom/episodes/{id}/progress", post(episode_pages::progress))
}
