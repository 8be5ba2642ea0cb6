//! The cloud classroom's series: uploads under the size cap (decided from the bytes), Range
//! requests on the stored recording, and a member's progress per episode and per series.

use chrono::{Duration, Utc};
use dongxun::db::Db;
use dongxun::web::WebConfig;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, CONTENT_TYPE, RANGE};
use serde_json::Value;

use crate::helpers::*;
use crate::people::add_member;

/// `len` bytes that sniff as MP4: an `ftyp` box, then a counting pattern.
pub(crate) fn fake_mp4(len: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypisom\0\0\x02\0isommp41".to_vec();
    bytes.extend((0..len.saturating_sub(bytes.len())).map(|i| (i % 251) as u8));
    bytes.truncate(len);
    bytes
}

/// Makes a series as the committee; returns its id.
pub(crate) async fn make_series(app: &TestApp, title: &str) -> i64 {
    let committee = app.logged_in(COMMITTEE).await;
    let r = app.post_form(&committee, "/classroom", &[("title", title), ("description", "")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r).trim_start_matches("/classroom/series/").parse().unwrap()
}

/// Uploads an episode as the committee; the response.
pub(crate) async fn upload(
    app: &TestApp,
    series: i64,
    title: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let committee = app.logged_in(COMMITTEE).await;
    let token = app.csrf(&committee, &format!("/classroom/series/{series}")).await;
    let form = reqwest::multipart::Form::new()
        .text("title", title.to_owned())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()));
    committee
        .post(app.url(&format!("/classroom/series/{series}/episodes?csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(crate) fn media_files(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app._dir.path().join("media"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_upload_over_the_cap_or_not_a_video_is_refused_and_leaves_nothing_behind() {
    let app = spawn_app_with(WebConfig { max_recording_bytes: 64 * 1024, ..WebConfig::default() }).await;
    let series = make_series(&app, "党课视频").await;
    let r = upload(&app, series, "第一课", "big.mp4", fake_mp4(200 * 1024)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = r.text().await.unwrap();
    assert!(html.contains("视频太大：不能超过64 KB") && html.contains("value=\"第一课\""), "{html}");
    let r = upload(&app, series, "第一课", "page.mp4", b"<html><script>alert(1)</script></html>".repeat(10))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("视频格式无法识别，请上传 MP4 或 WebM 视频"));
    assert_eq!(app.count("class_episodes").await, 0);
    assert!(media_files(&app).is_empty(), "{:?}", media_files(&app));
    // Only the committee uploads.
    let station = app.logged_in(STATION_A).await;
    let r = station.post(app.url(&format!("/classroom/series/{series}/episodes"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_recording_is_served_with_range_requests() {
    let app = spawn_app().await;
    let series = make_series(&app, "党课视频").await;
    let bytes = fake_mp4(1000);
    let r = upload(&app, series, "第一课", "lesson.mp4", bytes.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.audit("classroom").await.len(), 2);
    let member = app.logged_in(MEMBER).await;
    let html = app.get(&member, &format!("/classroom/series/{series}")).await.text().await.unwrap();
    let episode: i64 =
        html.split("/classroom/episodes/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let path = app.url(&format!("/classroom/episodes/{episode}/video"));

    let whole = member.get(&path).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()[CONTENT_TYPE], "video/mp4");
    assert_eq!(whole.headers()["x-content-type-options"], "nosniff");
    assert_eq!(whole.bytes().await.unwrap().as_ref(), bytes.as_slice());
    assert_serves_ranges(&member, &path, &bytes).await;
    // Not for strangers.
    let r = app.client().get(&path).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The episode's file is remembered between requests, but never trusted: stored anew under
    // another name (as a restore would), the next seek finds the old name gone and looks again.
    let old = media_files(&app).into_iter().find(|f| f.ends_with(".mp4")).unwrap();
    let media = app._dir.path().join("media");
    let renamed = format!("{}.mp4", "a".repeat(32));
    std::fs::rename(media.join(&old), media.join(&renamed)).unwrap();
    app.execute(&format!("UPDATE class_episodes SET file_name = '{renamed}' WHERE id = {episode}")).await;
    let r = member.get(&path).header(RANGE, "bytes=10-19").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &bytes[10..20]);
}

async fn backdate_view(app: &TestApp, episode: i64) {
    let at = Utc::now() - Duration::minutes(10);
    let sql = "UPDATE episode_views SET updated_at = $1 WHERE episode_id = $2";
    match &app.db {
        Db::Sqlite(pool) => {
            sqlx::query(sql).bind(at).bind(episode).execute(pool).await.unwrap().rows_affected()
        }
        Db::Postgres(pool) => {
            sqlx::query(sql).bind(at).bind(episode).execute(pool).await.unwrap().rows_affected()
        }
    };
}

#[tokio::test]
async fn a_members_progress_counts_per_episode_and_per_series_with_video_points_once() {
    let app = spawn_app().await;
    let series = make_series(&app, "党课视频").await;
    for title in ["第一课", "第二课"] {
        assert_eq!(
            upload(&app, series, title, "x.webm", fake_mp4(2000)).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;
    let client = app.logged_in(MEMBER).await;
    let html = app.get(&client, &format!("/classroom/series/{series}")).await.text().await.unwrap();
    assert!(html.contains("已看完 <strong>0</strong>/2 集（0%）"), "{html}");
    let first: i64 =
        html.split("/classroom/episodes/").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let page = app.get(&client, &format!("/classroom/episodes/{first}")).await.text().await.unwrap();
    assert!(page.contains("/static/watch.js") && page.contains("第二课"), "{page}");

    let report = |played: &'static str| {
        let client = client.clone();
        let app = &app;
        async move {
            let path = format!("/classroom/episodes/{first}/progress");
            let r = app.post_form(&client, &path, &[("played", played), ("duration", "100")]).await;
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    backdate_view(&app, first).await;
    let answer = report("0-50").await;
    assert_eq!((answer["watched_percent"].as_i64(), answer["counted"].as_bool()), (Some(50), Some(false)));
    assert_eq!(dongxun::points::store::total(&app.db, member).await.unwrap(), 0);
    backdate_view(&app, first).await;
    let answer = report("40-100").await;
    assert_eq!(answer["counted"].as_bool(), Some(true));
    assert_eq!(dongxun::points::store::total(&app.db, member).await.unwrap(), 1);
    backdate_view(&app, first).await;
    report("0-100").await;
    assert_eq!(dongxun::points::store::total(&app.db, member).await.unwrap(), 1, "once per episode");

    let html = app.get(&client, &format!("/classroom/series/{series}")).await.text().await.unwrap();
    assert!(
        html.contains("已看完 <strong>1</strong>/2 集（50%）") && html.contains("已看完</span>"),
        "{html}"
    );
}

/// Asserts that `path` serves the 1,000 `bytes` by Range as a player asks for them: the first
/// byte, a middle stretch, the last 100 (suffix), from an offset to the end (open-ended), and
/// 416 for a range past the end. Shared by every file the app streams (recordings, PDFs).
pub async fn assert_serves_ranges(client: &reqwest::Client, path: &str, bytes: &[u8]) {
    assert_eq!(bytes.len(), 1000, "the ranges below are written for a 1,000-byte file");
    for (range, content_range, slice) in [
        ("bytes=0-0", "bytes 0-0/1000", &bytes[0..1]),
        ("bytes=100-199", "bytes 100-199/1000", &bytes[100..200]),
        ("bytes=-100", "bytes 900-999/1000", &bytes[900..]),
        ("bytes=990-", "bytes 990-999/1000", &bytes[990..]),
    ] {
        let r = client.get(path).header(RANGE, range).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(r.headers()[CONTENT_RANGE], content_range, "{range}");
        assert_eq!(r.bytes().await.unwrap().as_ref(), slice, "{range}");
    }
    let r = client.get(path).header(RANGE, "bytes=2000-").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
}
