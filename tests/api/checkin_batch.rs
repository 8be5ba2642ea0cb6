//! Group commit of self check-ins: a batch records each attendance once, with its points, as
//! single check-ins would; a hall checking in at once over HTTP is answered only after commit,
//! each member once; a batch that fails is retried one by one, so nothing half-stored remains.

use std::time::Duration;

use chrono::Utc;
use dongxun::checkin::batch::record_batch;
use dongxun::checkin::code::{qr_token, window_at};
use dongxun::checkin::limits::{Budget, GuessLimits};
use dongxun::checkin::model::Channel;
use dongxun::checkin::store::{Attendance, Recorded};
use dongxun::points::store;
use dongxun::web::WebConfig;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// An app whose guessing budgets let one address (the test's) check in a whole hall.
async fn hall() -> TestApp {
    let unbounded = Budget { burst: 1_000_000, every: Duration::from_millis(1) };
    spawn_app_limited(WebConfig::default(), GuessLimits { per_address: unbounded, per_session: unbounded })
        .await
}

fn entry(session_id: i64, member_id: i64) -> Attendance {
    Attendance { session_id, member_id, channel: Channel::Qr, minutes: 90, late: false, recorded_by: None }
}

#[tokio::test]
async fn a_batch_records_each_attendance_once_with_its_points() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let a = add_member(&app, app.branch_a.id, "甲", "13800005551").await;
    let b = add_member(&app, app.branch_a.id, "乙", "13800005552").await;
    let c = add_member(&app, app.branch_a.id, "丙", "13800005553").await;
    let mut tx = app.db.begin().await.unwrap();
    let first = record_batch(&mut tx, &[entry(session.id, c)]).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(first[..], [Recorded::New { late: false }]));

    let batch = [entry(session.id, a), entry(session.id, a), entry(session.id, b), entry(session.id, c)];
    let mut tx = app.db.begin().await.unwrap();
    let done = record_batch(&mut tx, &batch).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(done[0], Recorded::New { .. }));
    assert!(matches!(done[1], Recorded::Already { channel: Channel::Qr, .. }), "a double tap in one batch");
    assert!(matches!(done[2], Recorded::New { .. }));
    assert!(matches!(done[3], Recorded::Already { .. }), "stored by an earlier batch");
    assert_eq!(app.count("attendances").await, 3);
    for member in [a, b, c] {
        let history = store::history(&app.db, member, 10).await.unwrap();
        assert_eq!(history.len(), 1, "one award per attendance");
        assert_eq!(history[0].points, 5);
        assert_eq!(history[0].idempotency_key, format!("attendance:{}:{member}", session.id));
    }
}

#[tokio::test]
async fn a_hall_checking_in_at_once_is_each_stored_once_with_points() {
    let app = hall().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let mut members = Vec::new();
    for i in 0..40 {
        let phone = format!("1380000{i:04}");
        members.push((add_member(&app, app.branch_a.id, &format!("党员{i:02}"), &phone).await, phone));
    }
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let token = qr_token(&session.secret, window_at(Utc::now().timestamp()));
    // Every member sends twice (a double tap), all at once.
    let attempts: Vec<_> = members
        .iter()
        .chain(members.iter())
        .enumerate()
        .map(|(i, (_, phone))| {
            let (client, url) = (client.clone(), app.url(&format!("/checkin/{}", session.id)));
            let form = [
                ("t", token.clone()),
                ("name", format!("党员{:02}", i % 40)),
                ("phone", phone.clone()),
                ("csrf", csrf.clone()),
            ];
            tokio::spawn(async move {
                let r = client.post(url).form(&form).send().await.unwrap();
                (r.status(), r.text().await.unwrap())
            })
        })
        .collect();
    let (mut new, mut already) = (0, 0);
    for attempt in attempts {
        let (status, html) = attempt.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        new += usize::from(html.contains("签到成功"));
        already += usize::from(html.contains("您已签到"));
    }
    assert_eq!((new, already), (40, 40));
    assert_eq!(app.count("attendances").await, 40);
    assert_eq!(app.count("point_entries").await, 40);
    for (member, _) in &members {
        assert_eq!(store::total(&app.db, *member).await.unwrap(), 5);
    }
}

#[tokio::test]
async fn check_ins_whose_points_cannot_be_written_store_nothing_and_say_so() {
    let app = hall().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    if on_postgres() {
        app.execute("CREATE FUNCTION refuse_points() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END; $$").await;
        app.execute("CREATE TRIGGER refuse_points BEFORE INSERT ON point_entries FOR EACH ROW EXECUTE FUNCTION refuse_points()").await;
    } else {
        app.execute("CREATE TRIGGER refuse_points BEFORE INSERT ON point_entries BEGIN SELECT RAISE(ABORT, 'injected'); END").await;
    }
    let mut members = Vec::new();
    for i in 0..10 {
        members
            .push(add_member(&app, app.branch_a.id, &format!("党员{i:02}"), &format!("1380001{i:04}")).await);
    }
    let mut tx = app.db.begin().await.unwrap();
    let batch: Vec<Attendance> = members.iter().map(|m| entry(session.id, *m)).collect();
    assert!(record_batch(&mut tx, &batch).await.unwrap_err().to_string().contains("injected"));
    drop(tx);
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let token = qr_token(&session.secret, window_at(Utc::now().timestamp()));
    let attempts: Vec<_> = (0..10)
        .map(|i| {
            let (client, url) = (client.clone(), app.url(&format!("/checkin/{}", session.id)));
            let form = [
                ("t", token.clone()),
                ("name", format!("党员{i:02}")),
                ("phone", format!("1380001{i:04}")),
                ("csrf", csrf.clone()),
            ];
            tokio::spawn(async move { client.post(url).form(&form).send().await.unwrap().status() })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap(), StatusCode::INTERNAL_SERVER_ERROR, "never a false 签到成功");
    }
    assert_eq!(app.count("attendances").await, 0);
    assert_eq!(app.count("point_entries").await, 0);
}

#[tokio::test]
async fn a_batch_under_a_capped_rule_still_applies_the_cap() {
    use chrono::NaiveDate;
    use dongxun::audit::Actor;
    use dongxun::points::{PointKind, Rule};
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let rule = Rule {
        kind: PointKind::Attendance,
        points: 5,
        daily_cap: Some(3),
        per_item_cap: None,
        minutes_per_point: None,
        windows: Vec::new(),
        window_multiplier: 1,
        effective_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
    };
    let by = Actor { user_id: None, label: "测试".into(), ip: "本机".into() };
    let mut tx = app.db.begin().await.unwrap();
    store::set_rule(&mut tx, &rule, &by).await.unwrap();
    tx.commit().await.unwrap();
    let a = add_member(&app, app.branch_a.id, "甲", "13800005551").await;
    let b = add_member(&app, app.branch_a.id, "乙", "13800005552").await;
    let mut tx = app.db.begin().await.unwrap();
    let done = record_batch(&mut tx, &[entry(session.id, a), entry(session.id, b)]).await.unwrap();
    tx.commit().await.unwrap();
    assert!(done.iter().all(|d| matches!(d, Recorded::New { .. })));
    for member in [a, b] {
        assert_eq!(store::total(&app.db, member).await.unwrap(), 3, "the daily cap of the rule in effect");
    }
}

/// A roll-call tick undone takes its points back; the member then checks in with a batch: the
/// batch finds the award's key already in the ledger and earns again through the single path,
/// keyed `…:2`, so the member holds the session's 5 points once.
#[tokio::test]
async fn a_batch_re_earns_after_an_undone_roll_call_tick() {
    use dongxun::audit::Actor;
    use dongxun::checkin::store::undo_roll_call;
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let a = add_member(&app, app.branch_a.id, "甲", "13800005551").await;
    let b = add_member(&app, app.branch_a.id, "乙", "13800005552").await;
    let ticked = Attendance { channel: Channel::RollCall, ..entry(session.id, a) };
    let mut tx = app.db.begin().await.unwrap();
    record_batch(&mut tx, &[ticked, entry(session.id, b)]).await.unwrap();
    tx.commit().await.unwrap();
    let by = Actor { user_id: None, label: "测试".into(), ip: "本机".into() };
    let mut tx = app.db.begin().await.unwrap();
    assert!(undo_roll_call(&mut tx, session.id, a, &by).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(store::total(&app.db, a).await.unwrap(), 0, "the undone tick's points are taken back");

    let mut tx = app.db.begin().await.unwrap();
    let done = record_batch(&mut tx, &[entry(session.id, a), entry(session.id, b)]).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(done[0], Recorded::New { .. }));
    assert!(matches!(done[1], Recorded::Already { .. }));
    assert_eq!(store::total(&app.db, a).await.unwrap(), 5, "earned again, once");
    let keys: Vec<String> =
        store::history(&app.db, a, 10).await.unwrap().into_iter().map(|e| e.idempotency_key).collect();
    assert!(keys.contains(&format!("attendance:{}:{a}:2", session.id)), "{keys:?}");
    assert_eq!(store::total(&app.db, b).await.unwrap(), 5);
}
