//! The live rank index: a second server on the same database follows within a second, an id
//! committed after a higher one is not lost, and after random writes and corrections the index
//! equals the ledger's sums.

use std::time::{Duration, Instant};

use chrono::Utc;
use dongxun::db::{Db, Location};
use dongxun::points::PointKind;
use dongxun::points::index::Period;
use dongxun::points::store::{self, Award};
use dongxun::rankings::LiveRanks;
use dongxun::startup::Application;
use dongxun::web::WebConfig;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::rankings::{earn, ranked_names};
use crate::sessions::create_campaign;

/// Where a second server finds the test app's database.
fn location_of(app: &TestApp) -> Location {
    match &app.db {
        Db::Sqlite(_) => Location::SqliteFile(app._dir.path().join("dongxun.db")),
        Db::Postgres(pool) => {
            let options = pool.connect_options();
            Location::Postgres(format!(
                "postgres://postgres@{}:{}/{}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or("postgres")
            ))
        }
    }
}

#[tokio::test]
async fn a_second_server_on_the_same_database_follows_within_a_second() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await.id;
    let member = add_member(&app, app.branch_a.id, "甲一", "13800001000").await;
    let db = Db::connect(&location_of(&app)).await.unwrap();
    let second =
        Application::with_db(db, app.vault.clone(), "127.0.0.1:0", WebConfig::default()).await.unwrap();
    let ranks: LiveRanks = second.ranks().clone();
    let address = format!("http://{}", second.local_addr());
    tokio::spawn(second.run_until(std::future::pending()));

    // Written through the first server: a roll-call tick earns 5 points.
    let staff = app.logged_in(STATION_A).await;
    let tick = [("member_id", member.to_string())];
    let r = app.post_owned_form(&staff, &format!("/sessions/{session}/roll-call"), &tick).await;
    assert_eq!(r.status(), StatusCode::OK);
    let written = Instant::now();
    let today = dongxun::time::today();
    // The second server's index, untouched by any request, has it within one second.
    loop {
        let points = ranks.index().read(|r| r.standing(Period::Day(today), member).map(|s| s.points));
        if points == Some(5) {
            break;
        }
        assert!(written.elapsed() < Duration::from_secs(1), "not followed within 1 s: {points:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // And its pages show it.
    let client = app.client();
    let login = client.get(format!("{address}/login")).send().await.unwrap().text().await.unwrap();
    let token = extract_csrf(&login).unwrap();
    let form = [("phone", COMMITTEE), ("password", PASSWORD), ("csrf", token.as_str()), ("next", "/")];
    assert_eq!(client.post(format!("{address}/login")).form(&form).send().await.unwrap().status(), 303);
    let html =
        client.get(format!("{address}/rankings?by=member")).send().await.unwrap().text().await.unwrap();
    assert_eq!(ranked_names(&html), [(1, "甲一".to_owned())]);
}

#[tokio::test]
async fn an_id_committed_after_a_higher_one_is_not_lost() {
    if !on_postgres() {
        // SQLite writers are serialized: ids commit in order.
        return;
    }
    let app = spawn_app().await;
    let (early, late) = (
        add_member(&app, app.branch_a.id, "甲一", "13800001000").await,
        add_member(&app, app.branch_a.id, "甲二", "13800001001").await,
    );
    let live = LiveRanks::load(&app.db).await.unwrap();
    let award = |member: i64, key: &str| Award {
        member_id: member,
        kind: PointKind::Attendance,
        item_key: key.into(),
        idempotency_key: key.into(),
        at: Utc::now(),
        quantity: 1,
        reason: String::new(),
        recorded_by: None,
        campaign_id: None,
    };
    // The first transaction takes the lower id and commits last.
    let mut slow = app.db.begin().await.unwrap();
    let low = store::award(&mut slow, &award(early, "slow")).await.unwrap();
    let mut fast = app.db.begin().await.unwrap();
    let high = store::award(&mut fast, &award(late, "fast")).await.unwrap();
    let id = |a: &store::Awarded| match a {
        store::Awarded::Recorded(e) => e.id,
        other => panic!("{other:?}"),
    };
    assert!(id(&low) < id(&high));
    fast.commit().await.unwrap();
    live.catch_up().await.unwrap();
    let today = Period::Day(dongxun::time::today());
    let points = |m| live.index().read(|r| r.standing(today, m).unwrap().points);
    assert_eq!((points(early), points(late)), (0, 5));
    slow.commit().await.unwrap();
    live.catch_up().await.unwrap();
    assert_eq!((points(early), points(late)), (5, 5), "the gap was asked for again");
    live.catch_up().await.unwrap();
    assert_eq!(points(early), 5, "and counted once");
}

/// A small deterministic generator (no extra dependency): the same sequence on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn after_random_writes_and_corrections_the_live_index_equals_the_ledgers_sums() {
    let app = spawn_app().await;
    let mut members = Vec::new();
    for i in 0..8 {
        let branch = if i % 2 == 0 { app.branch_a.id } else { app.branch_b.id };
        members.push(add_member(&app, branch, &format!("成员{i}"), &format!("1380000300{i}")).await);
    }
    let live = LiveRanks::load(&app.db).await.unwrap();
    let mut rng = Lcg(9);
    let actor = dongxun::audit::Actor::command_line();
    for round in 0..12 {
        for i in 0..rng.below(4) {
            let member = members[rng.below(8) as usize];
            earn(&app, member, 1 + rng.below(2) as usize, &format!("r{round}x{i}")).await;
        }
        if rng.below(2) == 0 {
            let entries = store::history(&app.db, members[rng.below(8) as usize], 50).await.unwrap();
            if let Some(entry) = entries.iter().find(|e| e.points > 0 && e.corrects_entry_id.is_none()) {
                let mut tx = app.db.begin().await.unwrap();
                store::correct(&mut tx, entry.id, -entry.points, "更正", &actor).await.unwrap();
                tx.commit().await.unwrap();
            }
        }
        live.catch_up().await.unwrap();
        let today = Period::Day(dongxun::time::today());
        let mut totals = Vec::new();
        for &m in &members {
            totals.push((m, store::total(&app.db, m).await.unwrap()));
        }
        for &(m, points) in &totals {
            let rank = 1 + totals.iter().filter(|(_, p)| *p > points).count() as u32;
            let standing = live.index().read(|r| r.standing(today, m)).unwrap();
            assert_eq!((standing.points, standing.rank), (points, rank), "round {round}, member {m}");
        }
    }
}
