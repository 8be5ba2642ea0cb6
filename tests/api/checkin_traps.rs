//! Check-in traps real use found (issue 8, item 14, and what item 8 left): the audience checked
//! as the page opens, a one-time password changed on the way and the check-in not lost, forms
//! that keep what was typed, the projector naming the code page, the demo member in the demo
//! session's audience, and every cookie Secure under --https.

use chrono::Utc;
use dongxun::checkin::code::{qr_token, six_digit_code, window_at};
use dongxun::web::WebConfig;
use reqwest::StatusCode;

use crate::form_input::field_error;
use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

fn token_back(secret: &str, windows: i64) -> String {
    qr_token(secret, window_at(Utc::now().timestamp()) - windows)
}

/// A member account of `member` logged in with a one-time password (as an admin's reset leaves it).
async fn one_time_member(app: &TestApp, phone: &str, member: i64) {
    let hash = dongxun::auth::password::hash(PASSWORD.to_owned()).await.unwrap();
    let user = dongxun::accounts::store::NewUser {
        phone,
        name: "张三",
        password_hash: &hash,
        role: dongxun::auth::Role::Member,
        unit_id: app.branch_a.id,
        member_id: Some(member),
        must_change_password: true,
    };
    let mut tx = app.db.begin().await.unwrap();
    dongxun::accounts::store::insert(&mut tx, &user).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_member_outside_the_audience_is_told_before_tapping_confirm() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_b.id).starts_in_minutes(-5).insert().await;
    let member = add_member(&app, app.branch_a.id, "党员甲", MEMBER).await;
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;
    let client = app.logged_in(MEMBER).await;
    let token = token_back(&session.secret, 0);
    let r = app.get(&client, &format!("/checkin/{}?t={token}", session.id)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert!(html.contains("您不在本场参学名单中") && !html.contains("确认签到"), "{html}");
}

#[tokio::test]
async fn login_to_check_in_with_a_one_time_password_changes_it_and_comes_back_to_check_in() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let zhang = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    one_time_member(&app, "13800001111", zhang).await;
    let client = app.client();
    let token = token_back(&session.secret, 0);
    let landing = format!("/checkin/{}?t={token}", session.id);
    let html = app.get(&client, &landing).await.text().await.unwrap();
    let next = format!("%2Fcheckin%2F{}%3Ft%3D{token}", session.id);
    assert!(html.contains(&format!("/login?next={next}")), "登录后签到 comes back here: {html}");

    // Login sends the one-time password to be changed, then on to the check-in.
    let csrf = app.csrf(&client, &format!("/login?next={next}")).await;
    let form = [("phone", "13800001111"), ("password", PASSWORD), ("csrf", &csrf), ("next", &landing)];
    let r = client.post(app.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(location(&r), format!("/password?next={next}"));
    // Any visitor page leads there too, and back (not treated as a stranger whose form then fails).
    let r = app.get(&client, &landing).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/password?next={next}"));
    let html = app.get(&client, &format!("/password?next={next}")).await.text().await.unwrap();
    assert!(html.contains(&format!(r#"name="next" value="{landing}""#)), "{html}");
    let csrf = extract_csrf(&html).unwrap();
    let change = [
        ("current", PASSWORD),
        ("new", "newpass2026"),
        ("confirm", "newpass2026"),
        ("csrf", &csrf),
        ("next", &landing),
    ];
    let r = client.post(app.url("/password")).form(&change).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), landing);

    // Minutes have passed: the code on the landing is some windows old, and still good.
    let older = format!("/checkin/{}?t={}", session.id, token_back(&session.secret, 4));
    let html = app.get(&client, &older).await.text().await.unwrap();
    assert!(html.contains("确认签到") && html.contains("张三"), "{html}");
    let r = app
        .post_form(&client, &format!("/checkin/{}", session.id), &[("t", &token_back(&session.secret, 4))])
        .await;
    assert!(r.text().await.unwrap().contains("签到成功"));
    assert_eq!(app.count("attendances").await, 1);
}

#[tokio::test]
async fn a_visitor_not_recognised_gets_the_form_back_as_typed_with_a_retry() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let client = app.client();
    let token = token_back(&session.secret, 0);
    let csrf = app.csrf(&client, &format!("/checkin/{}?t={token}", session.id)).await;
    let form = [("t", token.as_str()), ("name", "张山"), ("phone", "13800001111"), ("csrf", &csrf)];
    let r = client.post(app.url(&format!("/checkin/{}", session.id))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"value="张山""#) && html.contains(r#"value="13800001111""#), "{html}");
    assert!(field_error(&html, "who").is_none());
    assert!(html.contains(r#"id="who-error""#) && html.contains("没有找到与姓名和手机号都相符"));
    assert!(html.contains("重试签到") && html.contains(&format!(r#"name="t" value="{token}""#)));
    assert_eq!(app.count("attendances").await, 0);

    // The six-digit code: a wrong code keeps the name and phone, the reason beside the code.
    let window = window_at(Utc::now().timestamp());
    let accepted: Vec<String> =
        (window - 1..=window + 1).map(|w| six_digit_code(&session.secret, w)).collect();
    let wrong = (0..).map(|n| format!("{n:06}")).find(|c| !accepted.contains(c)).unwrap();
    let r = app
        .post_form(&client, "/checkin", &[("code", &wrong), ("name", "张三"), ("phone", "13800001111")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="code-error""#) && html.contains("签到码不正确或已过期"));
    assert!(html.contains(r#"value="张三""#) && html.contains(r#"value="13800001111""#));
    assert!(html.contains(&format!(r#"value="{wrong}""#)));

    // An expired QR offers 重试 at the code page, not a dead end.
    let r = app.get(&client, &format!("/checkin/{}?t={}", session.id, token_back(&session.secret, 20))).await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("二维码已过期") && html.contains(r#"href="/checkin" data-retry>重试</a>"#),
        "{html}"
    );
}

#[tokio::test]
async fn the_projector_shows_the_code_page_address() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let staff = app.logged_in(STATION_A).await;
    let html = app.get(&staff, &format!("/sessions/{}/projector", session.id)).await.text().await.unwrap();
    let shown = format!(r#"id="code-page-address">{}/checkin</p>"#, app.address);
    assert!(html.contains(&shown), "{html}");
}

#[tokio::test]
async fn the_demo_member_is_in_the_audience_of_the_demo_session() {
    let (_, db, dir) = spawn_empty_app().await;
    let vault = dongxun::people::IdCardVault::unlock(&db, &key_file(&dir)).await.unwrap();
    assert!(dongxun::demo::seed_if_empty(&db, &vault).await.unwrap());
    let everything = dongxun::org::Scope::whole_tree();
    let far = chrono::Duration::days(3650);
    let sessions = dongxun::schedule::store::sessions::between(
        &db,
        Utc::now() - far,
        Utc::now() + far,
        Some(&everything),
        "",
    )
    .await
    .unwrap();
    let demo = sessions.iter().find(|s| s.title == "冬训夜校（演示签到）").expect("the demo session");
    let member = dongxun::auth::store::by_phone(&db, dongxun::demo::DEMO_MEMBER_PHONE)
        .await
        .unwrap()
        .and_then(|u| u.member_id)
        .expect("the demo member's account is a member's");
    let campaign = dongxun::campaign::store::by_id(&db, demo.campaign_id).await.unwrap().unwrap();
    assert!(
        dongxun::campaign::audience::session_admits(&db, &campaign, &demo.audience_path, member)
            .await
            .unwrap(),
        "README: the demo member can check in to {}",
        demo.title
    );
}

#[tokio::test]
async fn under_https_every_cookie_is_secure_the_first_visit_token_too() {
    let app = spawn_app_with(WebConfig { https: true, ..WebConfig::default() }).await;
    let client = app.client();
    let first = app.get(&client, "/login").await;
    let cookies: Vec<String> =
        first.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("dx_csrf=")), "{cookies:?}");
    assert!(cookies.iter().all(|c| c.contains("; Secure")), "{cookies:?}");
    let token = extract_csrf(&first.text().await.unwrap()).unwrap();
    let r = client.post(app.url("/preferences/font")).form(&[("csrf", token.as_str())]).send().await.unwrap();
    let font: Vec<String> =
        r.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
    assert!(font.iter().any(|c| c.starts_with("dx_font=") && c.contains("; Secure")), "{font:?}");
    let r = app.login_response(&client, COMMITTEE, PASSWORD).await;
    let all: Vec<String> =
        r.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
    assert!(all.len() >= 2 && all.iter().all(|c| c.contains("; Secure")), "{all:?}");
    // A flash message's cookie too.
    let committee = app.logged_in(COMMITTEE).await;
    let r = app.post_form(&committee, "/logout", &[]).await;
    let all: Vec<String> =
        r.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
    assert!(all.iter().all(|c| c.contains("; Secure")), "{all:?}");
    // Plain http: no Secure (the browser would drop the cookie).
    let app = spawn_app().await;
    let first = app.get(&app.client(), "/login").await;
    assert!(!first.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().contains("Secure")));
}
