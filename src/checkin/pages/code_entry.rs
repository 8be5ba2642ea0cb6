//! For those who cannot scan: type the six digits shown on the screen (and name and phone without
//! an account). A wrong code or an unrecognised name gives the form back with what was typed and
//! the reason beside its field.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;

use super::identify_and_check_in;
use crate::auth::CurrentUser;
use crate::checkin::Guesser;
use crate::checkin::code::{accepts, six_digit_code, window_at};
use crate::checkin::model::{Channel, CheckinWindow, checkin_window};
use crate::schedule::store::sessions;
use crate::state::AppState;
use crate::web::extract::{Form, labels};
use crate::web::{AppResult, Shell};

#[derive(Template)]
#[template(path = "checkin/checkin_code.html")]
struct CodePage {
    shell: Shell,
    logged_in_member: bool,
    /// What was typed, shown again after a refusal.
    form: CodeForm,
    /// The problem with the code, shown beside it.
    code_error: Option<String>,
    /// The problem with name and phone, shown beside them.
    who_error: Option<String>,
}

fn render(headers: &HeaderMap, user: Option<&CurrentUser>, page: CodePageParts) -> AppResult<Response> {
    let (form, code_error, who_error) = page;
    let status =
        if code_error.is_some() || who_error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = CodePage {
        shell: Shell::for_visitor(user, "输入签到码", "home", headers),
        logged_in_member: user.is_some_and(|u| u.member_id.is_some()),
        form,
        code_error,
        who_error,
    };
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

/// What was typed, the problem with the code, the problem with name and phone.
type CodePageParts = (CodeForm, Option<String>, Option<String>);

pub(super) async fn code_page(headers: HeaderMap, user: Option<CurrentUser>) -> AppResult<Response> {
    render(&headers, user.as_ref(), (CodeForm::default(), None, None))
}

#[derive(Deserialize, Default)]
pub(super) struct CodeForm {
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

labels! {
    CodeForm { code: "签到码", name: "姓名", phone: "手机号码" }
}

pub(super) async fn confirm_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    guesser: Guesser,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    // Every code typed is a guess, a logged-in member's too; the name and phone that come with
    // it are not counted again.
    state.guesses.spend(&guesser)?;
    let code: String =
        crate::people::model::normalize_text(&form.code).chars().filter(char::is_ascii_digit).collect();
    let now = Utc::now();
    let window = window_at(now.timestamp());
    let open = sessions::open_around(&state.db, now).await?;
    let matching = open.into_iter().find(|s| {
        matches!(
            checkin_window(s.starts_at, s.ends_at, s.checkin_opens_minutes, now),
            CheckinWindow::Open { .. }
        ) && accepts(&code, window, |w| six_digit_code(&s.secret, w))
    });
    let Some(session) = matching else {
        let problem = "签到码不正确或已过期：请核对大屏上最新的6位签到码（每30秒更新）".to_owned();
        return render(&headers, user.as_ref(), (form, Some(problem), None));
    };
    let who = (form.name.as_str(), form.phone.as_str());
    match identify_and_check_in(&state, &headers, user.as_ref(), &session, who, Channel::Code).await? {
        Ok(done) => Ok(done),
        Err(problem) => render(&headers, user.as_ref(), (form, None, Some(problem))),
    }
}
