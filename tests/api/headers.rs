//! Response headers (issue 8, item 8): nosniff everywhere, no caching of personal data, a CSP
//! that stops an injected <base> or a form posting elsewhere.

use reqwest::Response;

use crate::helpers::*;

fn header<'a>(r: &'a Response, name: &str) -> &'a str {
    r.headers().get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

#[tokio::test]
async fn every_response_says_nosniff_and_personal_data_is_never_cached() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    for path in ["/members", "/accounts", "/coverage", "/audit", "/members/export", "/no-such-page"] {
        let r = app.get(&client, path).await;
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&r, "cache-control"), "no-store", "{path}: {}", r.status());
        let csp = header(&r, "content-security-policy");
        assert!(csp.contains("base-uri 'none'") && csp.contains("form-action 'self'"), "{path}: {csp}");
    }
    // The login page too, and static files keep their cache.
    let r = app.get(&app.client(), "/login").await;
    assert_eq!(header(&r, "cache-control"), "no-store");
    let r = app.get(&app.client(), "/static/app.css").await;
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    assert_eq!(header(&r, "cache-control"), "public, max-age=3600");
}
