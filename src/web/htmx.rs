//! Error answers for htmx requests.
//!
//! htmx fetches a fragment and swaps it into part of the page, so the answers meant for a whole
//! page go wrong there: the browser's fetch follows a 303 to the login page by itself and htmx
//! swaps that whole page into, say, a roll-call row; and htmx does not swap 4xx answers at all,
//! so a refused form would fail without a word. For requests carrying `HX-Request: true`, this
//! middleware (outside every handler and the CSRF check) rewrites what the error said it means
//! ([`ErrorAnswer`], in the response's extensions):
//! - sign in / change the password → `200` with `HX-Redirect`, so htmx loads the target as the
//!   whole page; sign-in comes back to the page the person was on (`HX-Current-URL`);
//! - a refusal (any 4xx or 5xx) → the same status with just the Chinese message as a fragment
//!   (`<p class="error" data-error-message>…</p>`), which `static/app.js` shows in the form's
//!   error area.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;

use super::error::{ErrorAnswer, error_title, fragment, urlencode};

/// Whether the request was sent by htmx rather than loaded as a page.
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|value| value == "true")
}

/// The middleware: leaves page requests alone and rewrites error answers to htmx requests.
pub async fn answer_errors(request: Request, next: Next) -> Response {
    if !is_htmx(request.headers()) {
        return next.run(request).await;
    }
    let page = current_page(request.headers(), request.uri());
    let response = next.run(request).await;
    let answer = response.extensions().get::<ErrorAnswer>().cloned();
    match answer {
        Some(ErrorAnswer::SignIn) => whole_page_to(response, &format!("/login?next={}", urlencode(&page))),
        Some(ErrorAnswer::ChangePassword) => whole_page_to(response, "/password"),
        Some(ErrorAnswer::Message(message)) => message_only(response, &message),
        // An error no handler or extractor produced (axum's own, e.g. a wrong method): its body
        // is not meant for people, so say in Chinese what the status means.
        None if response.status().is_client_error() || response.status().is_server_error() => {
            let message = format!("{}，请刷新页面后重试", error_title(response.status()));
            message_only(response, &message)
        }
        None => response,
    }
}

/// The page the person is on: `HX-Current-URL`'s path and query when htmx sent it (the request's
/// own path is a fragment's address, e.g. `…?fragment=true`), else the request's path.
fn current_page(headers: &HeaderMap, uri: &Uri) -> String {
    headers
        .get("hx-current-url")
        .and_then(|value| value.to_str().ok())
        .and_then(|url| url.parse::<Uri>().ok())
        .and_then(|url| url.path_and_query().map(|p| p.as_str().to_owned()))
        .filter(|path| path.starts_with('/'))
        .unwrap_or_else(|| uri.path().to_owned())
}

/// `200` with `HX-Redirect`: htmx then loads `target` as the whole page. Not a 3xx, which the
/// browser's fetch would follow by itself before htmx sees it.
fn whole_page_to(response: Response, target: &str) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.status = StatusCode::OK;
    parts.headers.remove(header::LOCATION);
    parts.headers.remove(header::CONTENT_LENGTH);
    // The target is percent-encoded ASCII; should it ever not be, the login page will do.
    let value = HeaderValue::from_str(target).unwrap_or(HeaderValue::from_static("/login"));
    parts.headers.insert("hx-redirect", value);
    Response::from_parts(parts, Body::empty())
}

/// The same status (and cookies), with the message alone as the body.
fn message_only(response: Response, message: &str) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, Body::from(fragment(message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn only_htmx_requests_are_htmx() {
        assert!(is_htmx(&headers(&[("hx-request", "true")])));
        assert!(!is_htmx(&headers(&[("hx-request", "false")])));
        assert!(!is_htmx(&headers(&[])));
    }

    #[test]
    fn the_page_comes_from_hx_current_url_else_the_request_path() {
        let uri: Uri = "/sessions/7/roll-call?fragment=true&q=zs".parse().unwrap();
        let from_htmx = headers(&[("hx-current-url", "http://127.0.0.1:8080/sessions/7/roll-call?q=zs")]);
        assert_eq!(current_page(&from_htmx, &uri), "/sessions/7/roll-call?q=zs");
        assert_eq!(current_page(&headers(&[]), &uri), "/sessions/7/roll-call");
        let garbled = headers(&[("hx-current-url", "not a url")]);
        assert_eq!(current_page(&garbled, &uri), "/sessions/7/roll-call");
    }
}
