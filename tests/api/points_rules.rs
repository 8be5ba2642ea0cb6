//! The rules page: the committee changes a kind's rule from a chosen day on (a new version;
//! awards before that day keep the old rule), every problem named in Chinese with the form kept,
//! audited; station admins read it, nobody else.

use chrono::{Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use dongxun::points::PointKind;
use dongxun::points::store::{self, Award, Awarded};

use crate::helpers::*;
use crate::people::add_member;
use reqwest::StatusCode;

fn day_text(offset: i64) -> String {
    (dongxun::time::today() + Duration::days(offset)).format("%Y-%m-%d").to_string()
}

async fn read(app: &TestApp, member: i64, key: &str, offset: i64) -> i64 {
    let day = dongxun::time::today() + Duration::days(offset);
    let at = Shanghai.from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap())).unwrap();
    let award = Award {
        member_id: member,
        kind: PointKind::Reading,
        item_key: key.into(),
        idempotency_key: key.into(),
        at: at.with_timezone(&Utc),
        quantity: 1,
        reason: String::new(),
        recorded_by: None,
        campaign_id: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    let Awarded::Recorded(entry) = store::award(&mut tx, &award).await.unwrap() else {
        panic!("not recorded")
    };
    tx.commit().await.unwrap();
    entry.points
}

fn reading_rule(points: &str, from: &str) -> Vec<(&'static str, String)> {
    vec![
        ("points", points.into()),
        ("daily_cap", "9".into()),
        ("per_item_cap", "3".into()),
        ("minutes_per_point", String::new()),
        ("windows", String::new()),
        ("window_multiplier", "1".into()),
        ("effective_from", from.into()),
    ]
}

#[tokio::test]
async fn a_rule_changed_from_a_day_on_applies_from_that_day_and_the_days_before_keep_the_old_one() {
    let app = spawn_app().await;
    let m = add_member(&app, app.branch_a.id, "李读书", "13900005555").await;
    let client = app.logged_in(COMMITTEE).await;
    let list = app.get(&client, "/points/rules").await.text().await.unwrap();
    assert!(
        list.contains("阅读文章") && list.contains("每次 1 分") && list.contains("线下学习（代录）"),
        "{list}"
    );

    let r = app.post_owned_form(&client, "/points/rules/reading", &reading_rule("3", &day_text(2))).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let page = app.get(&client, "/points/rules/reading").await.text().await.unwrap();
    assert!(page.contains("待生效") && page.contains("生效中") && page.contains("每次 3 分"), "{page}");
    assert!(app.get(&client, "/points/rules").await.text().await.unwrap().contains("1项待生效"));

    assert_eq!(read(&app, m, "article:1", 1).await, 1, "the day before the change keeps the old rule");
    assert_eq!(read(&app, m, "article:2", 2).await, 3, "from the change on, the new rule");
    assert_eq!(app.count("point_rules").await, 15, "a new row; the old one is still there");
    let audit = app.audit("points").await;
    assert!(audit.iter().any(|a| a.contains("阅读文章") && a.contains(&day_text(2))), "{audit:?}");
}

#[tokio::test]
async fn a_wrong_rule_is_refused_in_chinese_keeping_what_was_typed_and_changes_nothing() {
    let app = spawn_app().await;
    let client = app.logged_in(COMMITTEE).await;
    let mut typed = reading_rule("1.5", &day_text(-1));
    typed[4].1 = "8:30-6:00".into();
    let r = app.post_owned_form(&client, "/points/rules/reading", &typed).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("分值应为0到1000之间的整数"), "{html}");
    assert!(html.contains("生效日期不能早于今天") && html.contains("活跃时段应写成"), "{html}");
    assert!(
        html.contains("value=\"1.5\"") && html.contains("value=\"8:30-6:00\""),
        "the form keeps the input"
    );
    assert_eq!(app.count("point_rules").await, 14);
    assert!(app.audit("points").await.is_empty());
    // A kind that does not exist is not found.
    let r = app.post_owned_form(&client, "/points/rules/nothing", &reading_rule("1", &day_text(1))).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn station_admins_read_the_rules_and_only_the_committee_changes_them() {
    let app = spawn_app().await;
    let station = app.logged_in(STATION_A).await;
    let page = app.get(&station, "/points/rules/offline").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("每日上限 10 分") && !html.contains("rule-form"), "{html}");
    let r = app.post_owned_form(&station, "/points/rules/offline", &reading_rule("5", &day_text(1))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let member = app.logged_in(MEMBER).await;
    assert_eq!(app.get(&member, "/points/rules").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("point_rules").await, 14);
}

#[tokio::test]
async fn a_kind_without_a_rule_today_is_still_listed_with_its_coming_version() {
    let app = spawn_app().await;
    app.execute("UPDATE point_rules SET effective_from = '2099-01-01' WHERE kind = 'quiz'").await;
    let client = app.logged_in(COMMITTEE).await;
    let html = app.get(&client, "/points/rules").await.text().await.unwrap();
    let quiz = html.split("data-kind=\"quiz\"").nth(1).unwrap().split("</li>").next().unwrap();
    assert!(quiz.contains("每日答题") && quiz.contains("今日不计分") && quiz.contains("1项待生效"), "{quiz}");
}
