//! Where the phone camera lands: the session, and one tap to check in (a logged-in member) or
//! name and phone (anyone else). A logged-in member outside the audience is told so at once; a
//! visitor not recognised gets the form back with what they typed and the reason beside it.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::{
    QR_GRACE_WINDOWS, identify_and_check_in, outside_audience, refusal, refused, spend_if_anonymous,
};
use crate::auth::CurrentUser;
use crate::checkin::Guesser;
use crate::checkin::model::Channel;
use crate::org::Scope;
use crate::people::store as member_store;
use crate::schedule::store::sessions::{self, TrainingSession};
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::{AppError, AppResult, Shell};

#[derive(Deserialize)]
pub(super) struct TokenQuery {
    t: Option<String>,
}

#[derive(Template)]
#[template(path = "checkin/checkin.html")]
struct LandingPage {
    shell: Shell,
    session: TrainingSession,
    token: String,
    member_name: Option<String>,
    when: String,
    /// What the visitor typed, shown again with the problem beside the phone field.
    name: String,
    phone: String,
    error: Option<String>,
}

impl LandingPage {
    /// The login link's `next`: back to this page with its code, percent-encoded.
    fn login_next(&self) -> String {
        crate::web::error::urlencode(&format!("/checkin/{}?t={}", self.session.id, self.token))
    }
}

/// The landing page for `session`; `typed` is a visitor's name, phone and the problem with them.
async fn landing_page(
    state: &AppState,
    headers: &HeaderMap,
    user: Option<&CurrentUser>,
    session: TrainingSession,
    token: String,
    typed: (String, String, Option<String>),
) -> AppResult<Response> {
    let member_name = match user.and_then(|u| u.member_id) {
        Some(member_id) => {
            member_store::by_id_in_scope(&state.db, member_id, &Scope::whole_tree()).await?.map(|m| m.name)
        }
        None => None,
    };
    let shell = Shell::for_visitor(user, "签到", "home", headers);
    let when = format!("{} {}", crate::time::local_datetime(session.starts_at), session.venue_name);
    let (name, phone, error) = typed;
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = LandingPage { shell, token, member_name, when, session, name, phone, error };
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(page.render()?)).into_response())
}

/// Where the phone camera lands. The code is accepted as long as the confirmation will accept it
/// ([`QR_GRACE_WINDOWS`]): a member who signs in first (and changes a one-time password) comes
/// back here minutes later and must still find the button.
pub(super) async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    Path(id): Path<i64>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.t.unwrap_or_default();
    let Some(session) = sessions::by_id(&state.db, id).await? else {
        let gone = super::Refusal::new(
            StatusCode::NOT_FOUND,
            "签到码无效",
            "请重新扫描大屏上的二维码，或点“重试”输入6位签到码。",
        );
        return refused(&headers, user.as_ref(), gone.retry_at("/checkin"));
    };
    let here = format!("/checkin/{id}?t={}", crate::web::error::urlencode(&token));
    if let Some(refusal) = refusal(&session, &token, QR_GRACE_WINDOWS, &here) {
        return refused(&headers, user.as_ref(), refusal);
    }
    if let Some(member_id) = user.as_ref().and_then(|u| u.member_id)
        && let Some(refusal) = outside_audience(&state, &session, member_id).await?
    {
        return refused(&headers, user.as_ref(), refusal);
    }
    landing_page(&state, &headers, user.as_ref(), session, token, Default::default()).await
}

#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    t: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

labels! {
    TokenQuery { t: "签到二维码" }
    ConfirmForm { t: "签到二维码", name: "姓名", phone: "手机号码" }
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    guesser: Guesser,
    Path(id): Path<i64>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let session = sessions::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let here = format!("/checkin/{id}?t={}", crate::web::error::urlencode(&form.t));
    if let Some(refusal) = refusal(&session, &form.t, QR_GRACE_WINDOWS, &here) {
        return refused(&headers, user.as_ref(), refusal);
    }
    spend_if_anonymous(&state, user.as_ref(), &guesser)?;
    let who = (form.name.as_str(), form.phone.as_str());
    match identify_and_check_in(&state, &headers, user.as_ref(), &session, who, Channel::Qr).await? {
        Ok(done) => Ok(done),
        Err(problem) => {
            let typed = (form.name, form.phone, Some(problem));
            landing_page(&state, &headers, user.as_ref(), session, form.t, typed).await
        }
    }
}
