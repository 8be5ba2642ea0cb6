//! Live lessons streamed as HLS: the page counts down to the start, joining records the member
//! as the live link does and brings them back to the page, which then plays the stream, with the
//! Content-Security-Policy opened for that stream's origin only.

use reqwest::StatusCode;
use reqwest::header::CONTENT_SECURITY_POLICY;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

const PLAYLIST: &str = "http://127.0.0.1:8080/live/livestream.m3u8";

#[tokio::test]
async fn an_hls_lesson_counts_down_then_plays_in_the_page_once_joined() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let client = app.client();

    let tomorrow = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Live)
        .online_url(PLAYLIST)
        .starts_in_minutes(24 * 60)
        .insert()
        .await;
    let ticket = dongxun::feedback::ticket(&tomorrow.secret, member);
    let html =
        app.get(&client, &format!("/sessions/{}/online?k={ticket}", tomorrow.id)).await.text().await.unwrap();
    let starts: i64 =
        html.split(r#"data-starts-at=""#).nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let in_a_day = chrono::Utc::now().timestamp_millis() + 24 * 3600 * 1000;
    assert!(html.contains(r#"id="countdown""#) && (starts - in_a_day).abs() < 120_000, "{html}");
    assert!(!html.contains(r#"id="live""#) && !html.contains("hls.min.js"));

    let live = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Live)
        .online_url(PLAYLIST)
        .starts_in_minutes(-5)
        .insert()
        .await;
    let ticket = dongxun::feedback::ticket(&live.secret, member);
    let page = format!("/sessions/{}/online?k={ticket}", live.id);
    let r = app.get(&client, &page).await;
    let html = r.text().await.unwrap();
    // Not joined yet: the button, no player, no countdown (it has started).
    assert!(
        html.contains("进入直播") && !html.contains(r#"id="live""#) && !html.contains(r#"id="countdown""#)
    );
    // Joining records the member once and brings them back to the page (same origin).
    for _ in 0..2 {
        let r =
            app.post_form(&client, &format!("/sessions/{}/online/live", live.id), &[("k", &ticket)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), page);
    }
    assert_eq!(app.count("attendances").await, 1);
    let r = app.get(&client, &page).await;
    let policy = r.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(policy.contains("connect-src 'self' http://127.0.0.1:8080"), "{policy}");
    assert!(policy.contains("media-src 'self' https: blob: http://127.0.0.1:8080"), "{policy}");
    assert!(policy.contains("script-src 'self';") && !policy.contains("worker-src"), "{policy}");
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"data-src="{PLAYLIST}""#)) && html.contains("/static/hls.min.js"),
        "{html}"
    );
    assert!(html.contains("本场已计入冬训学习"));

    // A live room that is not HLS is still a link the member is sent to, under the usual policy.
    let room = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Live)
        .online_url("https://live.example.cn/room/88")
        .starts_in_minutes(-5)
        .insert()
        .await;
    let ticket = dongxun::feedback::ticket(&room.secret, member);
    let r = app.get(&client, &format!("/sessions/{}/online?k={ticket}", room.id)).await;
    assert!(!r.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().contains("connect-src"));
    let r = app.post_form(&client, &format!("/sessions/{}/online/live", room.id), &[("k", &ticket)]).await;
    assert_eq!(r.headers()["refresh"], "0; url=https://live.example.cn/room/88");
    // The player script is served.
    let r = app.get(&client, "/static/hls.min.js").await;
    assert_eq!(r.status(), StatusCode::OK);
}
