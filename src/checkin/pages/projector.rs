//! The projector page: a QR code and a six-digit code that change every 30 s, and the count of
//! check-ins so far, refreshed by htmx without reloading.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;

use super::managed;
use crate::auth::CurrentUser;
use crate::checkin::code::{qr_token, six_digit_code, window_at};
use crate::checkin::model::{CheckinWindow, checkin_window};
use crate::schedule::store::sessions::TrainingSession;
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::{AppResult, Shell};

#[derive(Template)]
#[template(path = "checkin/projector.html")]
struct ProjectorPage {
    shell: Shell,
    session: TrainingSession,
    fragment: String,
    /// The code page's address as phones in the room reach it (`http://host:port/checkin`).
    code_page: String,
}

#[derive(Template)]
#[template(path = "checkin/projector_code.html")]
struct ProjectorCode {
    qr_svg: String,
    url: String,
    code: String,
    attended: i64,
    state_text: String,
}

fn code_fragment(session: &TrainingSession, headers: &HeaderMap) -> AppResult<String> {
    let now = Utc::now();
    let window = window_at(now.timestamp());
    let url = format!(
        "{}/checkin/{}?t={}",
        crate::web::form::base_url(headers),
        session.id,
        qr_token(&session.secret, window)
    );
    let state_text =
        match checkin_window(session.starts_at, session.ends_at, session.checkin_opens_minutes, now) {
            CheckinWindow::NotYetOpen(at) => format!("签到将于{}开始", crate::time::local_datetime(at)),
            CheckinWindow::Open { late: false } => "签到进行中".to_owned(),
            CheckinWindow::Open { late: true } => "已开讲，现在签到记为迟到".to_owned(),
            CheckinWindow::Closed => "本场已结束".to_owned(),
        };
    let fragment = ProjectorCode {
        qr_svg: crate::formats::qr::qr_svg(&url, 8),
        code: six_digit_code(&session.secret, window),
        url,
        attended: session.attendance_count,
        state_text,
    };
    Ok(fragment.render()?)
}

/// The page for the projector: QR and code refresh every few seconds without reloading.
pub(super) async fn projector(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let session = managed(&state, &user, id).await?;
    let fragment = code_fragment(&session, &headers)?;
    let code_page = format!("{}/checkin", crate::web::form::base_url(&headers));
    let shell = Shell::new(&user, session.title.clone(), "sessions");
    let page = ProjectorPage { shell, session, fragment, code_page };
    Ok(Html(page.render()?))
}

pub(super) async fn projector_code(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let session = managed(&state, &user, id).await?;
    let html = code_fragment(&session, &headers)?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}
