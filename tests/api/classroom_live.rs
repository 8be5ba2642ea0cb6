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

#[tokio::test]
async fn a_recording_attached_after_the_lesson_plays_on_its_page_and_counts_at_ninety_percent() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let over = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Live)
        .online_url(PLAYLIST)
        .starts_in_minutes(-200)
        .insert()
        .await;
    let client = app.client();
    let ticket = dongxun::feedback::ticket(&over.secret, member);
    let page = format!("/sessions/{}/online?k={ticket}", over.id);
    let html = app.get(&client, &page).await.text().await.unwrap();
    assert!(html.contains("直播已结束，可等待录播") && !html.contains("<video"), "{html}");
    let progress = format!("/sessions/{}/online/progress", over.id);
    let r =
        app.post_form(&client, &progress, &[("k", &ticket), ("played", "0-10"), ("duration", "100")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "nothing to watch yet");

    // Whoever runs the session picks an episode from the classroom; a member cannot.
    let series = crate::classroom_series::make_series(&app, "党课视频").await;
    let bytes = crate::classroom_series::fake_mp4(1000);
    let r = crate::classroom_series::upload(&app, series, "冬训夜话（录播）", "a.mp4", bytes.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let committee = app.logged_in(COMMITTEE).await;
    let html = app.get(&committee, &format!("/sessions/{}/online", over.id)).await.text().await.unwrap();
    assert!(html.contains(r#"id="attach-replay""#) && html.contains("党课视频 · 冬训夜话（录播）"), "{html}");
    let episode: i64 =
        html.split(r#"<option value=""#).nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let attach = format!("/sessions/{}/online/replay", over.id);
    let r = app.post_form(&committee, &attach, &[("episode_id", "99999")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("请选择云课堂里的一集录播视频"));
    let someone = app.logged_in(MEMBER).await;
    let html = app.get(&someone, &format!("/sessions/{}/online", over.id)).await.text().await.unwrap();
    assert!(!html.contains("attach-replay"));
    let r = app.post_form(&someone, &attach, &[("episode_id", &episode.to_string())]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let before = app.audit("classroom").await.len();
    let r = app.post_form(&committee, &attach, &[("episode_id", &episode.to_string())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.audit("classroom").await.len(), before + 1);

    // The member's page plays it, served with Range requests to ticket holders only.
    let html = app.get(&client, &page).await.text().await.unwrap();
    let src = format!("/sessions/{}/online/replay?k={ticket}", over.id);
    assert!(html.contains("可观看录播") && html.contains(&format!(r#"src="{src}""#)), "{html}");
    assert!(!html.contains("进入直播"));
    let r = client.get(app.url(&src)).header(reqwest::header::RANGE, "bytes=100-199").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()[reqwest::header::CONTENT_TYPE], "video/mp4");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &bytes[100..200]);
    let r = app
        .client()
        .get(app.url(&format!("/sessions/{}/online/replay?k=1.bad", over.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Watched to 90 % it counts, as a recording.
    crate::classroom::backdate_view(&app, over.id, 30).await;
    let r =
        app.post_form(&client, &progress, &[("k", &ticket), ("played", "0-95"), ("duration", "100")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("本场已计入冬训学习"));
    let html = app.get(&client, &page).await.text().await.unwrap();
    assert!(html.contains("本场已计入冬训学习（线上录播）"), "{html}");
}
