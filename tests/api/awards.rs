//! Monthly awards: criteria edited and audited, the proposal (top N per unit with ties, minimum
//! sessions), adding and removing, publishing (points once, never twice, not before the month
//! ends, nobody but the committee), certificates read back with pdftotext and who may read them.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use dongxun::audit::Actor;
use dongxun::awards::model::{Criteria, Month};
use dongxun::awards::publish::{self, Published, Refused};
use dongxun::awards::store::{self, Opened};
use dongxun::org::Scope;
use dongxun::points::PointKind;
use dongxun::points::store::{self as points, Award};
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

fn last_month() -> Month {
    Month::of(dongxun::time::today()).previous()
}

/// Noon in Shanghai on `day` of last month.
fn in_last_month(day: u32) -> DateTime<Utc> {
    let first = last_month().first_day();
    let noon = first.and_hms_opt(12, 0, 0).unwrap() + chrono::Duration::days(i64::from(day) - 1);
    Shanghai.from_local_datetime(&noon).unwrap().with_timezone(&Utc)
}

/// `points` points of attendance (5 each) last month.
async fn earn(app: &TestApp, member: i64, points: i64) {
    let mut tx = app.db.begin().await.unwrap();
    for i in 0..points / 5 {
        let a = Award {
            member_id: member,
            kind: PointKind::Attendance,
            item_key: format!("t:{member}:{i}"),
            idempotency_key: format!("t:{member}:{i}"),
            at: in_last_month(10),
            quantity: 1,
            reason: String::new(),
            recorded_by: None,
            campaign_id: None,
        };
        points::award(&mut tx, &a).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// A session last month in `unit`, attended by `members`.
async fn attended_last_month(app: &TestApp, campaign: i64, unit: i64, members: &[i64]) {
    let minutes = (in_last_month(12) - Utc::now()).num_minutes();
    let s = app.session(campaign, unit).starts_in_minutes(minutes).insert().await;
    for &m in members {
        app.attend(s.id, m, Channel::RollCall, 90).await;
    }
}

struct Scene {
    app: TestApp,
    campaign: i64,
    /// 甲村: 30 points, 20, 20 (tied), 50 without a session; 乙村: 10.
    a: [i64; 4],
    b: i64,
}

async fn scene() -> Scene {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let a = [
        add_member(&app, app.branch_a.id, "甲一", "13911110001").await,
        add_member(&app, app.branch_a.id, "甲二", "13911110002").await,
        add_member(&app, app.branch_a.id, "甲三", "13911110003").await,
        add_member(&app, app.branch_a.id, "甲四", "13911110004").await,
    ];
    let b = add_member(&app, app.branch_b.id, "乙一", "13922220001").await;
    for (m, p) in [(a[0], 30), (a[1], 20), (a[2], 20), (a[3], 50), (b, 10)] {
        earn(&app, m, p).await;
    }
    attended_last_month(&app, campaign, app.village_a.id, &a[..3]).await;
    attended_last_month(&app, campaign, app.village_b.id, &[b]).await;
    Scene { app, campaign, a, b }
}

/// The committee sets top 2, at least one session, and opens last month; returns the round id.
async fn open_last_month(s: &Scene) -> i64 {
    let client = s.app.logged_in(COMMITTEE).await;
    let fields = [("top_n", "2"), ("min_sessions", "1"), ("min_volunteer_hours", "0"), ("issuer", "")];
    let r = s.app.post_form(&client, "/awards/criteria", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let month = last_month().to_string();
    let r = s.app.post_form(&client, "/awards/months", &[("month", &month)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r).rsplit('/').next().unwrap().parse().unwrap()
}

fn committee() -> Actor {
    Actor { user_id: None, label: "测试".into(), ip: "本机".into() }
}

#[tokio::test]
async fn criteria_are_edited_audited_and_a_bad_form_keeps_what_was_typed() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let client = app.logged_in(COMMITTEE).await;
    let fields =
        [("top_n", "5"), ("min_sessions", "2"), ("min_volunteer_hours", "3"), ("issuer", "测试街道党工委")];
    assert_eq!(app.post_form(&client, "/awards/criteria", &fields).await.status(), StatusCode::SEE_OTHER);
    let expected =
        Criteria {
            top_n: 5, min_sessions: 2, min_volunteer_hours: 3, issuer: "测试街道党工委".into()
        };
    assert_eq!(store::criteria(&app.db, campaign).await.unwrap(), expected);
    let audit = app.audit("award").await;
    assert!(audit[0].contains("每单位前 5 名"), "{audit:?}");

    let bad = [("top_n", "0"), ("min_sessions", "两次"), ("min_volunteer_hours", "1"), ("issuer", "某某")];
    let r = app.post_form(&client, "/awards/criteria", &bad).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("data-field-error=\"top_n\"") && html.contains("data-field-error=\"min_sessions\""),
        "{html}"
    );
    assert!(html.contains("value=\"两次\"") && html.contains("value=\"某某\""), "keeps what was typed");
    assert_eq!(store::criteria(&app.db, campaign).await.unwrap(), expected, "nothing changed");
    assert!(html.contains("志愿服务功能尚未上线"), "the page says how volunteer hours are counted");

    let station = app.logged_in(STATION_A).await;
    assert_eq!(app.post_form(&station, "/awards/criteria", &fields).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_proposal_is_top_n_per_unit_with_everyone_tied_and_the_minimum_sessions() {
    let s = scene().await;
    let id = open_last_month(&s).await;
    let listed = store::awardees(&s.app.db, id, &Scope::whole_tree()).await.unwrap();
    let mut names: Vec<(&str, bool)> = listed.iter().map(|a| (a.name.as_str(), a.tied)).collect();
    names.sort();
    assert_eq!(
        names,
        vec![("乙一", false), ("甲一", false), ("甲三", true), ("甲二", true)],
        "甲四 attended nothing"
    );
    assert_eq!(listed[0].name, "甲一", "the unit's first place first");
    assert!(
        listed[1].reason.contains("并列第2名") && listed[1].reason.contains("20分"),
        "{}",
        listed[1].reason
    );
    let client = s.app.logged_in(COMMITTEE).await;
    let html = s.app.get(&client, &format!("/awards/{id}")).await.text().await.unwrap();
    assert!(html.contains("甲村：第2名有并列，按规则全部推荐，共3人（名额2人）"), "{html}");
    // Opening it again changes nothing.
    let month = last_month().to_string();
    let r = s.app.post_form(&client, "/awards/months", &[("month", &month)]).await;
    assert_eq!(location(&r), format!("/awards/{id}"));
    assert_eq!(store::awardees(&s.app.db, id, &Scope::whole_tree()).await.unwrap().len(), 4);
}

#[tokio::test]
async fn the_committee_adds_with_a_reason_and_removes() {
    let s = scene().await;
    let id = open_last_month(&s).await;
    let client = s.app.logged_in(COMMITTEE).await;
    let r = s
        .app
        .post_form(&client, &format!("/awards/{id}/add"), &[("member", "13911110004"), ("reason", "")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("请填写评选理由") && html.contains("value=\"13911110004\""), "{html}");
    let fields = [("member", "13911110004"), ("reason", "带头送学上门")];
    assert_eq!(
        s.app.post_form(&client, &format!("/awards/{id}/add"), &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    let r = s.app.post_form(&client, &format!("/awards/{id}/members/{}/remove", s.a[0]), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let listed = store::awardees(&s.app.db, id, &Scope::whole_tree()).await.unwrap();
    let four = listed.iter().find(|a| a.member_id == s.a[3]).expect("added");
    assert_eq!((four.reason.as_str(), four.proposed, four.points), ("带头送学上门", false, 50));
    assert!(listed.iter().all(|a| a.member_id != s.a[0]), "removed");
    let audit = s.app.audit("award").await.join("\n");
    assert!(audit.contains("加入 甲四（甲村）：带头送学上门") && audit.contains("移出 甲一"), "{audit}");
    let station = s.app.logged_in(STATION_A).await;
    assert_eq!(
        s.app.post_form(&station, &format!("/awards/{id}/add"), &fields).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn publishing_adds_points_once_and_fixes_the_round() {
    let s = scene().await;
    let id = open_last_month(&s).await;
    let before = points::total(&s.app.db, s.b).await.unwrap();
    let client = s.app.logged_in(COMMITTEE).await;
    let r = s.app.post_form(&client, &format!("/awards/{id}/publish"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(points::total(&s.app.db, s.b).await.unwrap(), before + 20);
    let history = points::history(&s.app.db, s.b, 1).await.unwrap();
    assert_eq!(history[0].idempotency_key, format!("award:{}:{}:{}", s.campaign, last_month(), s.b));
    assert!(history[0].reason.contains("月度评优"), "{}", history[0].reason);
    // Again, by the page and by the store: nothing more.
    s.app.post_form(&client, &format!("/awards/{id}/publish"), &[]).await;
    let round = store::round(&s.app.db, id).await.unwrap().unwrap();
    let mut tx = s.app.db.begin().await.unwrap();
    let again = publish::publish(&mut tx, &round, dongxun::time::today(), &committee()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(again, Ok(Published::Already));
    assert_eq!(points::total(&s.app.db, s.b).await.unwrap(), before + 20);
    assert_eq!(s.app.count("point_entries WHERE kind = 'monthly_award'").await, 4);
    // Fixed: the page refuses edits, and so does the database.
    let fields = [("member", "13911110004"), ("reason", "补评")];
    assert_eq!(
        s.app.post_form(&client, &format!("/awards/{id}/add"), &fields).await.status(),
        StatusCode::CONFLICT
    );
    let refused = match &s.app.db {
        dongxun::db::Db::Sqlite(pool) => sqlx::query("DELETE FROM awardees").execute(pool).await.err(),
        dongxun::db::Db::Postgres(pool) => sqlx::query("DELETE FROM awardees").execute(pool).await.err(),
    };
    assert!(refused.expect("refused").to_string().contains("fixed"));
    let audit = s.app.audit("award").await;
    assert!(audit[0].contains("发布 4 人，共加 80 分"), "{audit:?}");
    // The awardee sees it on 我的.
    s.app.execute(&format!("UPDATE users SET member_id = {} WHERE phone = '{MEMBER}'", s.b)).await;
    let member = s.app.logged_in(MEMBER).await;
    let me = s.app.get(&member, "/me").await.text().await.unwrap();
    assert!(me.contains("我的荣誉") && me.contains(&format!("/awards/{id}/certificates/{}", s.b)), "{me}");
    assert!(me.contains("月度评优"), "in the points history too");
}

#[tokio::test]
async fn a_month_that_has_not_ended_is_neither_opened_nor_published() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let m = add_member(&app, app.branch_a.id, "甲一", "13911110001").await;
    let client = app.logged_in(COMMITTEE).await;
    let this_month = Month::of(dongxun::time::today());
    let r = app.post_form(&client, "/awards/months", &[("month", &this_month.to_string())]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("还没有结束"));
    assert_eq!(app.count("award_rounds").await, 0);
    // A draft for this month (as only a direct call could make) is refused at publishing.
    let candidate = store::candidates(&app.db, campaign, this_month, m).await.unwrap().remove(0);
    let mut tx = app.db.begin().await.unwrap();
    let proposed = [(candidate, "测试".to_owned(), false)];
    let Opened::New(id, 1) =
        store::open(&mut tx, campaign, this_month, &Criteria::default(), "测试", &proposed, &committee())
            .await
            .unwrap()
    else {
        panic!("not opened")
    };
    tx.commit().await.unwrap();
    let round = store::round(&app.db, id).await.unwrap().unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let refused = publish::publish(&mut tx, &round, dongxun::time::today(), &committee()).await.unwrap();
    assert!(matches!(refused, Err(Refused::NotEnded(_))));
    drop(tx);
    assert_eq!(
        app.post_form(&client, &format!("/awards/{id}/publish"), &[]).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(app.count("point_entries").await, 0);
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn certificates_name_the_member_unit_and_month_for_those_allowed_only() {
    let s = scene().await;
    let id = open_last_month(&s).await;
    let committee = s.app.logged_in(COMMITTEE).await;
    let one = format!("/awards/{id}/certificates/{}", s.a[0]);
    assert_eq!(s.app.get(&committee, &one).await.status(), StatusCode::NOT_FOUND, "not before publishing");
    s.app.post_form(&committee, &format!("/awards/{id}/publish"), &[]).await;

    let r = s.app.get(&committee, &one).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let text = pdftotext(&r.bytes().await.unwrap());
    for part in ["奖", "甲一", "甲村", &last_month().label(), "测试街道党工委"] {
        assert!(text.contains(part), "{part} in {text}");
    }
    let unit =
        s.app.get(&committee, &format!("/awards/{id}/units/{}/certificates", s.app.village_a.id)).await;
    let text = pdftotext(&unit.bytes().await.unwrap());
    assert!(
        text.contains("甲一") && text.contains("甲二") && text.contains("甲三") && !text.contains("乙一"),
        "{text}"
    );

    let station_a = s.app.logged_in(STATION_A).await;
    assert_eq!(s.app.get(&station_a, &one).await.status(), StatusCode::OK);
    let page = s.app.get(&station_a, &format!("/awards/{id}")).await.text().await.unwrap();
    assert!(page.contains("甲一") && !page.contains("乙一"), "a station sees its own awardees only: {page}");
    assert!(!page.contains("加入名单") && !page.contains("移出"), "and cannot edit");
    let station_b = s.app.logged_in(STATION_B).await;
    assert_eq!(s.app.get(&station_b, &one).await.status(), StatusCode::NOT_FOUND, "another village's");
    let r = s.app.get(&station_b, &format!("/awards/{id}/units/{}/certificates", s.app.village_a.id)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    s.app.execute(&format!("UPDATE users SET member_id = {} WHERE phone = '{MEMBER}'", s.a[0])).await;
    let member = s.app.logged_in(MEMBER).await;
    assert_eq!(s.app.get(&member, &one).await.status(), StatusCode::OK, "their own");
    let other = format!("/awards/{id}/certificates/{}", s.a[1]);
    assert_eq!(s.app.get(&member, &other).await.status(), StatusCode::NOT_FOUND, "someone else's");
    let volunteer = s.app.logged_in(VOLUNTEER).await;
    assert_eq!(s.app.get(&volunteer, &one).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_villages_staff_cannot_publish_or_open() {
    let s = scene().await;
    let id = open_last_month(&s).await;
    let station_b = s.app.logged_in(STATION_B).await;
    assert_eq!(
        s.app.post_form(&station_b, &format!("/awards/{id}/publish"), &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.app.get(&station_b, &format!("/awards/{id}")).await.status(),
        StatusCode::NOT_FOUND,
        "a draft"
    );
    assert_eq!(s.app.count("point_entries WHERE kind = 'monthly_award'").await, 0);
}
