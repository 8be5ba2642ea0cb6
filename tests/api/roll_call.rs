//! Roll call of a whole branch: everyone listed with the count, a tick, and its audited undo.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// A branch of `n` members and a session of theirs under way; their ids in pinyin order.
async fn branch_of(app: &TestApp, n: usize) -> (i64, Vec<i64>) {
    let campaign = create_campaign(app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await.id;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(add_member(app, app.branch_a.id, &format!("党员{i:02}"), &format!("1380000{i:04}")).await);
    }
    (session, ids)
}

#[tokio::test]
async fn a_71_member_branch_is_listed_whole_with_its_count() {
    let app = spawn_app().await;
    let (session, ids) = branch_of(&app, 71).await;
    let staff = app.logged_in(STATION_A).await;
    let html = app.get(&staff, &format!("/sessions/{session}/roll-call")).await.text().await.unwrap();
    assert_eq!(html.matches("class=\"card roll-row").count(), 71, "everyone, not the first 40");
    assert!(html.contains("共 <strong id=\"shown-count\">71</strong> 人"), "the count is said");
    assert!(html.contains(&format!("id=\"roll-{}\"", ids[70])), "the 71st member is there");
    // Narrowed by a search, the count says how many were found.
    let html = app
        .get(&staff, &format!("/sessions/{session}/roll-call?q=党员7&fragment=true"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("找到 <strong id=\"shown-count\">1</strong> 人"), "{html}");
}

#[tokio::test]
async fn a_wrong_tick_is_undone_audited_and_progress_follows() {
    let app = spawn_app().await;
    let (session, ids) = branch_of(&app, 3).await;
    let staff = app.logged_in(STATION_A).await;
    let tick = [("member_id", ids[2].to_string())];
    let r = app.post_owned_form(&staff, &format!("/sessions/{session}/roll-call"), &tick).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("roll-call/undo"), "a ticked row offers 撤销");
    assert_eq!(app.count("member_progress WHERE sessions = 1 AND minutes = 90").await, 1);

    let r = app.post_owned_form(&staff, &format!("/sessions/{session}/roll-call/undo"), &tick).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("class=\"tick\"") && html.contains("id=\"present-count\" hx-swap-oob=\"true\">0<"));
    assert_eq!(app.count("attendances").await, 0);
    assert_eq!(app.count("member_progress WHERE sessions = 0 AND minutes = 0 AND topics = ','").await, 1);
    assert!(app.audit("attendance_entry").await.iter().any(|e| e.contains("撤销点名：党员02")));

    // Nothing to undo any more: a clear refusal, nothing changed.
    let r = app.post_owned_form(&staff, &format!("/sessions/{session}/roll-call/undo"), &tick).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("不是点名签到的"));
    // A member's own scan is not staff's to undo.
    app.attend(session, ids[0], Channel::Qr, 90).await;
    let scanned = [("member_id", ids[0].to_string())];
    let r = app.post_owned_form(&staff, &format!("/sessions/{session}/roll-call/undo"), &scanned).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("attendances").await, 1);
    // Another village's admin cannot undo here.
    let b = app.logged_in(STATION_B).await;
    let r = app.post_owned_form(&b, &format!("/sessions/{session}/roll-call/undo"), &scanned).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("attendances").await, 1);
}
