//! Online study: joining a live broadcast and watching a recording to 90 % count for coverage.

use chrono::{Duration, Utc};
use dongxun::db::Db;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// Pretends the member's last progress report was `minutes` ago (a test cannot wait that long).
pub(crate) async fn backdate_view(app: &TestApp, session: i64, minutes: i64) {
    let at = Utc::now() - Duration::minutes(minutes);
    let sql = "UPDATE online_views SET updated_at = $1 WHERE session_id = $2";
    let changed = match &app.db {
        Db::Sqlite(pool) => {
            sqlx::query(sql).bind(at).bind(session).execute(pool).await.unwrap().rows_affected()
        }
        Db::Postgres(pool) => {
            sqlx::query(sql).bind(at).bind(session).execute(pool).await.unwrap().rows_affected()
        }
    };
    assert_eq!(changed, 1, "the member opened the recording");
}

async fn report(
    app: &TestApp,
    client: &reqwest::Client,
    session: i64,
    ticket: &str,
    played: &str,
) -> (StatusCode, String) {
    let path = format!("/sessions/{session}/online/progress");
    let r = app.post_form(client, &path, &[("k", ticket), ("played", played), ("duration", "1000.4")]).await;
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_recording_counts_once_ninety_percent_is_played_over_several_sittings() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Recording)
        .online_url("https://video.example.cn/dangke-1.mp4")
        .starts_in_minutes(-60)
        .insert()
        .await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let client = app.client();
    let page = format!("/sessions/{}/online", session.id);

    // Not identified yet: the page asks for name and phone; a wrong pair is refused.
    let html = app.get(&client, &page).await.text().await.unwrap();
    assert!(html.contains("请先填写姓名和手机号") && !html.contains("<video"), "{html}");
    let r = app.post_form(&client, &page, &[("name", "张三"), ("phone", "13800009999")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("没有找到与姓名和手机号都相符的本场参学党员"));
    let r = app.post_form(&client, &page, &[("name", "张三"), ("phone", "13800001111")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ticket = dongxun::feedback::ticket(&session.secret, member);
    assert_eq!(location(&r), format!("{page}?k={ticket}"));
    let html = app.get(&client, &format!("{page}?k={ticket}")).await.text().await.unwrap();
    assert!(html.contains("<video") && html.contains("https://video.example.cn/dangke-1.mp4"), "{html}");
    assert!(html.contains("/static/watch.js") && html.contains("已观看0%"));
    // A recording scheduled without its address says so instead of showing an empty player.
    let unset = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Recording)
        .starts_in_minutes(-30)
        .insert()
        .await;
    let unset_ticket = dongxun::feedback::ticket(&unset.secret, member);
    let html = app
        .get(&client, &format!("/sessions/{}/online?k={unset_ticket}", unset.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("录播地址尚未设置") && !html.contains("<video"), "{html}");

    // A whole lecture claimed a moment after opening the page is refused and stores nothing.
    let (status, body) = report(&app, &client, session.id, &ticket, "0-1000").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("观看进度异常"), "{body}");
    // First sitting: half. Skipping ahead to the end does not count.
    backdate_view(&app, session.id, 10).await;
    let (status, body) = report(&app, &client, session.id, &ticket, "0-500.2,990-1000.4").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((answer["watched_percent"].as_i64(), answer["counted"].as_bool()), (Some(50), Some(false)));
    assert_eq!(app.count("attendances").await, 0);
    // The same report again (a retry) changes nothing.
    let (_, again) = report(&app, &client, session.id, &ticket, "0-500.2,990-1000.4").await;
    assert_eq!(serde_json::from_str::<Value>(&again).unwrap()["watched_percent"], 50);
    // Second sitting, the next day: from 480 s to 900 s. Together 90 %: it counts, once.
    backdate_view(&app, session.id, 10).await;
    let (status, body) = report(&app, &client, session.id, &ticket, "480-900").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((answer["watched_percent"].as_i64(), answer["counted"].as_bool()), (Some(90), Some(true)));
    assert!(answer["message"].as_str().unwrap().contains("已计入冬训学习"));
    backdate_view(&app, session.id, 10).await;
    report(&app, &client, session.id, &ticket, "0-1000").await;
    assert_eq!(app.count("attendances").await, 1, "counted once");
    let progress = dongxun::coverage::progress_of(
        &app.db,
        &dongxun::campaign::store::by_id(&app.db, campaign).await.unwrap().unwrap(),
        &[member],
    )
    .await
    .unwrap();
    assert_eq!((progress[&member].sessions, progress[&member].minutes), (1, 90), "coverage counts it");
    let html = app.get(&client, &format!("{page}?k={ticket}")).await.text().await.unwrap();
    assert!(html.contains("本场已计入冬训学习（线上录播）"), "{html}");

    // Bad input: clear refusals.
    for (played, duration, message) in
        [("0-10", "0", "视频时长无效"), ("0-2000", "1000", "观看进度无效"), ("abc", "1000", "观看进度无效")]
    {
        let path = format!("/sessions/{}/online/progress", session.id);
        let r = app
            .post_form(&client, &path, &[("k", &ticket), ("played", played), ("duration", duration)])
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{played}");
        assert!(r.text().await.unwrap().contains(message), "{played}");
    }
    let forged = app
        .post_form(
            &client,
            &format!("/sessions/{}/online/progress", session.id),
            &[("k", "1.00"), ("played", "0-10"), ("duration", "1000")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn joining_a_live_broadcast_records_the_member_then_sends_them_there() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let live = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Live)
        .online_url("https://live.example.cn/room/88")
        .starts_in_minutes(-5)
        .insert()
        .await;
    let later = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Live)
        .online_url("https://live.example.cn/room/99")
        .starts_in_minutes(24 * 60)
        .insert()
        .await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let outsider = add_member(&app, app.branch_b.id, "李四", "13800002222").await;
    let client = app.client();
    // The page is only for live and recorded sessions.
    let lecture = app.session(campaign, app.village_a.id).starts_in_minutes(3 * 24 * 60).insert().await;
    assert_eq!(
        app.get(&client, &format!("/sessions/{}/online", lecture.id)).await.status(),
        StatusCode::NOT_FOUND
    );

    let ticket = dongxun::feedback::ticket(&live.secret, member);
    let html =
        app.get(&client, &format!("/sessions/{}/online?k={ticket}", live.id)).await.text().await.unwrap();
    assert!(html.contains("进入直播") && html.contains("点“进入直播”即记为参加本场学习"), "{html}");
    let join = format!("/sessions/{}/online/live", live.id);
    for _ in 0..2 {
        // A page the browser leaves at once, not a redirect: CSP form-action 'self' would stop a
        // form's answer from redirecting to another host.
        let r = app.post_form(&client, &join, &[("k", &ticket)]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["refresh"], "0; url=https://live.example.cn/room/88");
        assert!(r.text().await.unwrap().contains(r#"href="https://live.example.cn/room/88""#));
    }
    assert_eq!(app.count("attendances").await, 1, "joining twice records once");

    // Someone from another village is told so and nothing is recorded.
    let theirs = dongxun::feedback::ticket(&live.secret, outsider);
    let r = app.post_form(&client, &join, &[("k", &theirs)]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("您不在本场参学名单中"));
    // Too early for tomorrow's broadcast; a forged ticket is refused.
    let early = dongxun::feedback::ticket(&later.secret, member);
    let r = app.post_form(&client, &format!("/sessions/{}/online/live", later.id), &[("k", &early)]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("开放进入"));
    let r = app.post_form(&client, &join, &[("k", "2.deadbeef")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("attendances").await, 1);
}

#[tokio::test]
async fn an_online_link_must_be_a_web_address() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    let client = app.logged_in(STATION_A).await;
    let unit = app.village_a.id.to_string();
    let date = (Utc::now() + Duration::days(2)).format("%Y-%m-%d").to_string();
    let r = app
        .post_form(
            &client,
            "/sessions",
            &[
                ("kind", "live"),
                ("title", "线上党课"),
                ("unit_id", &unit),
                ("audience_unit_id", &unit),
                ("date", &date),
                ("start", "19:00"),
                ("end", "20:30"),
                ("online_url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("线上链接"));
    // A path, a backslash host, a protocol-relative link, control characters: all refused.
    for url in ["/\\evil.example/phish", "/videos/1.mp4", "//evil.example/x", "https://live.example.cn/a\tb"]
    {
        let fields = [
            ("kind", "live"),
            ("title", "线上党课"),
            ("unit_id", unit.as_str()),
            ("audience_unit_id", unit.as_str()),
            ("date", date.as_str()),
            ("start", "19:00"),
            ("end", "20:30"),
            ("online_url", url),
        ];
        let r = app.post_form(&client, "/sessions", &fields).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{url:?}");
        assert!(r.text().await.unwrap().contains("完整网址"));
    }
    assert_eq!(app.count("training_sessions").await, 0);
}

#[tokio::test]
async fn a_stored_link_that_is_not_a_web_address_is_not_redirected_to() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    // Stored before the form refused it (or written around the form).
    let live = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Live)
        .online_url("/\\evil.example/phish")
        .starts_in_minutes(-5)
        .insert()
        .await;
    let ticket = dongxun::feedback::ticket(&live.secret, member);
    let r =
        app.post_form(&app.client(), &format!("/sessions/{}/online/live", live.id), &[("k", &ticket)]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.headers().get("location").is_none());
    assert!(r.text().await.unwrap().contains("直播地址无效"));
}

#[tokio::test]
async fn a_member_sees_their_own_study_and_what_is_coming_on_the_home_page() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    // The member account 党员甲 linked to its roster entry.
    let member = add_member(&app, app.branch_a.id, "党员甲", MEMBER).await;
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;
    let client = app.logged_in(MEMBER).await;
    let html = app.get(&client, "/").await.text().await.unwrap();
    assert!(html.contains("我的冬训学习") && html.contains("还没有学习记录"), "{html}");
    assert!(html.contains("<strong>0</strong>场"));

    let held =
        app.session(campaign, app.village_a.id).title("书记讲党课").starts_in_minutes(-200).insert().await;
    app.attend(held.id, member, Channel::Qr, 90).await;
    let recording = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Recording)
        .title("乡村振兴政策解读（录播）")
        .online_url("https://video.example.cn/1.mp4")
        .starts_in_minutes(60)
        .insert()
        .await;
    let elsewhere =
        app.session(campaign, app.village_b.id).title("乙村专场").starts_in_minutes(90).insert().await;
    let html = app.get(&client, "/").await.text().await.unwrap();
    assert!(html.contains("<strong>1</strong>场 · <strong>1.5</strong>小时"), "{html}");
    assert!(html.contains("还差3场或10.5小时"), "{html}");
    assert!(html.contains("书记讲党课") && html.contains("扫码签到"), "the record names the channel");
    assert!(
        html.contains(&format!("/sessions/{}/online", recording.id)),
        "coming online sessions link to study"
    );
    assert!(!html.contains("乙村专场"), "another village's session is not offered");
    let _ = elsewhere;

    // Logged in, the online page knows who she is: no name and phone asked.
    let html = app.get(&client, &format!("/sessions/{}/online", recording.id)).await.text().await.unwrap();
    assert!(!html.contains("请先填写姓名和手机号") && html.contains("录播将于"), "{html}");
}
