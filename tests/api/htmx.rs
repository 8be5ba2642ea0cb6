//! Answers to htmx requests (`HX-Request: true`): no session → `HX-Redirect` to the login page
//! (never a 303, which the browser would follow and htmx swap into the row); a refusal → the same
//! status with the Chinese message alone, for the form's error area. Page requests keep their
//! redirects and whole error pages.

use std::time::Duration;

use dongxun::web::WebConfig;
use reqwest::{Client, Response, StatusCode};

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// An htmx GET, as htmx sends it from the page at `page`.
async fn htmx_get(app: &TestApp, client: &Client, path: &str, page: &str) -> Response {
    client
        .get(app.url(path))
        .header("HX-Request", "true")
        .header("HX-Current-URL", app.url(page))
        .send()
        .await
        .unwrap()
}

/// An htmx POST with the page's CSRF token in the header, as static/app.js sends it.
async fn htmx_post(
    app: &TestApp,
    client: &Client,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
) -> Response {
    client
        .post(app.url(path))
        .header("HX-Request", "true")
        .header("HX-Current-URL", app.url("/members"))
        .header("X-CSRF-Token", token)
        .form(fields)
        .send()
        .await
        .unwrap()
}

fn hx_redirect(response: &Response) -> Option<String> {
    response.headers().get("hx-redirect").map(|v| v.to_str().unwrap().to_owned())
}

/// The exact body of an htmx refusal.
fn fragment(message: &str) -> String {
    format!(r#"<p class="error" role="alert" data-error-message>{message}</p>"#)
}

#[tokio::test]
async fn without_a_session_htmx_is_sent_to_login_for_the_whole_page() {
    let app = spawn_app().await;
    let client = app.client();
    let r = htmx_get(&app, &client, "/sessions/1/roll-call?q=zs&fragment=true", "/sessions/1/roll-call?q=zs")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("location").is_none());
    assert_eq!(hx_redirect(&r).as_deref(), Some("/login?next=%2Fsessions%2F1%2Froll-call%3Fq%3Dzs"));
    assert_eq!(r.text().await.unwrap(), "", "nothing to swap into the page");

    // Without HX-Current-URL, the request's own path.
    let r = client.get(app.url("/members")).header("HX-Request", "true").send().await.unwrap();
    assert_eq!(hx_redirect(&r).as_deref(), Some("/login?next=%2Fmembers"));

    // A page load keeps its 303.
    let r = app.get(&client, "/members").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Fmembers");
    assert!(hx_redirect(&r).is_none());
}

#[tokio::test]
async fn an_htmx_post_after_the_session_ended_goes_to_login_not_a_csrf_refusal() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let token = app.csrf(&client, "/").await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let reveal = format!("/members/{member}/reveal");
    // Ended on the server (logged out in another tab, a password reset): the cookie stays.
    app.execute("DELETE FROM sessions").await;
    let r = htmx_post(&app, &client, &reveal, &token, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(hx_redirect(&r).as_deref(), Some("/login?next=%2Fmembers"));
    // The same request as a plain form still says the form expired.
    let r = client.post(app.url(&reveal)).form(&[("csrf", token.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("表单已过期"));
    assert!(app.audit("unmask").await.is_empty(), "nothing was revealed");
}

#[tokio::test]
async fn an_idle_session_on_htmx_goes_to_login() {
    let app =
        spawn_app_with(WebConfig { session_idle: Duration::from_secs(1), ..WebConfig::default() }).await;
    let client = app.logged_in(COMMITTEE).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = htmx_get(&app, &client, "/members?fragment=true", "/members").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(hx_redirect(&r).as_deref(), Some("/login?next=%2Fmembers"));
}

#[tokio::test]
async fn a_one_time_password_on_htmx_goes_to_the_password_page() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    app.execute(&format!("UPDATE users SET must_change_password = TRUE WHERE phone = '{COMMITTEE}'")).await;
    let r = htmx_get(&app, &client, "/members", "/members").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(hx_redirect(&r).as_deref(), Some("/password"));
}

#[tokio::test]
async fn htmx_refusals_answer_the_message_alone() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let under_way = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let tomorrow = app.session(campaign, app.village_a.id).starts_in_minutes(24 * 60).insert().await;
    let insider = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let outsider = add_member(&app, app.branch_b.id, "乙村人", "13800004444").await;
    let staff = app.logged_in(STATION_A).await;
    let token = app.csrf(&staff, "/").await;
    let tick = |id: i64| format!("/sessions/{id}/roll-call");

    let r =
        htmx_post(&app, &staff, &tick(under_way.id), &token, &[("member_id", &outsider.to_string())]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(r.text().await.unwrap(), fragment("页面不存在，或您无权查看"));

    let r = htmx_post(&app, &staff, &tick(tomorrow.id), &token, &[("member_id", &insider.to_string())]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.text().await.unwrap(), fragment("签到还没开始"));

    // A live session but a stale token: the form did expire.
    let r = htmx_post(&app, &staff, &tick(under_way.id), &"0".repeat(64), &[("member_id", "1")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.text().await.unwrap(), fragment("表单已过期，请返回刷新页面后重新提交"));

    // Refused before any handler (the form does not parse): the field named in Chinese, never
    // axum's English.
    let r = htmx_post(&app, &staff, &tick(under_way.id), &token, &[("member_id", "abc")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.text().await.unwrap(), fragment("「党员」格式不正确"));
    assert_eq!(app.count("attendances").await, 0);

    // The same refusal to a page load is the whole error page.
    let r = app.post_form(&staff, &tick(tomorrow.id), &[("member_id", &insider.to_string())]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("签到还没开始"), "{html}");
}
