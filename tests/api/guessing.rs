//! Identification by name and phone and the six-digit code (issue 8, item 5): a stranger learns
//! nothing about who is a member, and guesses run out.

use std::time::Duration;

use chrono::Utc;
use dongxun::checkin::code::{qr_token, window_at};
use dongxun::checkin::limits::{Budget, GuessLimits};
use dongxun::web::WebConfig;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// Check-in by QR as a visitor: the text of the answer page between the headline and the form.
async fn scan_answer(app: &TestApp, id: i64, secret: &str, name: &str, phone: &str) -> (StatusCode, String) {
    let client = app.client();
    let token = qr_token(secret, window_at(Utc::now().timestamp()));
    let csrf = app.csrf(&client, &format!("/checkin/{id}?t={token}")).await;
    let form = [("t", token.as_str()), ("name", name), ("phone", phone), ("csrf", csrf.as_str())];
    let r = client.post(app.url(&format!("/checkin/{id}"))).form(&form).send().await.unwrap();
    let status = r.status();
    let html = r.text().await.unwrap();
    // The page minus what differs per request: the CSRF token, the code (the window may tick
    // between scans), and what was typed, which the form shows again (by design).
    let same = html
        .lines()
        .filter(|l| !l.contains("csrf") && !l.contains(&token))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(&format!(r#"value="{name}""#), r#"value="…""#)
        .replace(&format!(r#"value="{phone}""#), r#"value="…""#);
    (status, same)
}

#[tokio::test]
async fn a_stranger_a_member_of_another_audience_and_a_mismatch_get_the_same_answer() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    add_member(&app, app.branch_b.id, "乙村人", "13800002222").await;
    let stranger = scan_answer(&app, session.id, &session.secret, "路人", "13800009999").await;
    let elsewhere = scan_answer(&app, session.id, &session.secret, "乙村人", "13800002222").await;
    let mismatch = scan_answer(&app, session.id, &session.secret, "李四", "13800001111").await;
    assert_eq!(stranger.0, StatusCode::BAD_REQUEST);
    assert!(stranger.1.contains("没有找到与姓名和手机号都相符的本场参学党员"), "{}", stranger.1);
    assert_eq!(elsewhere, stranger, "a member of another audience looks like a stranger");
    assert_eq!(mismatch, stranger, "a wrong name for a member's phone looks like a stranger");
    assert_eq!(app.count("attendances").await, 0);

    // Online study answers the three alike too, and gives no ticket.
    let live = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Live)
        .online_url("https://live.example.cn/room/1")
        .starts_in_minutes(-5)
        .insert()
        .await;
    let page = format!("/sessions/{}/online", live.id);
    let mut answers = Vec::new();
    for (name, phone) in [("路人", "13800009999"), ("乙村人", "13800002222"), ("李四", "13800001111")]
    {
        let client = app.client();
        let r = app.post_form(&client, &page, &[("name", name), ("phone", phone)]).await;
        let status = r.status();
        let html = r.text().await.unwrap();
        // The page minus the CSRF token and what was typed, which the form shows again.
        let same = html
            .lines()
            .filter(|l| !l.contains("csrf"))
            .collect::<Vec<_>>()
            .join("\n")
            .replace(&format!(r#"value="{name}""#), r#"value="…""#)
            .replace(&format!(r#"value="{phone}""#), r#"value="…""#);
        assert!(html.contains(&format!(r#"value="{name}""#)), "the name typed is kept");
        answers.push((status, same));
    }
    assert_eq!(answers[0].0, StatusCode::BAD_REQUEST);
    assert!(answers[0].1.contains("没有找到与姓名和手机号都相符的本场参学党员"));
    assert_eq!(answers[1], answers[0]);
    assert_eq!(answers[2], answers[0]);
}

/// Budgets small enough to exhaust in a test and slow enough not to refill during it.
fn tight(per_address: u32, per_session: u32) -> GuessLimits {
    let hour = Duration::from_secs(3600);
    GuessLimits {
        per_address: Budget { burst: per_address, every: hour },
        per_session: Budget { burst: per_session, every: hour },
    }
}

#[tokio::test]
async fn code_guesses_from_one_browser_run_out_with_a_chinese_429() {
    let app = spawn_app_limited(WebConfig::default(), tight(100, 3)).await;
    let client = app.client();
    for _ in 0..3 {
        let r = app
            .post_form(&client, "/checkin", &[("code", "000000"), ("name", "张三"), ("phone", "13800001111")])
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
    let r = app
        .post_form(&client, "/checkin", &[("code", "000000"), ("name", "张三"), ("phone", "13800001111")])
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("尝试次数过多"));
    // Another browser still has its own budget.
    let r = app.post_form(&app.client(), "/checkin", &[("code", "000000")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn name_and_phone_guesses_from_one_address_run_out_whatever_the_browser() {
    let app = spawn_app_limited(WebConfig::default(), tight(4, 100)).await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let recording = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Recording)
        .online_url("https://video.example.cn/1.mp4")
        .starts_in_minutes(-60)
        .insert()
        .await;
    add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    // Each guess from a fresh browser (no cookies kept): check-in twice, online study twice.
    for _ in 0..2 {
        let (status, _) = scan_answer(&app, session.id, &session.secret, "路人", "13800009999").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let page = format!("/sessions/{}/online", recording.id);
        let r = app.post_form(&app.client(), &page, &[("name", "路人"), ("phone", "13800009999")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
    // The budget is spent: even the right name and phone are refused, so a refusal says nothing.
    let (status, html) = scan_answer(&app, session.id, &session.secret, "张三", "13800001111").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("尝试次数过多，请稍等几分钟再试"), "{html}");
    let page = format!("/sessions/{}/online", recording.id);
    let r = app.post_form(&app.client(), &page, &[("name", "张三"), ("phone", "13800001111")]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.count("attendances").await, 0);
    // A logged-in member is not guessing: staff and members with accounts are not slowed down.
    let member = add_member(&app, app.branch_a.id, "党员甲", MEMBER).await;
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;
    let client = app.logged_in(MEMBER).await;
    let token = qr_token(&session.secret, window_at(Utc::now().timestamp()));
    let r = app.post_form(&client, &format!("/checkin/{}", session.id), &[("t", &token)]).await;
    assert!(r.text().await.unwrap().contains("签到成功"));
}

#[tokio::test]
async fn online_study_by_name_and_phone_is_marked_self_declared_where_attendance_is_listed() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let live = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Live)
        .online_url("https://live.example.cn/room/1")
        .starts_in_minutes(-5)
        .insert()
        .await;
    add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let member = add_member(&app, app.branch_a.id, "党员甲", MEMBER).await;
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;

    // 张三 by name and phone; 党员甲 logged in.
    let client = app.client();
    let page = format!("/sessions/{}/online", live.id);
    let r = app.post_form(&client, &page, &[("name", "张三"), ("phone", "13800001111")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ticket = location(&r).split("k=").nth(1).unwrap().to_owned();
    let join = format!("/sessions/{}/online/live", live.id);
    assert_eq!(app.post_form(&client, &join, &[("k", &ticket)]).await.status(), StatusCode::OK);
    let logged_in = app.logged_in(MEMBER).await;
    assert_eq!(app.post_form(&logged_in, &join, &[]).await.status(), StatusCode::OK);

    let staff = app.logged_in(STATION_A).await;
    let html = app.get(&staff, &format!("/sessions/{}", live.id)).await.text().await.unwrap();
    let line = |name: &str| {
        html.lines().flat_map(|l| l.split("<li>")).find(|l| l.contains(name)).unwrap_or("").to_owned()
    };
    assert!(line("张三").contains("线上直播（自报）"), "{html}");
    assert!(line("党员甲").contains("线上直播") && !line("党员甲").contains("自报"), "{html}");
}
