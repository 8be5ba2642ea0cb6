//! The web shell: page layout, errors as Chinese pages, CSRF, form reading, downloads, static
//! files. It knows no capability: `startup` hands it the assembled routes to frame.

pub mod csrf;
pub mod download;
pub mod error;
mod error_page;
pub mod extract;
pub mod form;
pub mod htmx;
pub mod shell;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, middleware};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use csrf::SessionCsrf;
pub use error::{AppError, AppResult};
use extract::Path;
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
    /// Reverse proxies whose `X-Forwarded-For`/`X-Real-IP` name the client (`--trusted-proxy`);
    /// from anyone else those headers are ignored. None by default.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Served over https (`--https`, e.g. behind a TLS-terminating proxy): cookies are marked
    /// `Secure` and every response carries HSTS. A trusted proxy's `X-Forwarded-Proto: https`
    /// also marks the login cookies `Secure`.
    pub https: bool,
    /// How long a login may queue for a password-hashing slot before it is told the system is busy.
    pub hash_queue_wait: Duration,
    /// Where uploaded recordings and posters are kept; none = `media` beside the key file.
    pub media_dir: Option<std::path::PathBuf>,
    /// Largest accepted recording, in bytes (`--max-recording-mb`); streamed to disk, so the
    /// body limit above does not apply to it.
    pub max_recording_bytes: u64,
    /// The site's address as the public reaches it (`--public-url`, e.g. `https://dx.example`):
    /// the base of absolute links in feeds and share tags. None = the request's `Host` header.
    pub public_url: Option<String>,
    /// Largest accepted library document (PDF), in bytes (`DONGXUN_MAX_DOCUMENT_MB`); streamed
    /// to disk as recordings are.
    pub max_document_bytes: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(2 * 60 * 60),
            max_upload_bytes: 20 * 1024 * 1024,
            font: None,
            trusted_proxies: Vec::new(),
            https: false,
            hash_queue_wait: Duration::from_secs(5),
            media_dir: None,
            max_recording_bytes: 500 * 1024 * 1024,
            public_url: None,
            max_document_bytes: 50 * 1024 * 1024,
        }
    }
}

/// Wraps the assembled routes in what every response needs: the CSRF check (asking `sessions`
/// about logins), the body limit, security headers and request tracing, plus the static files,
/// the health check and the Chinese 404.
pub fn frame<S, C>(routes: Router<S>, sessions: C, config: &WebConfig) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    C: SessionCsrf + shell::ShellSource,
{
    let upload_limit = config.max_upload_bytes + 64 * 1024;
    // Over https, browsers are told to refuse plain http to this host for a year.
    let hsts = config.https.then(|| HeaderValue::from_static("max-age=31536000"));
    routes
        .route("/static/{file}", get(static_file))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(sessions.clone(), csrf::protect::<C>))
        .layer(middleware::from_fn_with_state(sessions, error_page::frame_errors::<C>))
        .layer(middleware::from_fn(htmx::answer_errors))
        .layer(DefaultBodyLimit::max(upload_limit))
        // Nothing is to be sniffed into another type (an upload served back, a CSV read as HTML).
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Pages and downloads carry members' names, phones and study records: no cache (the
        // browser's, a shared computer's, a proxy's) keeps them. Static files say otherwise
        // themselves and keep their cache.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // Pages need nothing from other hosts; only a recording's video may be served by the
        // district's video platform (media-src https:). An injected <base> or a form posting
        // elsewhere gets nowhere (base-uri, form-action).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, hsts))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(middleware::map_response_with_state(config.https, secure_cookies))
        .layer(TraceLayer::new_for_http())
}

/// The pages' Content-Security-Policy: nothing from other hosts but a recording's video.
const CSP: &str = "default-src 'self'; img-src 'self' data:; media-src 'self' https:; style-src 'self' 'unsafe-inline'; script-src 'self'; base-uri 'none'; form-action 'self'";

/// The policy for a page that plays a live HLS stream from `origin` (`scheme://host[:port]`,
/// already checked): hls.js fetches the playlist and its segments from there (connect-src) and
/// feeds them to the video through Media Source Extensions (media-src blob:); a browser that
/// plays HLS itself fetches them as media (media-src origin). Workers stay off (hls.js is told
/// not to use one), so worker-src stays at 'self'.
pub fn csp_for_stream(origin: &str) -> Option<HeaderValue> {
    if origin.chars().any(|c| c.is_whitespace() || matches!(c, ';' | ',' | '\'' | '"')) {
        return None;
    }
    let policy = CSP.replace("media-src 'self' https:", &format!("media-src 'self' https: blob: {origin}"));
    HeaderValue::from_str(&format!("{policy}; connect-src 'self' {origin}")).ok()
}

/// Under `--https` every cookie is `Secure` — the login's, the pre-login CSRF token minted on a
/// first visit, the flash message, large-font mode — whoever set it, so none travels over plain
/// http to a network in between.
async fn secure_cookies(State(https): State<bool>, mut response: Response) -> Response {
    if !https {
        return response;
    }
    let cookies: Vec<HeaderValue> = response.headers().get_all(header::SET_COOKIE).iter().cloned().collect();
    response.headers_mut().remove(header::SET_COOKIE);
    for cookie in cookies {
        let text = cookie.to_str().unwrap_or_default();
        let already = text.split(';').any(|part| part.trim().eq_ignore_ascii_case("secure"));
        let value = if already || text.is_empty() {
            cookie
        } else {
            HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
        };
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// htmx, the stylesheet and the small app script, embedded in the binary so no page needs
/// another host.
async fn static_file(Path(file): Path<String>) -> Response {
    let (body, mime): (&'static [u8], &str) = match file.as_str() {
        "htmx.min.js" => (include_bytes!("../../static/htmx.min.js"), "text/javascript"),
        "app.css" => (include_bytes!("../../static/app.css"), "text/css"),
        "app.js" => (include_bytes!("../../static/app.js"), "text/javascript"),
        "watch.js" => (include_bytes!("../../static/watch.js"), "text/javascript"),
        "read.js" => (include_bytes!("../../static/read.js"), "text/javascript"),
        "live.js" => (include_bytes!("../../static/live.js"), "text/javascript"),
        "hls.min.js" => (include_bytes!("../../static/vendor/hls.min.js"), "text/javascript"),
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
