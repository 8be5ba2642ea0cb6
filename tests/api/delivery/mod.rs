//! Door-to-door study: the materials catalogue, task lists (overdue first), recording a visit
//! (one transaction, counts for coverage, retry-safe), who may record, calling the member
//! (assignee and admins in scope only, audited), and bad input.
//! The shared task setup lives here, with the task list and materials catalogue tests; recording
//! a visit is in `visits`, calling the member and the task page in `task_page`.

mod books;
mod closing;
mod photos;
mod task_page;
mod visits;

use chrono::Duration;
use dongxun::delivery::store::{self as deliveries, NewTask};
use dongxun::people::model::{MemberCategories, MemberStatus};
use reqwest::StatusCode;

use crate::coverage::{make_campaign, member, text};
use crate::helpers::*;

async fn user_id(app: &TestApp, phone: &str) -> i64 {
    dongxun::auth::store::by_phone(&app.db, phone).await.unwrap().unwrap().id
}

/// A campaign (one session completes it), an elderly member of 甲村第一支部 not yet covered, and
/// one open task for them assigned to the volunteer, due in `due_in_days`.
struct Setup {
    campaign: dongxun::campaign::store::Campaign,
    member: i64,
    task: i64,
}

async fn setup(app: &TestApp, due_in_days: i64) -> Setup {
    let campaign = make_campaign(app, 1, 0).await;
    dongxun::delivery::seed_materials(&app.db).await.unwrap();
    let member = member(
        app,
        app.branch_a.id,
        "王老伯",
        "13800000021",
        MemberCategories::ELDERLY | MemberCategories::NO_SMARTPHONE,
        MemberStatus::Active,
    )
    .await;
    let volunteer = user_id(app, VOLUNTEER).await;
    let committee = user_id(app, COMMITTEE).await;
    let materials = deliveries::names_to_json(&[
        "《习近平谈治国理政》第三卷".to_owned(),
        "冬春季疫情防控宣传单".to_owned(),
    ]);
    let mut tx = app.db.begin().await.unwrap();
    let created = deliveries::create_tasks(
        &mut tx,
        campaign.id,
        &[NewTask { member_id: member, reason: "老党员".into() }],
        volunteer,
        dongxun::time::today() + Duration::days(due_in_days),
        &materials,
        committee,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Setup { campaign, member, task: created.created[0] }
}

#[tokio::test]
async fn overdue_tasks_stand_out_and_come_first() {
    let app = spawn_app().await;
    let s = setup(&app, 5).await;
    let late_member = member(
        &app,
        app.branch_a.id,
        "李奶奶",
        "13800000022",
        MemberCategories::HARDSHIP,
        MemberStatus::Active,
    )
    .await;
    let volunteer = user_id(&app, VOLUNTEER).await;
    let mut tx = app.db.begin().await.unwrap();
    let late = deliveries::create_tasks(
        &mut tx,
        s.campaign.id,
        &[NewTask { member_id: late_member, reason: "困难党员".into() }],
        volunteer,
        dongxun::time::today() - Duration::days(2),
        "[]",
        volunteer,
    )
    .await
    .unwrap()
    .created[0];
    tx.commit().await.unwrap();
    let client = app.logged_in(VOLUNTEER).await;
    let list = text(&app, &client, "/deliveries").await;
    let (late_at, on_time_at) = (list.find("李奶奶").unwrap(), list.find("王老伯").unwrap());
    assert!(late_at < on_time_at, "overdue first");
    assert!(list.contains("已逾期"));
    assert!(list.contains(&format!("class=\"card task overdue\"><a href=\"/deliveries/{late}\">")), "{list}");
    let only_late = text(&app, &client, "/deliveries?status=overdue").await;
    assert!(only_late.contains("李奶奶") && !only_late.contains("王老伯"));
    let page = text(&app, &client, &format!("/deliveries/{late}")).await;
    assert!(page.contains("overdue-tag"));
    assert_eq!(
        deliveries::overdue_count(&app.db, &app.root.scope(), dongxun::time::today()).await.unwrap(),
        1
    );
}

#[tokio::test]
async fn the_committee_keeps_the_materials_catalogue() {
    let app = spawn_app().await;
    dongxun::delivery::seed_materials(&app.db).await.unwrap();
    dongxun::delivery::seed_materials(&app.db).await.unwrap();
    assert_eq!(app.count("delivery_materials").await, 6, "seeding twice adds nothing");
    let client = app.logged_in(COMMITTEE).await;
    let html = text(&app, &client, "/deliveries/materials").await;
    assert!(html.contains("《习近平谈治国理政》第三卷") && html.contains("添加材料"));
    let r = app
        .post_form(&client, "/deliveries/materials", &[("name", "《论党的宣传思想工作》"), ("kind", "book")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("delivery_materials").await, 7);
    let r = app
        .post_form(&client, "/deliveries/materials", &[("name", "《论党的宣传思想工作》"), ("kind", "book")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("已在材料目录中，不能重复添加"));
    let r = app.post_form(&client, "/deliveries/materials", &[("name", "书"), ("kind", "book")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("材料名称应为2到60个字"));
    let r =
        app.post_form(&client, "/deliveries/materials", &[("name", "宣传折页"), ("kind", "poster")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("delivery_materials").await, 7);

    // Stopping a material hides it from new tasks.
    let id = deliveries::materials(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.name == "党课视频U盘")
        .unwrap()
        .id;
    let r =
        app.post_form(&client, &format!("/deliveries/materials/{id}/active"), &[("active", "false")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    make_campaign(&app, 1, 0).await;
    member(&app, app.branch_a.id, "王老伯", "13800000021", MemberCategories::ELDERLY, MemberStatus::Active)
        .await;
    let html = text(&app, &client, "/coverage/uncovered").await;
    assert!(html.contains("《论党的宣传思想工作》") && !html.contains("党课视频U盘"));

    // Station admins may look but not edit; others may not look.
    let station = app.logged_in(STATION_A).await;
    let html = text(&app, &station, "/deliveries/materials").await;
    assert!(!html.contains("添加材料"));
    let r = app
        .post_form(&station, "/deliveries/materials", &[("name", "村里的材料"), ("kind", "leaflet")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r =
        app.post_form(&station, &format!("/deliveries/materials/{id}/active"), &[("active", "true")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let volunteer = app.logged_in(VOLUNTEER).await;
    assert_eq!(app.get(&volunteer, "/deliveries/materials").await.status(), StatusCode::FORBIDDEN);
}
