//! 冬训+ activities (S6, issue 12 item 1): staff record activities in their subtree with people
//! served as counts; volunteers report hours; station admins approve, correct or reject them with
//! the member's points once; reports and both CLI exports count approved hours only and agree.

mod reports;

use dongxun::db::Db;
use dongxun::people::model::{MemberCategories, MemberStatus};
use reqwest::StatusCode;

use crate::coverage::{make_campaign, member};
use crate::helpers::*;

pub async fn scalar(app: &TestApp, sql: &str) -> i64 {
    match &app.db {
        Db::Sqlite(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap(),
    }
}

pub fn today() -> String {
    dongxun::time::today().to_string()
}

/// An activity form for `unit_id`, kind 春联义写, with 12 elderly and 3 children served.
pub fn activity_form(unit_id: i64, title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("kind_id", "1".into()),
        ("title", title.into()),
        ("held_on", today()),
        ("place", "村民广场".into()),
        ("unit_id", unit_id.to_string()),
        ("served_elderly", "12".into()),
        ("served_children", "3".into()),
        ("outcome", "写春联80副".into()),
    ]
}

/// Creates an activity through the page; its id.
pub async fn create(app: &TestApp, client: &reqwest::Client, form: &[(&str, String)]) -> i64 {
    let r = app.post_owned_form(client, "/activities", form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r).trim_start_matches("/activities/").parse().unwrap()
}

/// The id of `name`'s hours on an activity.
pub async fn hours_id(app: &TestApp, activity: i64, name: &str) -> i64 {
    scalar(
        app,
        &format!("SELECT id FROM activity_volunteers WHERE activity_id = {activity} AND name = '{name}'"),
    )
    .await
}

pub async fn review(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(client, &format!("/activities/hours/{id}/review"), fields).await
}

pub async fn volunteer_points(app: &TestApp, member_id: i64) -> (i64, i64) {
    let sql = format!("FROM point_entries WHERE member_id = {member_id} AND kind = 'volunteer'");
    (
        scalar(app, &format!("SELECT COUNT(*) {sql}")).await,
        scalar(app, &format!("SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) {sql}")).await,
    )
}

#[tokio::test]
async fn staff_record_activities_in_their_subtree_with_counts_not_names() {
    let app = spawn_app().await;
    make_campaign(&app, 4, 720).await;
    let a = app.logged_in(STATION_A).await;
    // Another village's unit is refused beside its field, the form kept, nothing stored.
    let r = app.post_owned_form(&a, "/activities", &activity_form(app.branch_b.id, "乙村的春联")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("请选择您管辖范围内的单位") && html.contains("乙村的春联"), "{html}");
    assert_eq!(app.count("activities").await, 0);
    // Bad counts and a future day are named; nothing stored.
    let mut bad = activity_form(app.branch_a.id, "春联义写");
    bad.push(("served_disabled", "-1".into()));
    bad[2].1 = (dongxun::time::today() + chrono::Duration::days(2)).to_string();
    let r = app.post_owned_form(&a, "/activities", &bad).await;
    let html = r.text().await.unwrap();
    assert!(
        html.contains("残疾人：请填写0到10000之间的整数") && html.contains("活动日期不能晚于今天"),
        "{html}"
    );
    assert_eq!(app.count("activities").await, 0);

    // A custom kind, counts stored exactly, no names.
    let mut form = activity_form(app.branch_a.id, "甲村义务理发");
    form.push(("new_kind", "义务理发".into()));
    let id = create(&app, &a, &form).await;
    let row = format!("FROM activities WHERE id = {id}");
    assert_eq!(scalar(&app, &format!("SELECT served_elderly {row}")).await, 12);
    assert_eq!(scalar(&app, &format!("SELECT served_children {row}")).await, 3);
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT served_low_income + served_disabled + served_left_behind + served_others {row}")
        )
        .await,
        0
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM activity_kinds WHERE name = '义务理发' AND builtin = FALSE").await,
        1
    );
    assert_eq!(app.count("activity_follow_ups").await, 0, "no names unless a follow-up is asked for");
    assert!(app.audit("activity").await[0].contains("甲村义务理发"));

    // A follow-up only when asked, with its reason; a missing reason is refused.
    let r = app
        .post_form(&a, &format!("/activities/{id}/follow-ups"), &[("person_name", "王桂英"), ("reason", "")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("请写明需要回访的原因"));
    assert_eq!(app.count("activity_follow_ups").await, 0);
    let fields = [("person_name", "王桂英"), ("reason", "独居老人，取暖设备需检修")];
    assert_eq!(
        app.post_form(&a, &format!("/activities/{id}/follow-ups"), &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("activity_follow_ups").await, 1);

    // The other village's admin finds nothing; its own edit is refused.
    let b = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&b, &format!("/activities/{id}")).await.status(), StatusCode::NOT_FOUND);
    let r = app
        .post_owned_form(&b, &format!("/activities/{id}/edit"), &activity_form(app.branch_b.id, "改"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A member cannot create one; the committee sees it in the month's list.
    let m = app.logged_in(MEMBER).await;
    assert_eq!(
        app.post_owned_form(&m, "/activities", &activity_form(app.branch_a.id, "x")).await.status(),
        StatusCode::FORBIDDEN
    );
    let c = app.logged_in(COMMITTEE).await;
    let html = app.get(&c, "/activities").await.text().await.unwrap();
    assert!(html.contains("甲村义务理发") && html.contains("服务15人"), "{html}");
}

#[tokio::test]
async fn a_volunteer_reports_hours_and_the_admin_approves_them_with_points_once() {
    let app = spawn_app().await;
    let campaign = make_campaign(&app, 4, 720).await;
    let member_id = member(
        &app,
        app.branch_a.id,
        "党员甲",
        "13700000001",
        MemberCategories::from_bits(0),
        MemberStatus::Active,
    )
    .await;
    app.execute(&format!("UPDATE users SET member_id = {member_id} WHERE phone = '{MEMBER}'")).await;
    let a = app.logged_in(STATION_A).await;
    let activity = create(&app, &a, &activity_form(app.branch_a.id, "春联义写进万家")).await;

    let m = app.logged_in(MEMBER).await;
    assert!(app.get(&m, "/activities/mine").await.text().await.unwrap().contains("春联义写进万家"));
    // Garbage hours are refused and nothing is stored.
    let r = app.post_form(&m, &format!("/activities/{activity}/hours"), &[("hours", "两个小时")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("时长：请填写小时数"));
    assert_eq!(app.count("activity_volunteers").await, 0);
    let r = app.post_form(&m, &format!("/activities/{activity}/hours"), &[("hours", "2.5")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = hours_id(&app, activity, "党员甲").await;
    assert_eq!(
        scalar(&app, &format!("SELECT minutes_reported FROM activity_volunteers WHERE id = {id}")).await,
        150
    );
    assert!(app.get(&m, "/activities/mine").await.text().await.unwrap().contains("待审核"));

    // Another village's admin cannot review it; a correction needs a note.
    let b = app.logged_in(STATION_B).await;
    assert_eq!(review(&app, &b, id, &[("decision", "approve")]).await.status(), StatusCode::NOT_FOUND);
    let r = review(&app, &a, id, &[("decision", "correct"), ("hours", "2"), ("note", "")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("请写明原因"));
    assert_eq!(volunteer_points(&app, member_id).await, (0, 0));

    // Approved: 150 minutes at 2 points an hour; a retry adds nothing.
    assert_eq!(review(&app, &a, id, &[("decision", "approve")]).await.status(), StatusCode::SEE_OTHER);
    let (entries, points) = volunteer_points(&app, member_id).await;
    assert_eq!(entries, 1);
    assert!(points > 0);
    let key =
        scalar(&app, &format!("SELECT COUNT(*) FROM point_entries WHERE idempotency_key = 'volunteer:{id}'"))
            .await;
    assert_eq!(key, 1);
    let r = review(&app, &a, id, &[("decision", "approve")]).await;
    assert!(location(&r).ends_with(&format!("/activities/{activity}")));
    assert_eq!(volunteer_points(&app, member_id).await, (1, points), "a retry adds nothing");
    assert!(app.get(&m, "/activities/mine").await.text().await.unwrap().contains("已通过"));
    // Reviewed hours can no longer be changed by the volunteer.
    let r = app.post_form(&m, &format!("/activities/{activity}/hours"), &[("hours", "5")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        scalar(&app, &format!("SELECT minutes_approved FROM activity_volunteers WHERE id = {id}")).await,
        150
    );

    // Corrected after approval: taken back, earned again for 1 hour.
    let r = review(&app, &a, id, &[("decision", "correct"), ("hours", "1"), ("note", "实际1小时")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        scalar(&app, &format!("SELECT minutes_approved FROM activity_volunteers WHERE id = {id}")).await,
        60
    );
    assert_eq!(volunteer_points(&app, member_id).await.1, 2, "1 hour is 2 points");
    // Rejected: nothing left.
    let r = review(&app, &a, id, &[("decision", "reject"), ("note", "未到岗")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(volunteer_points(&app, member_id).await.1, 0);
    let html = app.get(&m, "/activities/mine").await.text().await.unwrap();
    assert!(html.contains("未通过") && html.contains("未到岗"), "{html}");
    let audit = app.audit("activity").await;
    assert!(audit[0].contains("未通过") && audit[1].contains("已通过1小时"), "{audit:?}");
    let _ = campaign;
}

#[tokio::test]
async fn photos_are_re_encoded_and_garbage_is_refused() {
    let app = spawn_app().await;
    make_campaign(&app, 4, 720).await;
    let a = app.logged_in(STATION_A).await;
    let id = create(&app, &a, &activity_form(app.branch_a.id, "手工制作")).await;
    let token = app.csrf(&a, &format!("/activities/{id}")).await;
    let post = |bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("p.png");
        let form = reqwest::multipart::Form::new().part("photo", part);
        a.post(app.url(&format!("/activities/{id}/photos?csrf={token}"))).multipart(form).send()
    };
    let r = post(b"GIF89a not a photo at all".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("JPG"));
    assert_eq!(app.count("activity_photos").await, 0);
    let mut png = Vec::new();
    image::RgbImage::from_pixel(40, 30, image::Rgb([200, 20, 20]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert_eq!(post(png).await.unwrap().status(), StatusCode::SEE_OTHER);
    let photo_id = scalar(&app, "SELECT id FROM activity_photos").await;
    let r = app.get(&a, &format!("/activities/photos/{photo_id}")).await;
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(r.bytes().await.unwrap().starts_with(&[0xFF, 0xD8, 0xFF]), "stored re-encoded as JPEG");
    let b = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&b, &format!("/activities/photos/{photo_id}")).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_adding_a_party_member_by_phone_links_them_so_approved_hours_earn_points() {
    let app = spawn_app().await;
    make_campaign(&app, 4, 720).await;
    let member_id = member(
        &app,
        app.branch_a.id,
        "党员乙",
        "13700000021",
        MemberCategories::from_bits(0),
        MemberStatus::Active,
    )
    .await;
    let a = app.logged_in(STATION_A).await;
    let activity = create(&app, &a, &activity_form(app.branch_a.id, "走访慰问")).await;
    let fields = [
        ("name", "党员乙"),
        ("phone", "13700000021"),
        ("unit_id", &app.branch_a.id.to_string()),
        ("hours", "2"),
    ];
    assert_eq!(
        app.post_form(&a, &format!("/activities/{activity}/volunteers"), &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    // The phone of an account is that account: the same person whichever way the hours come in.
    let fields = [
        ("name", "志愿者甲"),
        ("phone", VOLUNTEER),
        ("unit_id", &app.village_a.id.to_string()),
        ("hours", "1"),
    ];
    assert_eq!(
        app.post_form(&a, &format!("/activities/{activity}/volunteers"), &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    let v = app.logged_in(VOLUNTEER).await;
    let r = app.post_form(&v, &format!("/activities/{activity}/hours"), &[("hours", "1.5")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("activity_volunteers").await, 2, "one row for the volunteer");
    let id = hours_id(&app, activity, "党员乙").await;
    assert_eq!(
        scalar(&app, &format!("SELECT member_id FROM activity_volunteers WHERE id = {id}")).await,
        member_id
    );
    assert_eq!(review(&app, &a, id, &[("decision", "approve")]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(volunteer_points(&app, member_id).await, (1, 4), "2 hours at 2 points an hour");
}
