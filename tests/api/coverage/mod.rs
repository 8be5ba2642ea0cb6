//! Coverage: progress over every channel, the completion rule with a compulsory topic, rates per
//! unit (Rust fold = one SQL query), scope, the uncovered list and its task creation, export.
//! The shared scenario lives here, with the coverage pages' own tests; the rollup cross-checks
//! are in `rollups`, the uncovered list and its task creation in `uncovered`.

mod rollups;
mod uncovered;

use chrono::Duration;
use dongxun::campaign::store::{self as campaigns, Campaign, CampaignFields};
use dongxun::coverage;
use dongxun::people::model::{MemberCategories, MemberStatus};
use dongxun::people::store::{self as member_store, MemberFields};
use reqwest::StatusCode;

use crate::helpers::*;

/// A campaign over the whole test sub-district (today inside its dates), current.
pub async fn make_campaign(app: &TestApp, sessions: i64, minutes: i64) -> Campaign {
    let today = dongxun::time::today();
    let mut tx = app.db.begin().await.unwrap();
    let id = campaigns::insert(
        &mut tx,
        &CampaignFields {
            name: "2020-2021年度冬训".into(),
            starts_on: today - Duration::days(30),
            ends_on: today + Duration::days(60),
            audience_categories: 0,
            required_sessions: sessions,
            required_minutes: minutes,
            visit_credit: dongxun::campaign::model::VisitCredit::Complete,
            unit_ids: vec![app.root.id],
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    campaigns::by_id(&app.db, id).await.unwrap().unwrap()
}

/// A member with categories (and a status) stored directly.
pub async fn member(
    app: &TestApp,
    unit_id: i64,
    name: &str,
    phone: &str,
    categories: MemberCategories,
    status: MemberStatus,
) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let id = member_store::insert(
        &mut tx,
        &app.vault,
        &MemberFields {
            unit_id,
            name: name.to_owned(),
            gender: None,
            birth_date: None,
            phone: Some(phone.to_owned()),
            id_card: None,
            joined_party_on: None,
            categories,
            status,
            address: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// A past session of `minutes`, `days_ago` days back, hosted by and for `unit_id`.
pub async fn session(
    app: &TestApp,
    campaign_id: i64,
    kind: SessionKind,
    topic_id: Option<i64>,
    unit_id: i64,
    minutes: i64,
    days_ago: i64,
) -> i64 {
    let session = app
        .session(campaign_id, unit_id)
        .kind(kind)
        .topic(topic_id)
        .title(&format!("{}场次{days_ago}", kind.code()))
        .starts_in_minutes(-days_ago * 24 * 60)
        .minutes(minutes)
        .insert()
        .await;
    session.id
}

pub async fn text(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = app.get(client, path).await;
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

/// The scenario most tests share: rule = 3 sessions or 4 hours, plus the compulsory first lecture.
pub struct Scenario {
    pub campaign: Campaign,
    pub first_lecture: i64,
    /// Covered: in person (first lecture), field, live, recording.
    pub zhang: i64,
    /// Field, live, recording — but not the compulsory first lecture.
    pub li: i64,
    /// Elderly, nothing yet.
    pub wang: i64,
    /// One long first lecture: four hours and the topic.
    pub zhao: i64,
    /// 乙村: the first lecture only.
    pub qian: i64,
}

pub async fn scenario(app: &TestApp) -> Scenario {
    let campaign = make_campaign(app, 3, 240).await;
    let mut tx = app.db.begin().await.unwrap();
    let first_lecture = campaigns::add_topic(&mut tx, campaign.id, "书记开讲第一课", true).await.unwrap();
    let other = campaigns::add_topic(&mut tx, campaign.id, "乡村振兴", false).await.unwrap();
    tx.commit().await.unwrap();
    let none = MemberCategories::NONE;
    let active = MemberStatus::Active;
    let a = app.branch_a.id;
    let zhang = member(app, a, "张三", "13800000011", none, active).await;
    let li = member(app, a, "李四", "13800000012", MemberCategories::MOBILE, active).await;
    let wang = member(app, a, "王五", "13800000013", MemberCategories::ELDERLY, active).await;
    let zhao = member(app, app.village_a.id, "赵六", "13800000014", none, active).await;
    let qian = member(app, app.branch_b.id, "钱七", "13800000015", none, active).await;
    // Not in the audience: transferred away, and excluded by the committee.
    member(app, a, "孙八", "13800000016", none, MemberStatus::Transferred).await;
    let excluded = member(app, a, "周九", "13800000017", none, active).await;
    let mut tx = app.db.begin().await.unwrap();
    campaigns::exclude(&mut tx, campaign.id, excluded, "长期住院").await.unwrap();
    tx.commit().await.unwrap();

    let lecture_a = session(app, campaign.id, SessionKind::Lecture, Some(first_lecture), a, 60, 10).await;
    let long_lecture =
        session(app, campaign.id, SessionKind::Lecture, Some(first_lecture), app.village_a.id, 240, 9).await;
    let field = session(app, campaign.id, SessionKind::FieldLecture, Some(other), a, 60, 8).await;
    let live = session(app, campaign.id, SessionKind::Live, None, app.root.id, 45, 7).await;
    let recording = session(app, campaign.id, SessionKind::Recording, None, app.root.id, 30, 6).await;
    let lecture_b =
        session(app, campaign.id, SessionKind::Lecture, Some(first_lecture), app.branch_b.id, 60, 5).await;

    app.attend(lecture_a, zhang, Channel::Qr, 60).await;
    app.attend(field, zhang, Channel::RollCall, 60).await;
    app.attend(live, zhang, Channel::Live, 45).await;
    app.attend(recording, zhang, Channel::Recording, 30).await;
    app.attend(field, li, Channel::Paper, 60).await;
    app.attend(live, li, Channel::Live, 45).await;
    app.attend(recording, li, Channel::Recording, 30).await;
    app.attend(long_lecture, zhao, Channel::Code, 240).await;
    app.attend(lecture_b, qian, Channel::Qr, 60).await;
    // Attending twice changes nothing.
    app.attend(lecture_b, qian, Channel::Paper, 60).await;
    Scenario { campaign, first_lecture, zhang, li, wang, zhao, qian }
}

#[tokio::test]
async fn progress_counts_every_channel_and_the_compulsory_topic() {
    let app = spawn_app().await;
    let s = scenario(&app).await;
    let report = coverage::compute(&app.db, &s.campaign, &dongxun::org::Scope::whole_tree()).await.unwrap();
    assert_eq!(report.audience(), 5, "transferred and excluded members are not expected");
    let find = |id| report.members.iter().find(|m| m.member.id == id).unwrap();
    let zhang = find(s.zhang);
    assert!(zhang.covered);
    assert_eq!((zhang.progress.sessions, zhang.progress.minutes), (4, 195));
    let li = find(s.li);
    assert!(!li.covered, "three sessions but not the first lecture");
    assert_eq!(report.missing(li), "未参加必修专题：书记开讲第一课");
    assert_eq!(coverage::Reason::labels(&li.reasons()), "流动党员、尚未学完");
    assert!(find(s.zhao).covered, "four hours in one session plus the topic");
    let qian = find(s.qian);
    assert_eq!(qian.progress.sessions, 1);
    assert_eq!(report.missing(qian), "还差2场或3小时");
    assert_eq!(coverage::Reason::labels(&qian.reasons()), "尚未学完");
    assert!(find(s.wang).reasons().contains(&coverage::Reason::Elderly));
    assert_eq!(report.covered(), 2);
    let _ = s.first_lecture;

    let client = app.logged_in(COMMITTEE).await;
    let html = text(&app, &client, "/coverage").await;
    assert!(html.contains("2020-2021年度冬训"), "{html}");
    assert!(html.contains("至少3场或4小时，含1个必修专题"));
    assert!(html.contains("<strong>5</strong><span>应参训</span>"));
    assert!(html.contains("<strong>40%</strong><span>覆盖率</span>"));
    // 甲村: 张三, 赵六 of 4; 乙村: none of 1.
    assert!(html.contains(&format!("<a href=\"/coverage/units/{}\">甲村</a>", app.village_a.id)));
    assert!(html.contains("2/4"), "{html}");
    assert!(html.contains("0/1"));
    assert!(html.contains("查看未覆盖的3名党员"));

    let html = text(&app, &client, &format!("/coverage/units/{}", app.village_a.id)).await;
    assert!(html.contains("甲村第一支部") && html.contains("甲村（直属）"), "{html}");
    assert!(html.contains("未参加必修专题：书记开讲第一课"));
    assert!(html.contains("✓书记开讲第一课") && html.contains("✗书记开讲第一课"));
    assert!(html.contains("138****0012"), "phones are masked");
    assert!(!html.contains("13800000012"));
    assert!(!html.contains("孙八") && !html.contains("周九"));
    let html = text(&app, &client, &format!("/coverage/units/{}?show=uncovered", app.village_a.id)).await;
    assert!(html.contains("李四") && html.contains("王五") && !html.contains("张三"));
}

#[tokio::test]
async fn a_station_admin_sees_only_their_subtree() {
    let app = spawn_app().await;
    let s = scenario(&app).await;
    let client = app.logged_in(STATION_A).await;
    let html = text(&app, &client, "/coverage").await;
    assert!(html.contains("各支部覆盖率") && html.contains("甲村第一支部"), "{html}");
    assert!(html.contains("<strong>4</strong><span>应参训</span>"));
    assert!(!html.contains("乙村"));
    for path in [
        format!("/coverage/units/{}", app.village_b.id),
        format!("/coverage/units/{}", app.branch_b.id),
        format!("/coverage/units/{}", app.root.id),
    ] {
        assert_eq!(app.get(&client, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let html = text(&app, &client, "/coverage/uncovered").await;
    assert!(html.contains("李四") && !html.contains("钱七"));
    let html = text(&app, &client, &format!("/coverage/uncovered?unit={}", app.branch_b.id)).await;
    assert!(!html.contains("钱七"), "a unit outside the scope filters nothing in");
    // Tasks for another village's member are refused and nothing is stored.
    let volunteer = dongxun::auth::store::by_phone(&app.db, VOLUNTEER).await.unwrap().unwrap();
    let due = (dongxun::time::today() + Duration::days(3)).to_string();
    let qian = s.qian.to_string();
    let assignee = volunteer.id.to_string();
    let r = app
        .post_form(
            &client,
            "/coverage/deliveries",
            &[("member_id", &qian), ("assignee", &assignee), ("due_on", &due)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("deliveries").await, 0);
    for phone in [LECTURER, VOLUNTEER, MEMBER] {
        let other = app.logged_in(phone).await;
        for path in ["/coverage", "/coverage/uncovered", "/coverage/export.xlsx"] {
            assert_eq!(app.get(&other, path).await.status(), StatusCode::FORBIDDEN, "{phone} {path}");
        }
    }
}

#[tokio::test]
async fn coverage_downloads_as_a_workbook_and_is_audited() {
    use calamine::Reader;
    let app = spawn_app().await;
    scenario(&app).await;
    let client = app.logged_in(COMMITTEE).await;
    let r = app.get(&client, "/coverage/export.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["按单位".to_owned(), "按党员".to_owned()]);
    let units = book.worksheet_range("按单位").unwrap();
    let rows: Vec<String> =
        units.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("|")).collect();
    // Rates are numbers (shown "50.0%" by their format), so Excel can sum and sort them.
    assert!(rows.iter().any(|r| r == "甲村|4|2|2|0.5"), "{rows:?}");
    assert!(rows.iter().any(|r| r == "合计|5|2|3|0.4"), "{rows:?}");
    let members = book.worksheet_range("按党员").unwrap();
    let all: String = members
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("|"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("李四") && all.contains("未参加必修专题：书记开讲第一课"), "{all}");
    assert!(!all.contains("13800000012"), "no phone numbers in the workbook");
    let audit = app.audit("export").await;
    assert!(audit[0].starts_with("冬训覆盖率|2020-2021年度冬训：5人"), "{audit:?}");
}

#[tokio::test]
async fn without_a_current_campaign_the_page_says_so() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let html = text(&app, &client, "/coverage").await;
    assert!(html.contains("尚未设置当前冬训"));
    assert!(html.contains("href=\"/coverage\"") && html.contains("覆盖"), "the nav has the entry");
}
