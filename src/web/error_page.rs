//! Error pages framed like every other page. [`AppError`](super::AppError) renders its page
//! without seeing the request, so it cannot know who is asking or where they came from; this
//! middleware (outside the handlers and the CSRF check) sees both and renders the page again: the
//! app's header and the person's navigation, the message, a 返回 link to the page they came from,
//! and a 重试 where trying again can help. No error page is a dead end.

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;

use super::csrf::{ANONYMOUS_COOKIE, cookie_value};
use super::error::{ErrorAnswer, error_title};
use super::htmx::is_htmx;
use super::shell::{Shell, ShellSource};

#[derive(Template)]
#[template(path = "web/error.html")]
pub(super) struct ErrorPage<'a> {
    pub(super) shell: Shell,
    pub(super) message: &'a str,
    /// The page the person came from (on this site), or home.
    pub(super) back: String,
    /// Where trying again goes, when it can help.
    pub(super) retry: Option<String>,
}

/// The middleware: page requests whose answer is an error page get it framed for the person.
pub async fn frame_errors<S: ShellSource>(State(source): State<S>, request: Request, next: Next) -> Response {
    if is_htmx(request.headers()) {
        return next.run(request).await;
    }
    let mut headers = request.headers().clone();
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let response = next.run(request).await;
    let Some(ErrorAnswer::Message(message)) = response.extensions().get::<ErrorAnswer>().cloned() else {
        return response;
    };
    let status = response.status();
    // A first visit's token was minted on the way in: the page's forms carry it too.
    if cookie_value(&headers, ANONYMOUS_COOKIE).is_none()
        && let Some(minted) = minted_token(response.headers())
        && let Ok(value) = HeaderValue::from_str(&format!("{ANONYMOUS_COOKIE}={minted}"))
    {
        headers.append(header::COOKIE, value);
    }
    let shell = source.shell(&headers, error_title(status)).await;
    let back = came_from(&headers).unwrap_or_else(|| "/".to_owned());
    let page = ErrorPage { shell, message: &message, retry: retry(&method, &uri, status, &back), back };
    let Ok(body) = page.render() else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    Response::from_parts(parts, Body::from(body))
}

/// The anonymous token the CSRF middleware set on this response, if it minted one.
fn minted_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix(&format!("{ANONYMOUS_COOKIE}=")).map(str::to_owned))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .next()
}

/// The path of the page that sent the person here, when it is a page of this site (the
/// `Referer`'s host is this `Host`). Browsers send it only for this site (`Referrer-Policy:
/// same-origin`); anything else — another host, a path a browser would read as another host —
/// gives nothing, and the page offers home instead.
fn came_from(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?.parse::<Uri>().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let path = referer.path_and_query()?.as_str();
    let same_site = referer.authority().is_some_and(|a| a.as_str() == host);
    let plain = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    (same_site && plain).then(|| path.to_owned())
}

/// Where 重试 goes: a page that failed for a reason that may pass (too many tries, the server
/// busy or failing) is loaded again; a refused form goes back to the form it was sent from (a
/// check-in whose form expired starts again with a fresh one). Otherwise there is nothing to retry.
fn retry(method: &Method, uri: &Uri, status: StatusCode, back: &str) -> Option<String> {
    let transient = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
    if *method == Method::GET || *method == Method::HEAD {
        let here = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        transient.then_some(here)
    } else {
        (back != "/").then(|| back.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn back_leads_only_to_this_site() {
        let here = |referer| headers(&[("host", "127.0.0.1:8080"), ("referer", referer)]);
        assert_eq!(
            came_from(&here("http://127.0.0.1:8080/checkin/3?t=ab")).as_deref(),
            Some("/checkin/3?t=ab")
        );
        assert_eq!(came_from(&here("http://evil.example/x")), None);
        assert_eq!(came_from(&here("http://127.0.0.1:8080//evil.example/")), None);
        assert_eq!(came_from(&headers(&[("host", "127.0.0.1:8080")])), None);
    }

    #[test]
    fn a_refused_form_is_retried_from_the_form_and_a_busy_page_reloads() {
        let uri: Uri = "/checkin/3?t=ab".parse().unwrap();
        assert_eq!(
            retry(&Method::POST, &uri, StatusCode::FORBIDDEN, "/checkin/3?t=ab").as_deref(),
            Some("/checkin/3?t=ab")
        );
        assert_eq!(retry(&Method::POST, &uri, StatusCode::FORBIDDEN, "/"), None);
        assert_eq!(
            retry(&Method::GET, &uri, StatusCode::TOO_MANY_REQUESTS, "/").as_deref(),
            Some("/checkin/3?t=ab")
        );
        assert_eq!(retry(&Method::GET, &uri, StatusCode::NOT_FOUND, "/"), None);
    }

    #[test]
    fn the_minted_token_is_read_from_the_cookie_set() {
        let h = headers(&[("set-cookie", "dx_csrf=abc; HttpOnly; Path=/")]);
        assert_eq!(minted_token(&h).as_deref(), Some("abc"));
        assert_eq!(minted_token(&headers(&[])), None);
    }
}
