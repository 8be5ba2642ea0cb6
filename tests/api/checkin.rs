//! Check-in: QR (logged in, or by name and phone), the six-digit code, the window, the audience,
//! exactly once under concurrency, roll call, paper entry, the printable sheet.

use chrono::Utc;
use dongxun::checkin::code::{qr_token, six_digit_code, window_at};
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// The scene most tests share: a campaign, a session in village A that began five minutes ago
/// (check-in open, not yet late) and 张三 (13800001111), a member of village A.
struct Scene {
    app: TestApp,
    campaign: i64,
    session: TestSession,
    zhang: i64,
}

async fn a_session_under_way_with_zhang() -> Scene {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let zhang = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    Scene { app, campaign, session, zhang }
}

fn token_now(secret: &str) -> String {
    qr_token(secret, window_at(Utc::now().timestamp()))
}

async fn scan(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    token: &str,
    name: &str,
    phone: &str,
) -> (StatusCode, String) {
    let landing = app.get(client, &format!("/checkin/{id}?t={token}")).await;
    let landing_status = landing.status();
    let html = landing.text().await.unwrap();
    if landing_status != StatusCode::OK {
        return (landing_status, html);
    }
    let csrf = extract_csrf(&html).unwrap();
    let r = client
        .post(app.url(&format!("/checkin/{id}")))
        .form(&[("t", token), ("name", name), ("phone", phone), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_member_scans_once_and_a_second_scan_changes_nothing() {
    let Scene { app, session: TestSession { id, secret }, zhang, .. } =
        a_session_under_way_with_zhang().await;
    let client = app.client();
    let (status, html) = scan(&app, &client, id, &token_now(&secret), "张 三", "138 0000 1111").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("签到成功") && !html.contains("迟到"));
    // Without an account she reaches the feedback form from here: the link carries her ticket.
    let feedback = format!("/feedback/{id}?k={}", dongxun::feedback::ticket(&secret, zhang));
    assert!(html.contains(&feedback), "{html}");
    assert_eq!(app.get(&client, &feedback).await.status(), StatusCode::OK);
    let (status, html) = scan(&app, &client, id, &token_now(&secret), "张三", "13800001111").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("您已签到，无需重复") && html.contains("扫码签到"));
    assert!(html.contains(&feedback), "a second scan offers the feedback too");
    assert_eq!(app.count("attendances").await, 1);
    // Wrong name for the phone: nothing recorded.
    let (status, html) = scan(&app, &client, id, &token_now(&secret), "李四", "13800001111").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("没有找到与姓名和手机号都相符的本场参学党员"));
}

#[tokio::test]
async fn a_logged_in_member_confirms_with_one_tap_and_late_arrivals_are_marked() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let TestSession { id, secret } =
        app.session(campaign, app.village_a.id).starts_in_minutes(-20).insert().await;
    let member = add_member(&app, app.branch_a.id, "党员甲", MEMBER).await;
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;
    let client = app.logged_in(MEMBER).await;
    let token = token_now(&secret);
    let html = app.get(&client, &format!("/checkin/{id}?t={token}")).await.text().await.unwrap();
    assert!(html.contains("确认签到") && html.contains("党员甲"));
    let r = app.post_form(&client, &format!("/checkin/{id}"), &[("t", &token)]).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("签到成功") && html.contains("迟到"), "{html}");
    assert!(html.contains(&format!("/feedback/{id}")), "the result offers feedback");
}

#[tokio::test]
async fn expired_codes_early_and_late_scans_and_outsiders_are_refused_clearly() {
    let Scene { app, campaign, session: TestSession { id: now_id, secret }, .. } =
        a_session_under_way_with_zhang().await;
    add_member(&app, app.branch_b.id, "乙村人", "13800002222").await;
    let client = app.client();

    let old = qr_token(&secret, window_at(Utc::now().timestamp()) - 20);
    let (status, html) = scan(&app, &client, now_id, &old, "张三", "13800001111").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("二维码已过期"));
    let (status, html) = scan(&app, &client, now_id, "forged", "张三", "13800001111").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");

    // A member of another audience is told what a stranger is told (see guessing.rs).
    let (status, html) = scan(&app, &client, now_id, &token_now(&secret), "乙村人", "13800002222").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("没有找到与姓名和手机号都相符的本场参学党员"));

    let TestSession { id: early, secret } =
        app.session(campaign, app.village_a.id).starts_in_minutes(120).insert().await;
    let (status, html) = scan(&app, &client, early, &token_now(&secret), "张三", "13800001111").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("签到还没开始"));

    let TestSession { id: over, secret } =
        app.session(campaign, app.village_a.id).starts_in_minutes(-200).insert().await;
    let (status, html) = scan(&app, &client, over, &token_now(&secret), "张三", "13800001111").await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("本场已结束"));
    assert_eq!(app.count("attendances").await, 0);
}

#[tokio::test]
async fn the_six_digit_code_works_for_those_who_cannot_scan() {
    let Scene { app, session: TestSession { secret, .. }, .. } = a_session_under_way_with_zhang().await;
    let client = app.client();
    let window = window_at(Utc::now().timestamp());
    let code = six_digit_code(&secret, window);
    let html = app.get(&client, "/checkin").await.text().await.unwrap();
    assert!(html.contains("输入签到码"));
    // A code no window the server may be in by the time it checks accepts (the previous, this one,
    // or the next if the clock ticks over meanwhile): certainly wrong.
    let accepted: Vec<String> = (window - 1..=window + 1).map(|w| six_digit_code(&secret, w)).collect();
    let wrong_code = (0..).map(|n| format!("{n:06}")).find(|c| !accepted.contains(c)).unwrap();
    let r = app
        .post_form(&client, "/checkin", &[("code", &wrong_code), ("name", "张三"), ("phone", "13800001111")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("签到码不正确或已过期"));
    assert_eq!(app.count("attendances").await, 0);
    let r = app
        .post_form(&client, "/checkin", &[("code", &code), ("name", "张三"), ("phone", "13800001111")])
        .await;
    assert!(r.text().await.unwrap().contains("签到成功"));
    assert_eq!(app.count("attendances").await, 1);
}

#[tokio::test]
async fn twenty_simultaneous_submissions_store_one_attendance() {
    let Scene { app, session: TestSession { id, secret }, .. } = a_session_under_way_with_zhang().await;
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let token = token_now(&secret);
    let attempts = (0..20).map(|_| {
        let client = client.clone();
        let (url, token, csrf) = (app.url(&format!("/checkin/{id}")), token.clone(), csrf.clone());
        tokio::spawn(async move {
            let form =
                [("t", token.as_str()), ("name", "张三"), ("phone", "13800001111"), ("csrf", csrf.as_str())];
            client.post(url).form(&form).send().await.unwrap().status()
        })
    });
    for attempt in attempts.collect::<Vec<_>>() {
        assert_eq!(attempt.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(app.count("attendances").await, 1);
}

#[tokio::test]
async fn staff_roll_call_paper_entry_and_the_printable_sheet() {
    let Scene { app, session: TestSession { id, secret }, zhang, .. } =
        a_session_under_way_with_zhang().await;
    let li = add_member(&app, app.branch_a.id, "李四", "13800002222").await;
    let wang = add_member(&app, app.branch_a.id, "王五", "13800003333").await;
    scan(&app, &app.client(), id, &token_now(&secret), "张三", "13800001111").await;

    let staff = app.logged_in(STATION_A).await;
    let html =
        app.get(&staff, &format!("/sessions/{id}/roll-call?q=ls&fragment=true")).await.text().await.unwrap();
    assert!(html.contains("李四") && !html.contains("王五"));
    let r =
        app.post_form(&staff, &format!("/sessions/{id}/roll-call"), &[("member_id", &li.to_string())]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("已签到"));

    let form = [("member_id", zhang.to_string()), ("member_id", wang.to_string())];
    let r = app.post_owned_form(&staff, &format!("/sessions/{id}/paper"), &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("attendances").await, 3, "paper re-entry of a scanned member adds nothing");
    assert!(app.audit("attendance_entry").await.iter().any(|e| e.contains("新增1人，1人已签到")));

    let sheet = app.get(&staff, &format!("/sessions/{id}/sheet.pdf")).await;
    assert_eq!(sheet.status(), StatusCode::OK);
    assert_eq!(sheet.headers()["content-type"], "application/pdf");
    assert!(sheet.bytes().await.unwrap().starts_with(b"%PDF"));
    let projector = app.get(&staff, &format!("/sessions/{id}/projector")).await.text().await.unwrap();
    assert!(projector.contains("<svg") && projector.contains("six-digit-code"));

    // Village B's admin cannot run A's session; a member outside the audience cannot be ticked.
    let b = app.logged_in(STATION_B).await;
    for path in [
        format!("/sessions/{id}/roll-call"),
        format!("/sessions/{id}/projector"),
        format!("/sessions/{id}/sheet.pdf"),
    ] {
        assert_eq!(app.get(&b, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let outsider = add_member(&app, app.branch_b.id, "乙村人", "13800004444").await;
    let r = app
        .post_form(&staff, &format!("/sessions/{id}/roll-call"), &[("member_id", &outsider.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
