//! The web shell: shared state, router assembly, page layout, static files, CSRF.

pub mod csrf;
pub mod download;
pub mod error;
pub mod htmx;
pub mod shell;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, middleware};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::db::Db;

pub use error::{AppError, AppResult};
pub use shell::Shell;

/// Limits and timeouts that tests may shorten.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// A session unused for this long is over.
    pub session_idle: Duration,
    /// Largest accepted upload (rosters), in bytes.
    pub max_upload_bytes: usize,
    /// A CJK font file for PDFs (`--font`); none = look in the usual system places.
    pub font: Option<std::path::PathBuf>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(2 * 60 * 60),
            max_upload_bytes: 20 * 1024 * 1024,
            font: None,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database: the only state; everything else can be rebuilt from it.
    pub db: Db,
    /// Limits and timeouts.
    pub config: Arc<WebConfig>,
}

/// Assembles every capability's router behind the shared layers.
pub fn router(state: AppState) -> Router {
    let upload_limit = state.config.max_upload_bytes + 64 * 1024;
    Router::new()
        .merge(crate::accounts::router())
        .merge(crate::org::router())
        .merge(crate::people::router())
        .merge(crate::audit::router())
        .merge(crate::campaign::pages::router())
        .merge(crate::dashboard::router())
        .merge(crate::reports::router())
        .merge(crate::campaign::feedback::router())
        .merge(crate::campaign::coverage::router())
        .merge(crate::campaign::delivery::router())
        .route("/static/{file}", get(static_file))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(middleware::from_fn(htmx::answer_errors))
        .layer(DefaultBodyLimit::max(upload_limit))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // Pages need nothing from other hosts; only a recording's video may be served by the
        // district's video platform (media-src https:).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; media-src 'self' https:; style-src 'self' 'unsafe-inline'; script-src 'self'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// htmx, the stylesheet and the small app script, embedded in the binary so no page needs
/// another host.
async fn static_file(Path(file): Path<String>) -> Response {
    let (body, mime): (&'static [u8], &str) = match file.as_str() {
        "htmx.min.js" => (include_bytes!("../../static/htmx.min.js"), "text/javascript"),
        "app.css" => (include_bytes!("../../static/app.css"), "text/css"),
        "app.js" => (include_bytes!("../../static/app.js"), "text/javascript"),
        "watch.js" => (include_bytes!("../../static/watch.js"), "text/javascript"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, format!("{mime}; charset=utf-8")),
            (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
        ],
        body,
    )
        .into_response()
}
