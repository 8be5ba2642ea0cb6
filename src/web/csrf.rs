//! CSRF protection for every form: a middleware refuses any unsafe request whose token does not
//! match.
//!
//! Logged-in forms carry the session's own token, and while a login session is live only that token
//! is accepted; the login form (there is no session yet) carries the `dx_csrf` cookie's value
//! (double submit), which login replaces ([`rotated_anonymous_cookie`]) so that a value seen or
//! planted before login is worth nothing afterwards. The token arrives as the `csrf` form field, the
//! `X-CSRF-Token` header (htmx), or for multipart uploads the `csrf` query parameter, because the
//! body of a large upload should not be buffered twice.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};

use rand::RngCore;

use super::{AppError, htmx};

/// The cookie that carries the pre-login token.
pub const ANONYMOUS_COOKIE: &str = "dx_csrf";
const MAX_FORM_BYTES: usize = 256 * 1024;

/// 32 random bytes as hex: login-session tokens, CSRF tokens, check-in secrets.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Answers the one question the middleware has about logins: which CSRF token belongs to the
/// login session this request's cookies name, if any. Login sessions live in `auth`; the shell
/// is given this answerer when the router is assembled.
pub trait SessionCsrf: Clone + Send + Sync + 'static {
    /// The live login session's CSRF token, if the request carries one.
    fn session_token(
        &self,
        headers: &HeaderMap,
    ) -> impl std::future::Future<Output = Result<Option<String>, AppError>> + Send;
}

/// The middleware: sets the anonymous cookie when missing and checks unsafe methods.
pub async fn protect<S: SessionCsrf>(
    State(sessions): State<S>,
    mut request: Request,
    next: Next,
) -> Response {
    let anonymous = cookie_value(request.headers(), ANONYMOUS_COOKIE);
    let minted = match anonymous {
        Some(_) => None,
        None => {
            // A first visit: mint the token now and show it to the handler as if the browser had
            // sent it, so the very first login page already carries a token that will match.
            let token = random_token();
            if let Ok(value) = HeaderValue::from_str(&format!("{ANONYMOUS_COOKIE}={token}")) {
                request.headers_mut().append(header::COOKIE, value);
            }
            Some(token)
        }
    };
    let checked = if is_safe(request.method()) {
        Ok(request)
    } else {
        check(&sessions, request, anonymous.as_deref()).await
    };
    // A refused first visit keeps its token too: the error page's way back works with it.
    let mut response = match checked {
        Ok(request) => next.run(request).await,
        Err(error) => error.into_response(),
    };
    if let Some(token) = minted {
        response.headers_mut().append(header::SET_COOKIE, anonymous_cookie(&token, false));
    }
    response
}

fn anonymous_cookie(token: &str, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((ANONYMOUS_COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("a hex token makes an ASCII cookie")
}

/// A fresh anonymous token's cookie, for login to set: the value the browser held before login is
/// not accepted again, not even after logout. `secure` when served over https.
pub fn rotated_anonymous_cookie(secure: bool) -> HeaderValue {
    anonymous_cookie(&random_token(), secure)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn check(
    sessions: &impl SessionCsrf,
    request: Request,
    anonymous: Option<&str>,
) -> Result<Request, AppError> {
    let from_session = sessions.session_token(request.headers()).await?;
    let live_session = from_session.is_some();
    // The token is bound to the login: with a live session only its own token will do, never the
    // anonymous one a page rendered before login (or another site's planted cookie) carries.
    let Some(expected) = from_session.or_else(|| anonymous.map(str::to_owned)) else {
        return Err(refusal(live_session, &request));
    };
    let (submitted, request) = submitted_token(request).await?;
    match submitted {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => Ok(request),
        _ => Err(refusal(live_session, &request)),
    }
}

/// Why a request without a matching token is refused. htmx sends the token of the session the
/// page was rendered for; with that session over (logged out elsewhere, ended by a password
/// reset, cookie gone) signing in again is the answer, not "the form expired". Nothing runs either
/// way, and no other site can send the HX-Request header without a CORS preflight this server
/// never grants.
fn refusal(live_session: bool, request: &Request) -> AppError {
    if !live_session && htmx::is_htmx(request.headers()) {
        AppError::Unauthenticated { next: request.uri().path().to_owned() }
    } else {
        AppError::Csrf
    }
}

/// Finds the submitted token, rebuilding the request when the body had to be read.
async fn submitted_token(request: Request) -> Result<(Option<String>, Request), AppError> {
    if let Some(token) = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return Ok((Some(token.to_owned()), request));
    }
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if content_type.starts_with("multipart/form-data") {
        let token = request.uri().query().and_then(|q| field(q.as_bytes(), "csrf"));
        return Ok((token, request));
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let (parts, body) = request.into_parts();
        let bytes = to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| AppError::PayloadTooLarge("提交的表单内容过多".into()))?;
        let token = field(&bytes, "csrf");
        return Ok((token, Request::from_parts(parts, Body::from(bytes))));
    }
    Ok((None, request))
}

fn field(encoded: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(encoded).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

/// Reads one cookie from the request headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_owned()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_csrf_field_among_others() {
        assert_eq!(field(b"a=1&csrf=abc%2B&b=2", "csrf").as_deref(), Some("abc+"));
        assert_eq!(field(b"a=1", "csrf"), None);
    }

    #[test]
    fn compares_tokens_exactly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
