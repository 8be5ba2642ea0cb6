//! A speech entry's video uploaded instead of linked: the entrant (or staff running the contest)
//! uploads it while the round is open; it plays from the entry's page with Range requests; a
//! replacement removes the old file; too large, not a video, another member, or a closed round is
//! refused with nothing left behind.

use dongxun::web::WebConfig;
use reqwest::{Client, StatusCode};

use crate::classroom_series::{assert_serves_ranges, fake_mp4, media_files};
use crate::helpers::*;
use crate::speech::{member_account, set_round, set_up};

async fn upload_video(app: &TestApp, client: &Client, entry: i64, bytes: Vec<u8>) -> reqwest::Response {
    let token = app.csrf(client, &format!("/speech/entries/{entry}")).await;
    let part = reqwest::multipart::Part::bytes(bytes).file_name("speech.mp4").mime_str("video/mp4").unwrap();
    let form = reqwest::multipart::Form::new().part("video", part);
    let path = format!("/speech/entries/{entry}/video?csrf={token}");
    client.post(app.url(&path)).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn an_entrant_uploads_the_video_it_plays_with_ranges_and_bad_uploads_leave_nothing() {
    let app = spawn_app_with(WebConfig { max_recording_bytes: 64 * 1024, ..WebConfig::default() }).await;
    let staff = app.logged_in(STATION_A).await;
    let (id, rounds) = set_up(&app, &staff).await;
    set_round(&app, &staff, id, rounds[0], "open").await;
    let (_, speaker) = member_account(&app, app.branch_a.id, "王红", "13800000021").await;
    // Entered without a link: the page says there is no video yet and offers the upload.
    let round = rounds[0].to_string();
    let fields =
        [("round_id", round.as_str()), ("title", "初心"), ("script", "同志们：……"), ("video_url", "")];
    let r = app.post_form(&speaker, &format!("/speech/{id}/entries"), &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let entry: i64 = location(&r).rsplit('/').next().unwrap().parse().unwrap();
    let page = app.get(&speaker, &format!("/speech/entries/{entry}")).await.text().await.unwrap();
    assert!(page.contains("还没有提交演讲视频") && page.contains("上传演讲视频（MP4 或 WebM，不超过 0 MB）"));

    // Too large, then not a video: refused with the reason on the page, nothing stored.
    let r = upload_video(&app, &speaker, entry, fake_mp4(200 * 1024)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("视频太大：不能超过64 KB"));
    let r = upload_video(&app, &speaker, entry, b"<html>not a video</html>".repeat(10)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("视频格式无法识别"));
    assert!(media_files(&app).is_empty(), "{:?}", media_files(&app));
    // Another member below the station may watch but not upload.
    let (_, neighbour) = member_account(&app, app.branch_a.id, "李明", "13800000022").await;
    let r = upload_video(&app, &neighbour, entry, fake_mp4(1000)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(media_files(&app).is_empty());

    // The entrant's upload plays inline, with Range requests, for whoever may see the contest.
    let first = fake_mp4(1000);
    assert_eq!(upload_video(&app, &speaker, entry, first.clone()).await.status(), StatusCode::SEE_OTHER);
    let page = app.get(&neighbour, &format!("/speech/entries/{entry}")).await.text().await.unwrap();
    assert!(page.contains(&format!("<video class=\"speech-video\" controls preload=\"metadata\" playsinline src=\"/speech/entries/{entry}/video\"")));
    assert_serves_ranges(&neighbour, &app.url(&format!("/speech/entries/{entry}/video")), &first).await;
    let outsider = app.logged_in(STATION_B).await;
    assert_eq!(
        app.get(&outsider, &format!("/speech/entries/{entry}/video")).await.status(),
        StatusCode::NOT_FOUND
    );
    // Staff replace it: one file remains, the new one; both uploads audited.
    let mut second = fake_mp4(1000);
    second[999] = 7;
    assert_eq!(upload_video(&app, &staff, entry, second.clone()).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(media_files(&app).len(), 1, "the replaced file is removed");
    let body = app.get(&speaker, &format!("/speech/entries/{entry}/video")).await.bytes().await.unwrap();
    assert_eq!(body.as_ref(), second.as_slice());
    assert_eq!(app.audit("speech").await.iter().filter(|l| l.contains("上传演讲视频：《初心》")).count(), 2);

    // Once the round is closed the video is fixed.
    set_round(&app, &staff, id, rounds[0], "closed").await;
    let r = upload_video(&app, &speaker, entry, fake_mp4(1000)).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(media_files(&app).len(), 1);
}
