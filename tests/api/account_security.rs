//! Passwords and sessions: a change ends the other logins, common passwords are refused, the CSRF
//! token belongs to the login, and station admins cannot manage their peers.

use reqwest::{Client, Response, StatusCode};

use crate::helpers::*;
use crate::login_guard::account_id;

async fn change_password(app: &TestApp, client: &Client, new: &str) -> Response {
    app.post_form(client, "/password", &[("current", PASSWORD), ("new", new), ("confirm", new)]).await
}

#[tokio::test]
async fn changing_the_password_ends_the_other_logins() {
    let app = spawn_app().await;
    let here = app.logged_in(MEMBER).await;
    let elsewhere = app.logged_in(MEMBER).await;
    let r = change_password(&app, &here, "Lantern7river").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&here, "/").await.status(), StatusCode::OK, "the login that changed it stays");
    let r = app.get(&elsewhere, "/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
}

#[tokio::test]
async fn common_passwords_are_refused() {
    let app = spawn_app().await;
    let client = app.logged_in(MEMBER).await;
    for common in ["password1", "Woaini1314", "qwerty123"] {
        let r = change_password(&app, &client, common).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{common}");
        assert!(r.text().await.unwrap().contains("这个密码太常见"), "{common}");
    }
}

fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        c.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap().to_owned())
    })
}

#[tokio::test]
async fn the_pre_login_csrf_token_dies_at_login() {
    let app = spawn_app().await;
    // A client that keeps no cookies: every cookie is sent by hand, as a planting attacker would.
    let bare = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = bare.get(app.url("/login")).send().await.unwrap();
    let anonymous = set_cookie(&page, "dx_csrf").expect("anonymous cookie");
    let token = extract_csrf(&page.text().await.unwrap()).unwrap();
    assert_eq!(token, anonymous);
    let r = bare
        .post(app.url("/login"))
        .header("cookie", format!("dx_csrf={anonymous}"))
        .form(&[("phone", COMMITTEE), ("password", PASSWORD), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&r, "dx_session").expect("session cookie");
    let rotated = set_cookie(&r, "dx_csrf").expect("login rotates the anonymous token");
    assert_ne!(rotated, anonymous);
    // The old value, even sent back as the cookie, no longer passes for the logged-in user.
    let r = bare
        .post(app.url("/logout"))
        .header("cookie", format!("dx_session={session}; dx_csrf={anonymous}"))
        .form(&[("csrf", &anonymous)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("sessions").await, 1, "the login is still there");
}

#[tokio::test]
async fn a_station_admin_cannot_manage_another_station_admin() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let unit = app.village_a.id.to_string();
    let fields =
        [("name", "甲村副书记"), ("phone", "13655557777"), ("role", "station_admin"), ("unit_id", &unit)];
    assert_eq!(app.post_form(&committee, "/accounts", &fields).await.status(), StatusCode::OK);
    let peer = account_id(&app, "13655557777").await;
    let station = app.logged_in(STATION_A).await;
    let reset = format!("/accounts/{peer}/reset-password");
    let list = app.get(&station, "/accounts").await.text().await.unwrap();
    assert!(list.contains("甲村副书记") && !list.contains(&reset), "no buttons that would be refused");
    assert_eq!(app.post_form(&station, &reset, &[]).await.status(), StatusCode::FORBIDDEN);
    let role = [("role", "member"), ("unit_id", unit.as_str())];
    let r = app.post_form(&station, &format!("/accounts/{peer}/role"), &role).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.post_form(&station, &format!("/accounts/{peer}/active"), &[("active", "false")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The committee still can.
    assert_eq!(app.post_form(&committee, &reset, &[]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_hsts_is_sent() {
    use dongxun::web::WebConfig;
    // Plain http by default: no Secure flag (the browser would drop the cookie), no HSTS.
    let app = spawn_app().await;
    let r = app.login_response(&app.client(), COMMITTEE, PASSWORD).await;
    assert!(!r.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().contains("Secure")));
    assert!(r.headers().get("strict-transport-security").is_none());
    // A trusted proxy saying https makes the login cookies Secure.
    let loopback = "127.0.0.1".parse().unwrap();
    let app = spawn_app_with(WebConfig { trusted_proxies: vec![loopback], ..WebConfig::default() }).await;
    let client = app.client();
    let token = app.csrf(&client, "/login").await;
    let r = client
        .post(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .form(&[("phone", COMMITTEE), ("password", PASSWORD), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    let cookies: Vec<_> =
        r.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
    assert!(cookies.iter().all(|c| c.contains("; Secure")), "{cookies:?}");
    // --https: Secure cookies and HSTS on every response.
    let app = spawn_app_with(WebConfig { https: true, ..WebConfig::default() }).await;
    let r = app.login_response(&app.client(), COMMITTEE, PASSWORD).await;
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("dx_session="));
    assert!(session.unwrap().contains("Secure"));
    let page = app.get(&app.client(), "/login").await;
    assert_eq!(page.headers()["strict-transport-security"], "max-age=31536000");
}
