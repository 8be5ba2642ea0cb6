//! Home pages show the day's work: a secretary's sessions today and uncovered count, a
//! volunteer's pending visits; a member's 我的 tab is a page of their own.

use chrono::{Duration, NaiveTime, Utc};
use dongxun::delivery::store::{self as deliveries, NewTask};
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// Minutes from now to today's noon in Shanghai (negative in the afternoon): a session then is
/// "today" whatever the hour the test runs.
fn to_noon_today() -> i64 {
    let noon =
        dongxun::web::form::local_to_utc(dongxun::time::today(), NaiveTime::from_hms_opt(12, 0, 0).unwrap())
            .unwrap();
    (noon - Utc::now()).num_minutes()
}

#[tokio::test]
async fn a_secretary_sees_todays_sessions_and_the_uncovered_count() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    add_member(&app, app.branch_a.id, "李四", "13800002222").await;
    add_member(&app, app.branch_b.id, "王五", "13800003333").await;
    let today = app
        .session(campaign, app.village_a.id)
        .title("书记开讲第一课")
        .starts_in_minutes(to_noon_today())
        .insert()
        .await
        .id;
    app.session(campaign, app.village_a.id).title("下周的课").starts_in_minutes(60 * 24 * 8).insert().await;
    app.session(campaign, app.village_b.id)
        .title("乙村专场")
        .starts_in_minutes(to_noon_today())
        .insert()
        .await;

    let a = app.logged_in(STATION_A).await;
    let html = app.get(&a, "/").await.text().await.unwrap();
    assert!(
        html.contains("书记开讲第一课") && html.contains(&format!("/sessions/{today}/roll-call")),
        "{html}"
    );
    assert!(!html.contains("下周的课") && !html.contains("乙村专场"), "only today's, only in scope");
    assert!(html.contains("尚未完成冬训学习 <strong>2</strong> 人"), "{html}");
    // The reports can be found from the home page and the session page.
    for link in
        ["/reports/lecturers.xlsx", "/reports/visits.xlsx", &format!("/sessions/{today}/attendance.xlsx")]
    {
        assert!(html.contains(link), "{link}");
    }
    let session_page = app.get(&a, &format!("/sessions/{today}")).await.text().await.unwrap();
    assert!(session_page.contains(&format!("/sessions/{today}/attendance.xlsx")));
    let committee = app.logged_in(COMMITTEE).await;
    let html = app.get(&committee, "/").await.text().await.unwrap();
    assert!(html.contains("尚未完成冬训学习 <strong>3</strong> 人") && html.contains("乙村专场"));
}

#[tokio::test]
async fn a_volunteer_sees_the_visits_waiting_for_them() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let member = add_member(&app, app.branch_a.id, "王老伯", "13800000021").await;
    let volunteer = dongxun::auth::store::by_phone(&app.db, VOLUNTEER).await.unwrap().unwrap().id;
    let client = app.logged_in(VOLUNTEER).await;
    let html = app.get(&client, "/").await.text().await.unwrap();
    assert!(html.contains("暂时没有派给您的送学上门任务"), "{html}");

    let mut tx = app.db.begin().await.unwrap();
    let created = deliveries::create_tasks(
        &mut tx,
        campaign,
        &[NewTask { member_id: member, reason: "老党员".into() }],
        volunteer,
        dongxun::time::today() - Duration::days(1),
        "[]",
        volunteer,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let html = app.get(&client, "/").await.text().await.unwrap();
    assert!(html.contains("待走访 <strong>1</strong> 户"), "{html}");
    assert!(html.contains("王老伯") && html.contains("甲村 · 甲村第一支部") && html.contains("已逾期"));
    assert!(html.contains(&format!("/deliveries/{}", created.created[0])));
}

#[tokio::test]
async fn a_members_mine_tab_is_their_own_page_with_the_password_one_tap_away() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let member = add_member(&app, app.branch_a.id, "党员甲", MEMBER).await;
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;
    let held =
        app.session(campaign, app.village_a.id).title("书记讲党课").starts_in_minutes(-200).insert().await;
    app.attend(held.id, member, Channel::Qr, 90).await;
    let client = app.logged_in(MEMBER).await;
    let home = app.get(&client, "/").await.text().await.unwrap();
    assert!(home.contains("href=\"/me\">我的</a>") && !home.contains("href=\"/password\">我的"), "{home}");
    // Their points and rank on the home page too, from the rank index, linked to the details.
    assert!(
        home.contains("id=\"my-rank\"")
            && home.contains("全街道第1名")
            && home.contains("href=\"/points/me\""),
        "{home}"
    );
    let r = app.get(&client, "/me").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("我的冬训学习") && html.contains("书记讲党课") && html.contains("扫码签到"),
        "{html}"
    );
    assert!(html.contains("href=\"/password\">修改密码") && html.contains("尾号0401"));
    // The check-in earned its points, shown with the total.
    assert!(
        html.contains("我的积分")
            && html.contains("累计 <strong>5</strong> 分")
            && html.contains("参加学习 <strong>+5</strong>"),
        "{html}"
    );
    assert!(html.contains("class=\"active\" aria-current=\"page\">我的"), "the tab is lit");
}
