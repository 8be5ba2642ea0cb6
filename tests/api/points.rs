//! Points: awards in the caller's transaction, idempotent retries, caps under concurrency,
//! the ledger refusing edits, audited corrections, rules taking effect from their date.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use dongxun::audit::Actor;
use dongxun::points::store::{self, Award, Awarded};
use dongxun::points::{PointKind, Rule};

use crate::helpers::*;
use crate::people::add_member;

/// Noon in Shanghai on a December day.
fn noon(day: u32) -> DateTime<Utc> {
    Shanghai.with_ymd_and_hms(2026, 12, day, 12, 0, 0).unwrap().with_timezone(&Utc)
}

/// An award of one unit, as an earning path asks for it (shared by the points test modules).
pub fn award(member_id: i64, kind: PointKind, item: &str, key: &str, at: DateTime<Utc>) -> Award {
    Award {
        member_id,
        kind,
        item_key: item.into(),
        idempotency_key: key.into(),
        at,
        quantity: 1,
        reason: String::new(),
        recorded_by: None,
        campaign_id: None,
    }
}

async fn give(app: &TestApp, a: &Award) -> Awarded {
    let mut tx = app.db.begin().await.unwrap();
    let done = store::award(&mut tx, a).await.unwrap();
    tx.commit().await.unwrap();
    done
}

async fn member(app: &TestApp) -> i64 {
    add_member(app, app.branch_a.id, "李积分", "13900007777").await
}

#[tokio::test]
async fn an_award_counts_once_however_often_it_is_retried() {
    let app = spawn_app().await;
    let m = member(&app).await;
    let a = award(m, PointKind::Attendance, "session:1", "attendance:1:m", noon(3));
    let Awarded::Recorded(first) = give(&app, &a).await else { panic!("first award not recorded") };
    assert_eq!(first.points, 5);
    assert_eq!(first.earned_on, NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    for _ in 0..3 {
        assert_eq!(give(&app, &a).await, Awarded::AlreadyRecorded(first.clone()));
    }
    assert_eq!(app.count("point_entries").await, 1);
    assert_eq!(store::total(&app.db, m).await.unwrap(), 5);
}

#[tokio::test]
async fn an_award_rolled_back_with_its_transaction_leaves_nothing() {
    let app = spawn_app().await;
    let m = member(&app).await;
    let mut tx = app.db.begin().await.unwrap();
    let a = award(m, PointKind::Attendance, "session:1", "attendance:1:m", noon(3));
    assert!(matches!(store::award(&mut tx, &a).await.unwrap(), Awarded::Recorded(_)));
    drop(tx);
    assert_eq!(app.count("point_entries").await, 0);
    assert_eq!(app.count("point_daily").await, 0);
}

#[tokio::test]
async fn twenty_concurrent_awards_never_pass_the_daily_cap() {
    let app = spawn_app().await;
    let m = member(&app).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let db = app.db.clone();
        let a = award(m, PointKind::Reading, &format!("article:{i}"), &format!("reading:{i}:m"), noon(4));
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let done = store::award(&mut tx, &a).await.unwrap();
            tx.commit().await.unwrap();
            done
        }));
    }
    for task in tasks {
        assert!(matches!(task.await.unwrap(), Awarded::Recorded(_)));
    }
    assert_eq!(app.count("point_entries").await, 20);
    assert_eq!(store::total(&app.db, m).await.unwrap(), 6, "reading is capped at 6 a day");
    let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    assert_eq!(store::day_totals(&app.db, m, day).await.unwrap(), vec![(PointKind::Reading, 6)]);
}

#[tokio::test]
async fn the_database_refuses_to_edit_or_delete_ledger_entries() {
    let app = spawn_app().await;
    let m = member(&app).await;
    give(&app, &award(m, PointKind::Attendance, "session:1", "attendance:1:m", noon(3))).await;
    for sql in ["UPDATE point_entries SET points = 500", "DELETE FROM point_entries"] {
        let refused = match &app.db {
            dongxun::db::Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.err(),
            dongxun::db::Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.err(),
        };
        let error = refused.unwrap_or_else(|| panic!("{sql} was allowed"));
        assert!(error.to_string().contains("append-only"), "{error}");
    }
    assert_eq!(store::total(&app.db, m).await.unwrap(), 5);
}

#[tokio::test]
async fn a_correction_is_a_compensating_entry_and_audited() {
    let app = spawn_app().await;
    let m = member(&app).await;
    let Awarded::Recorded(entry) =
        give(&app, &award(m, PointKind::Attendance, "session:1", "a:1", noon(3))).await
    else {
        panic!("not recorded")
    };
    let by = Actor { user_id: None, label: "测试".into(), ip: "本机".into() };
    let mut tx = app.db.begin().await.unwrap();
    assert!(store::correct(&mut tx, entry.id, -5, "  ", &by).await.is_err(), "a reason is required");
    let fix = store::correct(&mut tx, entry.id, -5, "误签到", &by).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(fix.corrects_entry_id, Some(entry.id));
    assert_eq!(fix.earned_on, entry.earned_on);
    assert_eq!(store::total(&app.db, m).await.unwrap(), 0);
    assert_eq!(app.count("point_entries").await, 2);
    let audit = app.audit("points").await;
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].contains(&format!("#{}", entry.id))
            && audit[0].contains("-5")
            && audit[0].contains("误签到")
    );
    // The correction counts against the item's cap too: corrected to 0, the item may earn again.
    let again = give(&app, &award(m, PointKind::Attendance, "session:1", "a:1:again", noon(3))).await;
    assert!(matches!(again, Awarded::Recorded(e) if e.points == 5));
}

#[tokio::test]
async fn a_rule_change_applies_from_its_date_and_leaves_earlier_entries_alone() {
    let app = spawn_app().await;
    let m = member(&app).await;
    let before = give(&app, &award(m, PointKind::Reading, "article:1", "r:1", noon(9))).await;
    assert!(matches!(before, Awarded::Recorded(ref e) if e.points == 1));
    let rule = Rule {
        kind: PointKind::Reading,
        points: 3,
        daily_cap: Some(3),
        per_item_cap: Some(3),
        minutes_per_point: None,
        windows: Vec::new(),
        window_multiplier: 1,
        effective_from: NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
    };
    let by = Actor { user_id: None, label: "测试".into(), ip: "本机".into() };
    let mut tx = app.db.begin().await.unwrap();
    store::set_rule(&mut tx, &rule, &by).await.unwrap();
    tx.commit().await.unwrap();
    let day_before = give(&app, &award(m, PointKind::Reading, "article:2", "r:2", noon(9))).await;
    let from_then = give(&app, &award(m, PointKind::Reading, "article:3", "r:3", noon(10))).await;
    let capped = give(&app, &award(m, PointKind::Reading, "article:4", "r:4", noon(10))).await;
    assert!(matches!(day_before, Awarded::Recorded(e) if e.points == 1));
    assert!(matches!(from_then, Awarded::Recorded(e) if e.points == 3));
    assert!(matches!(capped, Awarded::Recorded(e) if e.points == 0));
    let history = store::history(&app.db, m, 10).await.unwrap();
    let points: Vec<i64> = history.iter().rev().map(|e| e.points).collect();
    assert_eq!(points, vec![1, 1, 3, 0], "the first entry kept its point");
    assert_eq!(app.audit("points").await.len(), 1);
}

#[tokio::test]
async fn the_day_is_the_shanghai_day_and_without_a_rule_nothing_is_recorded() {
    let app = spawn_app().await;
    let m = member(&app).await;
    // 23:30 UTC on 4 December is 07:30 on the 5th in Shanghai.
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 23, 30, 0).unwrap();
    let Awarded::Recorded(e) = give(&app, &award(m, PointKind::Video, "video:1", "v:1", at)).await else {
        panic!("not recorded")
    };
    assert_eq!(e.earned_on, NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
    let long_ago = Utc.with_ymd_and_hms(1999, 1, 1, 12, 0, 0).unwrap();
    assert_eq!(give(&app, &award(m, PointKind::Video, "video:2", "v:2", long_ago)).await, Awarded::NoRule);
    assert_eq!(app.count("point_entries").await, 1);
}

#[tokio::test]
async fn a_check_in_earns_its_points_once_however_often_it_is_sent() {
    use dongxun::checkin::code::{qr_token, window_at};
    let app = spawn_app().await;
    let campaign = crate::sessions::create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let zhang = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let token = qr_token(&session.secret, window_at(Utc::now().timestamp()));
    let attempts: Vec<_> = (0..5)
        .map(|_| {
            let (client, url) = (client.clone(), app.url(&format!("/checkin/{}", session.id)));
            let form = [
                ("t", token.clone()),
                ("name", "张三".into()),
                ("phone", "13800001111".into()),
                ("csrf", csrf.clone()),
            ];
            tokio::spawn(async move { client.post(url).form(&form).send().await.unwrap().status() })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap(), reqwest::StatusCode::OK);
    }
    assert_eq!(app.count("attendances").await, 1);
    let history = store::history(&app.db, zhang, 10).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].kind, history[0].points), (PointKind::Attendance, 5));
    assert_eq!(history[0].idempotency_key, format!("attendance:{}:{zhang}", session.id));
}

#[tokio::test]
async fn a_check_in_whose_points_cannot_be_written_stores_neither() {
    use dongxun::checkin::model::Channel;
    use dongxun::checkin::store::{self as attendance, Attendance};
    let app = spawn_app().await;
    let campaign = crate::sessions::create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let m = member(&app).await;
    if on_postgres() {
        app.execute("CREATE FUNCTION refuse_points() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END; $$").await;
        app.execute("CREATE TRIGGER refuse_points BEFORE INSERT ON point_entries FOR EACH ROW EXECUTE FUNCTION refuse_points()").await;
    } else {
        app.execute("CREATE TRIGGER refuse_points BEFORE INSERT ON point_entries BEGIN SELECT RAISE(ABORT, 'injected'); END").await;
    }
    let entry = Attendance {
        session_id: session.id,
        member_id: m,
        channel: Channel::Code,
        minutes: 90,
        late: false,
        recorded_by: None,
    };
    let mut tx = app.db.begin().await.unwrap();
    let failed = attendance::record(&mut tx, &entry).await;
    assert!(failed.unwrap_err().to_string().contains("injected"));
    drop(tx);
    assert_eq!(app.count("attendances").await, 0);
    assert_eq!(app.count("point_entries").await, 0);
}

async fn set(app: &TestApp, kind: PointKind, points: i64, daily: Option<i64>, item: Option<i64>, from: u32) {
    let rule = Rule {
        kind,
        points,
        daily_cap: daily,
        per_item_cap: item,
        minutes_per_point: None,
        windows: Vec::new(),
        window_multiplier: 1,
        effective_from: NaiveDate::from_ymd_opt(2026, 12, from).unwrap(),
    };
    let by = Actor { user_id: None, label: "测试".into(), ip: "本机".into() };
    let mut tx = app.db.begin().await.unwrap();
    store::set_rule(&mut tx, &rule, &by).await.unwrap();
    tx.commit().await.unwrap();
}

async fn points_of(app: &TestApp, a: &Award) -> i64 {
    match give(app, a).await {
        Awarded::Recorded(e) => e.points,
        other => panic!("not recorded: {other:?}"),
    }
}

/// An award under a rule with no daily cap is written in one statement that works out the points
/// in SQL; it must give what the rules engine gives, keep the counters the ledger's trigger
/// keeps, and notice when the rule in effect gains a daily cap.
#[tokio::test]
async fn one_statement_awards_cut_at_the_item_cap_and_notice_a_new_daily_cap() {
    let app = spawn_app().await;
    let m = member(&app).await;
    set(&app, PointKind::Attendance, 4, None, Some(7), 10).await;
    let session = |key: &str| award(m, PointKind::Attendance, "session:9", key, noon(10));
    assert_eq!(points_of(&app, &session("a:1")).await, 4);
    assert_eq!(points_of(&app, &session("a:2")).await, 3, "cut to what the item cap leaves");
    assert_eq!(points_of(&app, &session("a:3")).await, 0);
    let three = Award { quantity: 3, ..award(m, PointKind::Attendance, "session:8", "a:4", noon(10)) };
    assert_eq!(points_of(&app, &three).await, 7, "3 × 4 cut to 7");
    let day = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    let counted = store::day_totals(&app.db, m, day).await.unwrap();
    assert_eq!(counted, vec![(PointKind::Attendance, 14)], "the trigger counted every entry once");

    set(&app, PointKind::Attendance, 4, Some(5), Some(7), 11).await;
    let on_11 = |item: &str, key: &str| award(m, PointKind::Attendance, item, key, noon(11));
    assert_eq!(points_of(&app, &on_11("session:10", "b:1")).await, 4);
    assert_eq!(points_of(&app, &on_11("session:11", "b:2")).await, 1, "the new daily cap holds");
    set(&app, PointKind::Attendance, 2, None, None, 12).await;
    assert_eq!(points_of(&app, &award(m, PointKind::Attendance, "session:12", "c:1", noon(12))).await, 2);
    assert_eq!(store::total(&app.db, m).await.unwrap(), 21);
    let day_11 = NaiveDate::from_ymd_opt(2026, 12, 11).unwrap();
    assert_eq!(store::day_totals(&app.db, m, day_11).await.unwrap(), vec![(PointKind::Attendance, 5)]);
}
