//! Many awards at once: `award_batch` (roll calls, sheets, the demo) gives exactly what one
//! `award` per entry in order gives, caps hold across concurrent batches, and the group-commit
//! ingest answers every caller once its award is committed.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use dongxun::points::ingest::Ingest;
use dongxun::points::store::{self, Award, Awarded};
use dongxun::points::{PointKind, award_batch};

use crate::helpers::*;
use crate::people::add_member;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Shanghai.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap().with_timezone(&Utc)
}

fn award(member_id: i64, kind: PointKind, item: &str, key: &str, at: DateTime<Utc>, quantity: i64) -> Award {
    Award { quantity, ..crate::points::award(member_id, kind, item, key, at) }
}

async fn members(app: &TestApp, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..count {
        ids.push(add_member(app, app.branch_a.id, &format!("批量{i}"), &format!("1390000{i:04}")).await);
    }
    ids
}

/// A mixed day of awards: capped kinds past their caps, time-based volunteering, repeated keys
/// (within the sequence and across it), and a kind with no rule that day.
fn mixed(members: &[i64]) -> Vec<Award> {
    let kinds =
        [PointKind::Reading, PointKind::Quiz, PointKind::Volunteer, PointKind::Attendance, PointKind::Video];
    let mut awards = Vec::new();
    for n in 0..240usize {
        let member = members[n % members.len()];
        let kind = kinds[(n / 3) % kinds.len()];
        let item = format!("item:{}", n % 7);
        // Every 9th award repeats the key of the one 9 places earlier.
        let key = if n % 9 == 8 { format!("k:{}", n - 8) } else { format!("k:{n}") };
        let quantity = match kind {
            PointKind::Volunteer => 45 + (n as i64 % 4) * 30,
            PointKind::Quiz => 1 + n as i64 % 5,
            _ => 1,
        };
        awards.push(award(member, kind, &item, &key, at(3 + (n % 2) as u32, 9 + (n % 12) as u32), quantity));
    }
    awards.push(award(
        members[0],
        PointKind::Reading,
        "old",
        "k:old",
        at(3, 9) - Duration::days(365 * 30),
        1,
    ));
    awards
}

fn outcome(a: &Awarded) -> (char, i64) {
    match a {
        Awarded::Recorded(e) => ('+', e.points),
        Awarded::AlreadyRecorded(e) => ('=', e.points),
        Awarded::NoRule => ('0', 0),
    }
}

#[tokio::test]
async fn a_batch_gives_what_one_award_at_a_time_gives() {
    let (one_by_one, batched) = (spawn_app().await, spawn_app().await);
    let (a, b) = (members(&one_by_one, 4).await, members(&batched, 4).await);
    assert_eq!(a, b, "fresh databases number members alike");
    let awards = mixed(&a);
    let (first, rest) = awards.split_at(100);

    let mut expected = Vec::new();
    for award in &awards {
        let mut tx = one_by_one.db.begin().await.unwrap();
        expected.push(outcome(&store::award(&mut tx, award).await.unwrap()));
        tx.commit().await.unwrap();
    }
    // Two batches, the second repeating a few keys of the first.
    let mut got = Vec::new();
    for part in [first.to_vec(), [&first[..5], rest].concat()] {
        let mut tx = batched.db.begin().await.unwrap();
        got.extend(award_batch(&mut tx, &part).await.unwrap().iter().map(outcome));
        tx.commit().await.unwrap();
    }
    let got: Vec<_> = got[..100].iter().chain(&got[105..]).cloned().collect();
    assert_eq!(got, expected);
    assert!(expected.iter().any(|o| o.0 == '=') && expected.iter().any(|o| o == &('+', 0)));
    for m in &a {
        assert_eq!(
            store::total(&batched.db, *m).await.unwrap(),
            store::total(&one_by_one.db, *m).await.unwrap()
        );
        for day in [3, 4] {
            let day = at(day, 12).with_timezone(&Shanghai).date_naive();
            assert_eq!(
                store::day_totals(&batched.db, *m, day).await.unwrap(),
                store::day_totals(&one_by_one.db, *m, day).await.unwrap()
            );
        }
    }
    assert_eq!(batched.count("point_entries").await, one_by_one.count("point_entries").await);
}

#[tokio::test]
async fn concurrent_batches_never_pass_a_daily_cap() {
    let app = spawn_app().await;
    let m = members(&app, 1).await[0];
    let tasks: Vec<_> = (0..10)
        .map(|t| {
            let db = app.db.clone();
            let batch: Vec<Award> = (0..4)
                .map(|i| {
                    award(m, PointKind::Reading, &format!("a:{t}:{i}"), &format!("r:{t}:{i}"), at(5, 10), 1)
                })
                .collect();
            tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let done = award_batch(&mut tx, &batch).await.unwrap();
                tx.commit().await.unwrap();
                done
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().iter().all(|a| matches!(a, Awarded::Recorded(_))));
    }
    assert_eq!(app.count("point_entries").await, 40);
    assert_eq!(store::total(&app.db, m).await.unwrap(), 6, "reading is capped at 6 a day");
}

#[tokio::test]
async fn the_ingest_answers_each_caller_after_its_award_is_committed() {
    let app = spawn_app().await;
    let ids = members(&app, 20).await;
    let ingest = Ingest::start(app.db.clone());
    // 400 callers at once, each key sent twice: 200 entries, each member's reading capped at 6.
    let tasks: Vec<_> = (0..400usize)
        .map(|n| {
            let ingest = ingest.clone();
            let key = n % 200;
            let a = award(
                ids[key % 20],
                PointKind::Reading,
                &format!("a:{key}"),
                &format!("r:{key}"),
                at(6, 8),
                1,
            );
            tokio::spawn(async move { ingest.submit(a).await.unwrap() })
        })
        .collect();
    let mut recorded = 0;
    for task in tasks {
        if matches!(task.await.unwrap(), Awarded::Recorded(_)) {
            recorded += 1;
        }
    }
    assert_eq!(recorded, 200, "each key is recorded once, its repeat finds it");
    assert_eq!(app.count("point_entries").await, 200);
    for m in &ids {
        assert_eq!(store::total(&app.db, *m).await.unwrap(), 6);
    }
}
