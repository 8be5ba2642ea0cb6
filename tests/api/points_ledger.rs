//! The points ledger as people see it: a member's own history and today's caps, staff reading a
//! member's ledger and correcting an entry (audited, totals derived), and corrections that
//! arrive at the same moment.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use dongxun::audit::Actor;
use dongxun::points::PointKind;
use dongxun::points::store::{self, Awarded, Entry};

use crate::helpers::*;
use crate::people::add_member;

/// Records one award for `member` at 09:00 on a December day and returns its entry.
pub async fn give(app: &TestApp, member: i64, kind: PointKind, key: &str, day: u32) -> Entry {
    give_at(
        app,
        member,
        kind,
        key,
        Shanghai.with_ymd_and_hms(2026, 12, day, 9, 0, 0).unwrap().with_timezone(&Utc),
    )
    .await
}

/// An award now, for today's progress.
async fn give_now(app: &TestApp, member: i64, kind: PointKind, key: &str) -> Entry {
    give_at(app, member, kind, key, Utc::now()).await
}

async fn give_at(app: &TestApp, member: i64, kind: PointKind, key: &str, at: DateTime<Utc>) -> Entry {
    let mut tx = app.db.begin().await.unwrap();
    let award = crate::points::award(member, kind, key, key, at);
    let Awarded::Recorded(entry) = store::award(&mut tx, &award).await.unwrap() else {
        panic!("not recorded")
    };
    tx.commit().await.unwrap();
    entry
}

#[tokio::test]
async fn simultaneous_corrections_of_one_entry_all_count() {
    let app = spawn_app().await;
    let m = add_member(&app, app.branch_a.id, "李更正", "13900006666").await;
    let entry = give(&app, m, PointKind::Attendance, "session:1", 3).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let db = app.db.clone();
            tokio::spawn(async move {
                let by = Actor { user_id: None, label: "测试".into(), ip: "本机".into() };
                let mut tx = db.begin().await.unwrap();
                store::correct(&mut tx, entry.id, -1, &format!("第{i}次更正"), &by).await?;
                tx.commit().await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("every correction is written, none fails on a duplicate key");
    }
    assert_eq!(store::total(&app.db, m).await.unwrap(), 5 - 8);
    assert_eq!(app.count("point_entries").await, 9);
    assert_eq!(app.audit("points").await.len(), 8);
}

/// A member account linked to a member of 甲村第一支部, with points of several kinds today.
async fn member_with_points(app: &TestApp) -> i64 {
    let m = add_member(app, app.branch_a.id, "党员甲", MEMBER).await;
    app.execute(&format!("UPDATE users SET member_id = {m} WHERE phone = '{MEMBER}'")).await;
    m
}

#[tokio::test]
async fn a_member_sees_their_whole_history_and_today_against_each_cap() {
    let app = spawn_app().await;
    let m = member_with_points(&app).await;
    let old = give(&app, m, PointKind::Attendance, "session:9", 3).await;
    for i in 0..7 {
        give_now(&app, m, PointKind::Reading, &format!("article:{i}")).await;
    }
    give_now(&app, m, PointKind::Video, "video:1").await;
    let by = Actor { user_id: None, label: "测试".into(), ip: "本机".into() };
    let mut tx = app.db.begin().await.unwrap();
    store::correct(&mut tx, old.id, -5, "签到有误", &by).await.unwrap();
    tx.commit().await.unwrap();

    let client = app.logged_in(MEMBER).await;
    let me = app.get(&client, "/me").await.text().await.unwrap();
    assert!(me.contains("href=\"/points/me\""), "the 积分 card links to the history: {me}");
    let r = app.get(&client, "/points/me").await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("累计 <strong id=\"points-total\">7</strong> 分"),
        "6 reading + 1 video + 5 - 5: {html}"
    );
    assert!(
        html.contains("阅读文章</span>\n    <strong>6</strong><span class=\"meta\"> / 6 分 · 已满"),
        "{html}"
    );
    assert!(html.contains("观看视频</span>\n    <strong>1</strong><span class=\"meta\"> / 6 分"), "{html}");
    assert!(html.contains("每日答题") && html.contains("线下学习（代录）"), "every capped kind, also at 0");
    assert!(
        html.contains("2026-12-03") && html.contains("已更正") && html.contains("更正：签到有误"),
        "{html}"
    );
    // Staff pages are not theirs; an account without a member record has no history.
    assert_eq!(
        app.get(&client, &format!("/points/members/{m}")).await.status(),
        reqwest::StatusCode::FORBIDDEN
    );
    let lecturer = app.logged_in(LECTURER).await;
    assert_eq!(app.get(&lecturer, "/points/me").await.status(), reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_self_declared_online_study_is_marked_in_the_history() {
    let app = spawn_app().await;
    let campaign = crate::sessions::create_campaign(&app).await;
    let m = member_with_points(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-100).insert().await;
    app.attend(session.id, m, Channel::Recording, 60).await;
    let client = app.logged_in(MEMBER).await;
    let html = app.get(&client, "/points/me").await.text().await.unwrap();
    assert!(html.contains("+5") && !html.contains("自报"), "{html}");
    // Study declared by name and phone: the attendance and its points carry the flag.
    let other = app.session(campaign, app.village_a.id).starts_in_minutes(-100).insert().await;
    let entry = dongxun::checkin::store::Attendance {
        session_id: other.id,
        member_id: m,
        channel: Channel::Recording,
        minutes: 60,
        late: false,
        recorded_by: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    dongxun::checkin::store::record_self_declared(&mut tx, &entry).await.unwrap();
    tx.commit().await.unwrap();
    let html = app.get(&client, "/points/me").await.text().await.unwrap();
    assert!(html.contains("+5") && html.contains("自报"), "{html}");
}

#[tokio::test]
async fn staff_correct_an_entry_with_a_reason_audited_and_the_total_follows() {
    let app = spawn_app().await;
    let m = add_member(&app, app.branch_a.id, "李更正", "13900006666").await;
    let other = add_member(&app, app.branch_b.id, "乙村党员", "13900006667").await;
    let entry = give(&app, m, PointKind::Attendance, "session:1", 3).await;
    let theirs = give(&app, other, PointKind::Attendance, "session:2", 3).await;
    let client = app.logged_in(STATION_A).await;
    let path = format!("/points/members/{m}/entries/{}/correct", entry.id);
    let r = app.post_form(&client, &path, &[("points", "-3"), ("reason", "")]).await;
    assert_eq!(r.status(), reqwest::StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("请填写更正原因") && html.contains("value=\"-3\""), "{html}");
    let r = app.post_form(&client, &path, &[("points", "-6"), ("reason", "多记")]).await;
    assert!(r.text().await.unwrap().contains("不能为负分：目前为5分"));
    let r = app.post_form(&client, &path, &[("points", "-5"), ("reason", "未到场，误点名")]).await;
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(store::total(&app.db, m).await.unwrap(), 0);
    let audit = app.audit("points").await;
    assert!(audit.len() == 1 && audit[0].contains("-5") && audit[0].contains("未到场，误点名"), "{audit:?}");
    let page = app.get(&client, &format!("/points/members/{m}")).await.text().await.unwrap();
    assert!(
        page.contains("累计 <strong id=\"points-total\">0</strong>") && page.contains("已更正"),
        "{page}"
    );
    // Another village's member, or an entry that is not this member's, is not found.
    let r = app
        .post_form(
            &client,
            &format!("/points/members/{other}/entries/{}/correct", theirs.id),
            &[("points", "-5"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::NOT_FOUND);
    let r = app
        .post_form(
            &client,
            &format!("/points/members/{m}/entries/{}/correct", theirs.id),
            &[("points", "-5"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::NOT_FOUND);
    assert_eq!(store::total(&app.db, other).await.unwrap(), 5);
    assert_eq!(app.count("point_entries").await, 3);
}

#[tokio::test]
async fn staff_find_members_of_their_subtree_by_name_or_phone_tail() {
    let app = spawn_app().await;
    let m = add_member(&app, app.branch_a.id, "王老伯", "13900002001").await;
    add_member(&app, app.branch_b.id, "王大妈", "13900002002").await;
    let client = app.logged_in(STATION_A).await;
    let html = app.get(&client, "/points/members?q=%E7%8E%8B").await.text().await.unwrap();
    assert!(html.contains(&format!("/points/members/{m}")) && !html.contains("王大妈"), "{html}");
    let html = app.get(&client, "/points/members?q=2001").await.text().await.unwrap();
    assert!(html.contains("王老伯") && html.contains("139****2001"), "{html}");
}
