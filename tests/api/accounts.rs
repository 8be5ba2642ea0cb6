//! Login, lockout, logout, CSRF, one-time passwords, idle timeout.

use std::time::Duration;

use dongxun::web::WebConfig;
use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn login_with_the_right_password_starts_a_session() {
    let app = spawn_app().await;
    let client = app.client();
    let response = app.login_response(&client, COMMITTEE, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("dx_session="));
    let cookie = cookie.expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let home = app.get(&client, "/").await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("街道管理员"));
    assert_eq!(app.audit("login").await[0], format!("{COMMITTEE}|登录成功|true"));
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong = app.login_response(&app.client(), COMMITTEE, "nope12345").await;
    let unknown = app.login_response(&app.client(), "13712345678", "nope12345").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    assert!(a.contains("手机号或密码不正确") && b.contains("手机号或密码不正确"));
    assert_eq!(app.audit("login").await.len(), 2);
    assert!(app.audit("login").await.iter().all(|e| e.ends_with("|false")));
}

#[tokio::test]
async fn five_failures_make_the_next_attempt_wait_even_with_the_right_password() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let r = app.login_response(&app.client(), STATION_A, "wrong-pass1").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app.login_response(&app.client(), STATION_A, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("登录失败次数过多"));
    // Unknown accounts are locked the same way, so lockout does not reveal which accounts exist.
    let app = spawn_app().await;
    for _ in 0..5 {
        app.login_response(&app.client(), "13712345678", "wrong-pass1").await;
    }
    let r = app.login_response(&app.client(), "13712345678", "wrong-pass1").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn failures_from_one_address_lock_that_address_across_accounts() {
    let app = spawn_app().await;
    for i in 0..dongxun::auth::throttle::ADDRESS_LIMIT {
        app.login_response(&app.client(), &format!("137111{i:05}"), "wrong-pass1").await;
    }
    let r = app.login_response(&app.client(), COMMITTEE, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let cookie_jar_copy = app.client();
    // Reuse the same session token from a second client after logout: it must be dead.
    let token = app.csrf(&client, "/").await;
    let sessions_before = app.count("sessions").await;
    let r = client.post(app.url("/logout")).form(&[("csrf", token.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("sessions").await, sessions_before - 1);
    let after = app.get(&client, "/members").await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert!(location(&after).starts_with("/login"));
    drop(cookie_jar_copy);
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let before = app.count("units").await;
    let fields =
        [("parent_id", app.root.id.to_string()), ("kind", "station".into()), ("name", "伪造村".into())];
    let r = client.post(app.url("/org/units")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("表单已过期"));
    let mut forged = fields.to_vec();
    forged.push(("csrf", "0".repeat(64)));
    let r = client.post(app.url("/org/units")).form(&forged).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The login form is protected too (no cookie, no token).
    let r = app
        .client()
        .post(app.url("/login"))
        .form(&[("phone", COMMITTEE), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("units").await, before);
}

#[tokio::test]
async fn a_new_account_must_change_its_one_time_password_first() {
    let app = spawn_app().await;
    let admin = app.logged_in(STATION_A).await;
    let r = app
        .post_form(
            &admin,
            "/accounts",
            &[
                ("name", "新宣讲员"),
                ("phone", "13655556666"),
                ("role", "lecturer"),
                ("unit_id", &app.village_a.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let marker = "id=\"one-time-password\">";
    let start = html.find(marker).expect("password shown") + marker.len();
    let one_time = html[start..start + 10].to_owned();

    let client = app.client();
    let r = app.login_response(&client, "13655556666", &one_time).await;
    assert_eq!(location(&r), "/password");
    let r = app.get(&client, "/").await;
    assert_eq!(location(&r), "/password", "every page sends them to change the password");
    let weak = app
        .post_form(&client, "/password", &[("current", &one_time), ("new", "short"), ("confirm", "short")])
        .await;
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    let ok = app
        .post_form(
            &client,
            "/password",
            &[("current", &one_time), ("new", "mynew2021pw"), ("confirm", "mynew2021pw")],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&client, "/").await.status(), StatusCode::OK);
    assert!(app.audit("account_create").await[0].starts_with("13655556666|新宣讲员，宣讲员"));
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app =
        spawn_app_with(WebConfig { session_idle: Duration::from_secs(1), ..WebConfig::default() }).await;
    let client = app.logged_in(COMMITTEE).await;
    assert_eq!(app.get(&client, "/").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = app.get(&client, "/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
}

#[tokio::test]
async fn station_admins_cannot_grant_committee_rights_and_role_changes_are_audited() {
    let app = spawn_app().await;
    let admin = app.logged_in(STATION_A).await;
    let r = app
        .post_form(
            &admin,
            "/accounts",
            &[
                ("name", "越权者"),
                ("phone", "13655557777"),
                ("role", "committee_admin"),
                ("unit_id", &app.village_a.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("不能授予该角色"));

    let committee = app.logged_in(COMMITTEE).await;
    let volunteer = dongxun::auth::store::by_phone(&app.db, VOLUNTEER).await.unwrap().unwrap();
    let path = format!("/accounts/{}/role", volunteer.id);
    let r = app
        .post_form(&committee, &path, &[("role", "lecturer"), ("unit_id", &app.village_a.id.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(app.audit("role_change").await[0].contains("志愿者 → 宣讲员"));
}

#[tokio::test]
async fn large_font_mode_persists_in_a_cookie() {
    let app = spawn_app().await;
    let client = app.client();
    let token = app.csrf(&client, "/login").await;
    let r = client.post(app.url("/preferences/font")).form(&[("csrf", token.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.get(&client, "/login").await.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\" class=\"large\">"));
}

#[tokio::test]
async fn a_new_account_is_a_member_unless_chosen_otherwise_and_a_mistake_keeps_the_form() {
    let app = spawn_app().await;
    let admin = app.logged_in(STATION_A).await;
    let html = app.get(&admin, "/accounts/new").await.text().await.unwrap();
    let select = html.split("name=\"role\">").nth(1).unwrap();
    assert!(select.starts_with("<option value=\"member\""), "least privilege first: {select}");
    let order: Vec<usize> = ["\"member\"", "\"volunteer\"", "\"lecturer\"", "\"station_admin\""]
        .iter()
        .map(|c| select.find(c).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    let unit = app.branch_a.id.to_string();
    let r = app
        .post_form(
            &admin,
            "/accounts",
            &[("name", "王志愿"), ("phone", "1380000"), ("role", "volunteer"), ("unit_id", &unit)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"王志愿\"") && html.contains("value=\"1380000\""), "{html}");
    assert!(html.contains("<option value=\"volunteer\" selected>"), "the chosen role is kept");
    assert!(html.contains(&format!("<option value=\"{unit}\" selected>")), "the chosen unit is kept");
}
