//! Recording a visit: one transaction that counts for coverage and is retry- and race-safe, who
//! may record, and bad input refused with nothing stored.

use chrono::Duration;
use dongxun::coverage;
use dongxun::delivery::store as deliveries;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use super::setup;
use crate::coverage::text;
use crate::helpers::*;

/// A real 8×6 JPEG (so the check still passes once photos are re-encoded).
const JPEG_HEX: &str = "ffd8ffe000104a46494600010100000100010000ffdb0043000a07070807060a0808080b0a0a0b0e18100e0d0d0e1d15161118231f2524221f2221262b372f26293429212230413134393b3e3e3e252e4449433c48373d3e3bffdb0043010a0b0b0e0d0e1c10101c3b2822283b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3bffc00011080006000803012200021101031101ffc4001500010100000000000000000000000000000006ffc40014100100000000000000000000000000000000ffc4001501010100000000000000000000000000000507ffc40014110100000000000000000000000000000000ffda000c03010002110311003f0095004a8cffd9";

/// The visit form as a phone sends it.
pub(super) fn visit_form(photo: Option<Vec<u8>>, overrides: &[(&str, &str)]) -> Form {
    let mut fields: Vec<(String, String)> = vec![
        ("visited_on".into(), dongxun::time::today().to_string()),
        ("minutes".into(), "90".into()),
        ("topic_id".into(), "0".into()),
        ("content".into(), "一对一宣讲十九届五中全会精神".into()),
        ("book".into(), "《习近平谈治国理政》第三卷".into()),
        ("member_words".into(), "感谢组织还记得我们老党员".into()),
        ("confirmed_by_kind".into(), "family".into()),
        ("confirmed_by_name".into(), "王小红".into()),
    ];
    for (key, value) in overrides {
        fields.retain(|(k, _)| k != key);
        if !value.is_empty() {
            fields.push(((*key).to_owned(), (*value).to_owned()));
        }
    }
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k, v);
    }
    match photo {
        Some(bytes) => {
            form.part("photo", Part::bytes(bytes).file_name("visit.jpg").mime_str("image/jpeg").unwrap())
        }
        None => form.part("photo", Part::bytes(Vec::new()).file_name("")),
    }
}

pub(super) async fn post_visit(
    app: &TestApp,
    client: &reqwest::Client,
    task: i64,
    form: Form,
) -> reqwest::Response {
    let token = app.csrf(client, "/").await;
    client
        .post(app.url(&format!("/deliveries/{task}/visit?csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(super) async fn counts(app: &TestApp) -> (i64, i64, i64) {
    (app.count("training_sessions").await, app.count("attendances").await, app.count("delivery_visits").await)
}

async fn covered(app: &TestApp, campaign: &dongxun::campaign::store::Campaign, member: i64) -> bool {
    let report = coverage::compute(&app.db, campaign, &dongxun::org::Scope::whole_tree()).await.unwrap();
    report.members.iter().find(|m| m.member.id == member).unwrap().covered
}

#[tokio::test]
async fn a_recorded_visit_counts_for_coverage_and_a_retry_records_nothing_more() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    assert!(!covered(&app, &s.campaign, s.member).await);
    let client = app.logged_in(VOLUNTEER).await;
    let list = text(&app, &client, "/deliveries").await;
    assert!(list.contains("王老伯") && list.contains("待走访"), "{list}");
    let page = text(&app, &client, &format!("/deliveries/{}", s.task)).await;
    assert!(page.contains("登记走访") && page.contains("138****0021"));
    assert!(!page.contains("13800000021"));
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("?csrf="));
    // The photo picker speaks Chinese whatever the browser's language; its script is the app's own.
    assert!(page.contains(">拍照或选择照片</label>") && page.contains("data-name-target=\"photo-name\""));
    assert!(page.contains("<script src=\"/deliveries/photo-input.js\" defer></script>"));
    let script = app.get(&client, "/deliveries/photo-input.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(script.text().await.unwrap().contains("已选择："));

    let jpeg = hex::decode(JPEG_HEX).unwrap();
    let r = post_visit(&app, &client, s.task, visit_form(Some(jpeg.clone()), &[])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/deliveries/{}", s.task));
    assert_eq!(counts(&app).await, (0, 0, 1));
    let page = text(&app, &client, &format!("/deliveries/{}", s.task)).await;
    assert!(page.contains("已登记对王老伯的送学上门，计入冬训学习90分钟"), "{page}");
    assert!(
        page.contains("走访记录")
            && page.contains("家属：王小红")
            && page.contains("感谢组织还记得我们老党员")
    );
    // Whole hours and minutes, not a rounded decimal; the session by title and day, not its id.
    assert!(page.contains("<dd>1小时30分钟</dd>") && !page.contains("1.5小时"), "{page}");
    assert!(page.contains("仅党员本人、送学人员和管理员可见"), "{page}");
    let photo = app.get(&client, &format!("/deliveries/{}/photo", s.task)).await;
    assert_eq!(photo.status(), StatusCode::OK);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    let stored = photo.bytes().await.unwrap().to_vec();
    assert!(stored.starts_with(&[0xFF, 0xD8]), "stored re-encoded as JPEG");
    assert_ne!(stored, jpeg, "re-encoded, so EXIF and GPS are gone");

    // The visit is no session and no attendance; the member is covered by it.
    assert!(covered(&app, &s.campaign, s.member).await);
    let task = deliveries::task(&app.db, s.task).await.unwrap().unwrap();
    assert_eq!(task.status, dongxun::delivery::TaskStatus::Done);

    // The same submission again (a retry on a flaky network) records nothing more.
    let r = post_visit(&app, &client, s.task, visit_form(Some(jpeg), &[])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(counts(&app).await, (0, 0, 1));
    let page = text(&app, &client, &format!("/deliveries/{}", s.task)).await;
    assert!(page.contains("该任务已登记走访"), "{page}");
    let audited = app.audit("delivery").await;
    assert_eq!(audited.len(), 1, "the visit is audited once: {audited:?}");
    assert!(audited[0].starts_with("王老伯|送学任务#") && audited[0].contains("90分钟"), "{audited:?}");

    // The admin sees it done; the member sees the visit among theirs.
    let admin = app.logged_in(COMMITTEE).await;
    let list = text(&app, &admin, "/deliveries?status=done").await;
    assert!(list.contains("王老伯") && list.contains("已走访"));
    let html = text(&app, &admin, "/coverage").await;
    assert!(html.contains("<strong>100%</strong><span>覆盖率</span>"), "{html}");
}

#[tokio::test]
async fn concurrent_submissions_record_one_visit() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    let client = app.logged_in(VOLUNTEER).await;
    let token = app.csrf(&client, "/").await;
    let url = app.url(&format!("/deliveries/{}/visit?csrf={token}", s.task));
    let sends = (0..4).map(|_| client.post(&url).multipart(visit_form(None, &[])).send());
    let responses = futures_join(sends).await;
    for r in responses {
        assert_eq!(r.unwrap().status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(counts(&app).await, (0, 0, 1));
}

/// Awaits every future (no extra crates: spawn each on the runtime).
async fn futures_join<F, T>(futures: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn only_the_assignee_or_an_admin_in_scope_may_see_and_record() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    for phone in [LECTURER, STATION_B, MEMBER] {
        let client = app.logged_in(phone).await;
        for path in [format!("/deliveries/{}", s.task), format!("/deliveries/{}/photo", s.task)] {
            assert_eq!(app.get(&client, &path).await.status(), StatusCode::NOT_FOUND, "{phone} {path}");
        }
        let r = post_visit(&app, &client, s.task, visit_form(None, &[])).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{phone}");
        let list = text(&app, &client, "/deliveries").await;
        assert!(!list.contains("王老伯"), "{phone}");
    }
    assert_eq!(counts(&app).await, (0, 0, 0));
    // The station admin of 甲村 may record it on the volunteer's behalf.
    let admin = app.logged_in(STATION_A).await;
    assert!(text(&app, &admin, "/deliveries").await.contains("王老伯"));
    let r = post_visit(&app, &admin, s.task, visit_form(None, &[])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(counts(&app).await, (0, 0, 1));
}

/// A photo, form overrides, and the message the refusal must contain.
type BadVisit<'a> = (Option<Vec<u8>>, Vec<(&'a str, &'a str)>, &'a str);

#[tokio::test]
async fn bad_visits_are_refused_with_a_clear_message_and_nothing_stored() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    let client = app.logged_in(VOLUNTEER).await;
    let tomorrow = (dongxun::time::today() + Duration::days(1)).to_string();
    let before = (s.campaign.starts_on - Duration::days(1)).to_string();
    let cases: Vec<BadVisit> = vec![
        (Some(b"this is not a photo".to_vec()), vec![], "图片格式无法识别"),
        (Some(b"GIF89a\x01\x00\x01\x00".to_vec()), vec![], "图片格式无法识别"),
        (None, vec![("content", "")], "学习内容：请填写宣讲学习了什么"),
        (None, vec![("visited_on", &tomorrow)], "走访日期：不能晚于今天"),
        (None, vec![("visited_on", &before)], "应在本次冬训期间"),
        (None, vec![("minutes", "5")], "学习时长：请填写10到480分钟"),
        (None, vec![("confirmed_by_kind", "")], "确认人：请选择本人、家属或村社工作人员"),
        (None, vec![("confirmed_by_name", "")], "确认人姓名：请填写"),
        (None, vec![("book", "别的书")], "“别的书”不在本任务的材料中"),
        (None, vec![("topic_id", "99999")], "学习专题：请从列表中选择"),
    ];
    for (photo, overrides, message) in cases {
        let r = post_visit(&app, &client, s.task, visit_form(photo, &overrides)).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{message}");
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{message}: {html}");
        assert!(html.contains("未登记，请改正以下问题"));
        assert_eq!(counts(&app).await, (0, 0, 0), "{message}");
    }
    // What was typed is kept for the next try.
    let r = post_visit(
        &app,
        &client,
        s.task,
        visit_form(None, &[("minutes", "5"), ("member_words", "盼望常来")]),
    )
    .await;
    assert!(r.text().await.unwrap().contains("盼望常来"));
    // A photo larger than 5 MB.
    let mut huge = hex::decode(JPEG_HEX).unwrap();
    huge.resize(5 * 1024 * 1024 + 10, 0);
    let r = post_visit(&app, &client, s.task, visit_form(Some(huge), &[])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("不能超过5MB"));
    assert_eq!(counts(&app).await, (0, 0, 0));
    let task = deliveries::task(&app.db, s.task).await.unwrap().unwrap();
    assert_eq!(task.status, dongxun::delivery::TaskStatus::Open);
    assert!(!covered(&app, &s.campaign, s.member).await);
}
