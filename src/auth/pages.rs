//! Login (with lockout), logout, password change, and the large-font switch.

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;

use super::throttle::{self, Verdict};
use super::{CurrentUser, client_address, login_session, password, served_over_https, store};
use crate::audit::{self, Action, Actor};
use crate::people::model::Phone;
use crate::state::AppState;
use crate::web::csrf::rotated_anonymous_cookie;
use crate::web::extract::{Form, Query, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::{FONT_COOKIE, Prefs, redirect_with_flash};
use crate::web::{AppError, AppResult, Shell};

/// The same words for a wrong password and an unknown account.
const BAD_CREDENTIALS: &str = "手机号或密码不正确";
/// Every hashing slot is taken and the queue is full: come back in a moment.
pub(crate) const BUSY: &str = "系统繁忙，请稍后再试";

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    shell: Shell,
    phone: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

pub(super) async fn login_page(
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let mut shell = Shell::anonymous("登录", &headers);
    // Someone already logged in (switching accounts) must post the session's token.
    if let Some(user) = user {
        shell.csrf = user.csrf_token;
    }
    let page = LoginPage { shell, phone: String::new(), next: safe_next(q.next.as_deref()), error: None };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    phone: String,
    password: String,
    next: Option<String>,
}

pub(super) async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let ip = client_address(peer.ip(), &headers, &state.config.trusted_proxies).to_string();
    let phone = Phone::parse(&form.phone)
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|_| form.phone.trim().to_owned());
    let next = safe_next(form.next.as_deref());
    let refuse = |status: StatusCode, message: String| -> AppResult<Response> {
        let page = LoginPage {
            shell: Shell::anonymous("登录", &headers),
            phone: phone.clone(),
            next: next.clone(),
            error: Some(message),
        };
        Ok((status, Html(page.render()?)).into_response())
    };
    let actor = Actor { user_id: None, label: phone.clone(), ip: ip.clone() };

    // Recorded and judged before any hashing: a throttled guess costs no Argon2 memory.
    let (attempt, verdict) = throttle::admit(&state.db, &phone, &ip).await?;
    let wait = match verdict {
        Verdict::Proceed => None,
        Verdict::AddressWaits(minutes) | Verdict::AccountWaits(minutes) => Some(minutes),
    };
    if let Some(wait) = wait {
        audit::record(&state.db, &actor, Action::Login, &phone, "失败次数过多，暂停登录", false).await?;
        return refuse(StatusCode::TOO_MANY_REQUESTS, format!("登录失败次数过多，请{wait}分钟后再试"));
    }

    let user = store::by_phone(&state.db, &phone).await?;
    let stored =
        user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| password::decoy_hash().to_owned());
    let Ok(matches) = password::verify(form.password, stored, state.config.hash_queue_wait).await else {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, BUSY.to_owned());
    };
    let user = user.filter(|u| matches && u.active);
    let Some(user) = user else {
        audit::record(&state.db, &actor, Action::Login, &phone, "手机号或密码不正确", false).await?;
        return refuse(StatusCode::UNAUTHORIZED, BAD_CREDENTIALS.to_owned());
    };

    store::attempt_succeeded(&state.db, attempt).await?;
    let actor =
        Actor { user_id: Some(user.id), label: format!("{}（{}）", user.name, user.phone), ip: ip.clone() };
    audit::record(&state.db, &actor, Action::Login, &user.phone, "登录成功", true).await?;
    let secure = served_over_https(peer.ip(), &headers, &state.config);
    let cookie = login_session::start(&state.db, user.id, &ip, secure).await?;
    // A one-time password is changed first; then on to where the person was going (a check-in).
    let target = match (user.must_change_password, next.as_str()) {
        (false, _) => next,
        (true, "/") => "/password".to_owned(),
        (true, page) => format!("/password?next={}", crate::web::error::urlencode(page)),
    };
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response.headers_mut().append(header::SET_COOKIE, rotated_anonymous_cookie(secure));
    Ok(response)
}

/// Only same-site paths may follow a login. Browsers drop tabs and newlines from a `Location` and
/// read `\\` as `/`, so `/\t/evil.example` and `/\\evil.example` would lead to another host: any
/// control character, space, backslash, leading `//` or raw non-ASCII (a browser sends it
/// percent-encoded) sends the user home instead; none of them can reach the header, where a newline
/// was a 500.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

pub(super) async fn logout(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    login_session::end(&state.db, user.session_id).await?;
    audit::record(&state.db, &Actor::user(&user), Action::Logout, &user.phone, "", true).await?;
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(header::SET_COOKIE, login_session::clearing_cookie());
    Ok(response)
}

#[derive(Template)]
#[template(path = "accounts/password.html")]
struct PasswordPage {
    shell: Shell,
    first_time: bool,
    /// The problem, beside the field to retype.
    errors: FieldErrors,
    /// Where to go once the password is changed (a check-in the login was for), `/` for home.
    next: String,
}

pub(super) async fn password_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NextQuery>,
) -> AppResult<Html<String>> {
    let first_time = store::by_phone(&state.db, &user.phone).await?.is_some_and(|u| u.must_change_password);
    let next = safe_next(q.next.as_deref());
    let errors = FieldErrors::default();
    let page = PasswordPage { shell: Shell::new(&user, "修改密码", "me"), first_time, errors, next };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
    next: Option<String>,
}

labels! {
    NextQuery { next: "登录后前往的页面" }
    LoginForm { phone: "手机号码", password: "密码", next: "登录后前往的页面" }
    PasswordForm { current: "当前密码", new: "新密码", confirm: "再输一次新密码", next: "改完后前往的页面" }
}

pub(super) async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let account = store::by_phone(&state.db, &user.phone).await?.ok_or(AppError::NotFound)?;
    let next = safe_next(form.next.as_deref());
    let wait = state.config.hash_queue_wait;
    let matches = password::verify(form.current.clone(), account.password_hash.clone(), wait)
        .await
        .map_err(|_| AppError::TooManyAttempts(BUSY.into()))?;
    // Each problem beside the field to retype (passwords themselves are never shown again).
    let problem = if !matches {
        Some(("current", "当前密码不正确"))
    } else if form.new != form.confirm {
        Some(("confirm", "两次输入的新密码不一致"))
    } else if form.new == form.current {
        Some(("new", "新密码不能与当前密码相同"))
    } else {
        password::check_rule(&form.new).err().map(|rule| ("new", rule))
    };
    if let Some((field, problem)) = problem {
        let mut errors = FieldErrors::default();
        errors.add(field, problem);
        let page = PasswordPage {
            shell: Shell::new(&user, "修改密码", "me"),
            first_time: account.must_change_password,
            errors,
            next,
        };
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    }
    let hash = password::hash_for_request(form.new, wait)
        .await
        .map_err(|_| AppError::TooManyAttempts(BUSY.into()))??;
    let mut tx = state.db.begin().await?;
    store::set_password(&mut tx, user.user_id, &hash, false).await?;
    // Whoever else held the old password (a lost phone, a shared computer) is logged out.
    login_session::end_others(&mut tx, user.user_id, user.session_id).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::Password, &user.phone, "本人修改密码", true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&next, "密码已修改"))
}

/// Turns large-font mode on or off; works before login too.
pub(super) async fn toggle_font(headers: HeaderMap) -> Response {
    let large = !Prefs::from_headers(&headers).large_font;
    let cookie =
        axum_extra::extract::cookie::Cookie::build((FONT_COOKIE, if large { "large" } else { "normal" }))
            .path("/")
            .max_age(cookie::time::Duration::days(365))
            .build();
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()))
        .unwrap_or_else(|| "/".to_owned());
    let mut response = Redirect::to(&safe_next(Some(&back))).into_response();
    if let Ok(value) = cookie.to_string().parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/members?q=zs")), "/members?q=zs");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example/")), "/");
        assert_eq!(safe_next(Some("/\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
