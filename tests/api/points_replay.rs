//! The ledger's guarantees under repetition and concurrency: any sequence of awards, each
//! replayed 1–5 times in any order, one by one or in batches, gives the totals the pure rules
//! give for it once; twenty concurrent awards of a capped kind never pass the cap.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use dongxun::points::model::{self, Earned};
use dongxun::points::store::{self, Award, Awarded};
use dongxun::points::{PointKind, award_batch};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::helpers::*;
use crate::people::add_member;

fn noon(day: u32) -> DateTime<Utc> {
    Shanghai.with_ymd_and_hms(2026, 12, day, 12, 0, 0).unwrap().with_timezone(&Utc)
}

fn offline(member_id: i64, n: usize) -> Award {
    Award {
        member_id,
        kind: PointKind::Offline,
        item_key: format!("sheet:{n}"),
        idempotency_key: format!("offline:{member_id}:{n}"),
        at: noon(7),
        quantity: 3,
        reason: "参加学习会".into(),
        recorded_by: None,
        campaign_id: None,
    }
}

#[tokio::test]
async fn twenty_concurrent_capped_awards_one_by_one_and_in_batches_never_pass_the_cap() {
    let app = spawn_app().await;
    let m = add_member(&app, app.branch_a.id, "王代录", "13900008888").await;
    let run = |round: usize| -> Vec<tokio::task::JoinHandle<usize>> {
        (0..20)
            .map(|n| {
                let (db, a) = (app.db.clone(), offline(m, n));
                tokio::spawn(async move {
                    let mut tx = db.begin().await.unwrap();
                    // Half alone, half as batches of one (a bulk entry racing single entries).
                    let written = if (n + round).is_multiple_of(2) {
                        matches!(store::award(&mut tx, &a).await.unwrap(), Awarded::Recorded(_)) as usize
                    } else {
                        award_batch(&mut tx, std::slice::from_ref(&a))
                            .await
                            .unwrap()
                            .iter()
                            .filter(|d| matches!(d, Awarded::Recorded(_)))
                            .count()
                    };
                    tx.commit().await.unwrap();
                    written
                })
            })
            .collect()
    };
    let mut written = 0;
    for task in run(0) {
        written += task.await.unwrap();
    }
    assert_eq!(written, 20, "every award is an entry, capped ones with 0 points");
    assert_eq!(store::total(&app.db, m).await.unwrap(), 10, "offline study is capped at 10 a day");
    let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    assert_eq!(store::day_totals(&app.db, m, day).await.unwrap(), vec![(PointKind::Offline, 10)]);
    // The same twenty again, all at once: nothing more.
    let mut again = 0;
    for task in run(1) {
        again += task.await.unwrap();
    }
    assert_eq!((again, app.count("point_entries").await), (0, 20));
    assert_eq!(store::total(&app.db, m).await.unwrap(), 10);
}

/// One award of a generated sequence: which member, kind, item, day and quantity.
#[derive(Debug, Clone)]
struct Step {
    member: usize,
    kind: PointKind,
    item: u8,
    day: u32,
    quantity: i64,
}

const KINDS: [PointKind; 4] =
    [PointKind::Reading, PointKind::Quiz, PointKind::Offline, PointKind::Attendance];

fn step() -> impl Strategy<Value = Step> {
    (0..2usize, 0..KINDS.len(), 0..3u8, 1..3u32, 1..6i64).prop_map(|(member, kind, item, day, quantity)| {
        Step { member, kind: KINDS[kind], item, day, quantity }
    })
}

/// Steps, and the order their copies (each step 1–5 times) are sent in, and how they are batched.
fn sequence() -> impl Strategy<Value = (Vec<Step>, Vec<usize>, Vec<usize>)> {
    (prop::collection::vec(step(), 1..10), prop::collection::vec(1..=5usize, 10)).prop_flat_map(
        |(steps, repeats)| {
            let copies: Vec<usize> =
                (0..steps.len()).flat_map(|i| std::iter::repeat_n(i, repeats[i])).collect();
            let batches = prop::collection::vec(1..4usize, copies.len());
            (Just(steps), Just(copies).prop_shuffle(), batches)
        },
    )
}

#[test]
fn any_sequence_replayed_in_any_order_gives_the_totals_of_the_rules_applied_once() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let app = rt.block_on(spawn_app());
    let rules = rt.block_on(store::rules(&app.db)).unwrap();
    let case = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config { cases: 12, failure_persistence: None, ..Config::default() });
    let result = runner.run(&sequence(), |(steps, copies, batches)| {
        let n = case.fetch_add(1, Ordering::SeqCst);
        let members: Vec<i64> = rt.block_on(async {
            let mut ids = Vec::new();
            for i in 0..2 {
                ids.push(add_member(&app, app.branch_a.id, "李回放", &format!("137{n:05}{i:03}")).await);
            }
            ids
        });
        let award = |i: usize| {
            let s = &steps[i];
            Award {
                member_id: members[s.member],
                kind: s.kind,
                item_key: format!("item:{}", s.item),
                idempotency_key: format!("case:{n}:{i}"),
                at: noon(s.day),
                quantity: s.quantity,
                reason: String::new(),
                recorded_by: None,
                campaign_id: None,
            }
        };
        // What the rules give each step, once, in the order the first copies arrive.
        let mut expected: HashMap<(i64, PointKind), i64> = HashMap::new();
        let (mut days, mut items) = (HashMap::new(), HashMap::new());
        let mut first = copies.clone();
        let mut seen = std::collections::HashSet::new();
        first.retain(|i| seen.insert(*i));
        for &i in &first {
            let a = award(i);
            let day = a.at.with_timezone(&Shanghai).date_naive();
            let rule = model::rule_on(&rules, a.kind, day).expect("a default rule");
            let today: &mut i64 = days.entry((a.member_id, a.kind, day)).or_default();
            let item: &mut i64 = items.entry((a.member_id, a.kind, a.item_key.clone())).or_default();
            let points = model::points_for(
                rule,
                a.quantity,
                a.at.with_timezone(&Shanghai).time(),
                Earned { today: *today, item: *item },
            );
            *today += points;
            *item += points;
            *expected.entry((a.member_id, a.kind)).or_default() += points;
        }
        rt.block_on(async {
            // Sent as the copies come, in batches of 1–3 (a batch of one goes through `award`).
            let mut rest = copies.as_slice();
            let mut sizes = batches.iter().cycle();
            while !rest.is_empty() {
                let size = (*sizes.next().unwrap()).min(rest.len());
                let (batch, tail) = rest.split_at(size);
                rest = tail;
                let mut tx = app.db.begin().await.unwrap();
                if let [i] = batch {
                    store::award(&mut tx, &award(*i)).await.unwrap();
                } else {
                    let awards: Vec<Award> = batch.iter().map(|&i| award(i)).collect();
                    award_batch(&mut tx, &awards).await.unwrap();
                }
                tx.commit().await.unwrap();
            }
            let mut entries = 0;
            for &m in &members {
                let history = store::history(&app.db, m, 1000).await.unwrap();
                entries += history.len();
                let mut got: HashMap<(i64, PointKind), i64> = HashMap::new();
                for e in &history {
                    *got.entry((m, e.kind)).or_default() += e.points;
                }
                for kind in KINDS {
                    let want = expected.get(&(m, kind)).copied().unwrap_or(0);
                    assert_eq!(got.get(&(m, kind)).copied().unwrap_or(0), want, "{kind:?} of member {m}");
                }
            }
            assert_eq!(entries, steps.len(), "one entry per step, however often it was sent");
        });
        Ok(())
    });
    result.unwrap();
}
