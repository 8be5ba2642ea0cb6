//! What points cost a check-in, end to end over HTTP: code check-ins (POST /checkin) on an app
//! whose rules award points, beside the same on an app with no rules in effect (the award then
//! does nothing: with the rules cached, not one statement). Interleaved round by round on the
//! same machine; prints medians and their ratio. Not a pass/fail test: run it by hand,
//! `cargo test --test api check_in_cost -- --ignored --nocapture` (and with DONGXUN_TEST_PG).

use std::time::{Duration, Instant};

use chrono::Utc;
use dongxun::checkin::code::{six_digit_code, window_at};
use dongxun::checkin::limits::{Budget, GuessLimits};
use dongxun::web::WebConfig;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

const PER_ROUND: usize = 1;
const ROUNDS: usize = 500;

struct Bench {
    app: TestApp,
    secret: String,
    client: reqwest::Client,
    csrf: String,
    next: usize,
}

async fn bench(with_points: bool) -> Bench {
    let unbounded = Budget { burst: 1_000_000, every: Duration::from_millis(1) };
    let app = spawn_app_limited(
        WebConfig::default(),
        GuessLimits { per_address: unbounded, per_session: unbounded },
    )
    .await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    for i in 0..PER_ROUND * ROUNDS {
        add_member(&app, app.branch_a.id, &format!("党员{i:04}"), &format!("1370000{i:04}")).await;
    }
    if !with_points {
        // Only the seeded defaults exist, and nothing refers to them: no rule in effect.
        app.execute("DELETE FROM point_rules").await;
    }
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    Bench { app, secret: session.secret, client, csrf, next: 0 }
}

/// Checks in the next `PER_ROUND` members one after another; each check-in's seconds.
async fn round(b: &mut Bench) -> Vec<f64> {
    let mut times = Vec::with_capacity(PER_ROUND);
    for _ in 0..PER_ROUND {
        let i = b.next;
        b.next += 1;
        let code = six_digit_code(&b.secret, window_at(Utc::now().timestamp()));
        let (name, phone) = (format!("党员{i:04}"), format!("1370000{i:04}"));
        let form = [("code", code.as_str()), ("name", &name), ("phone", &phone), ("csrf", &b.csrf)];
        let started = Instant::now();
        let r = b.client.post(b.app.url("/checkin")).form(&form).send().await.unwrap();
        let body = r.text().await.unwrap();
        times.push(started.elapsed().as_secs_f64());
        assert!(body.contains("签到成功"), "{body}");
    }
    times
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[tokio::test]
#[ignore = "a measurement: run by hand"]
async fn check_in_cost_with_and_without_points() {
    let mut with = bench(true).await;
    let mut without = bench(false).await;
    let (mut all_with, mut all_without, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..ROUNDS {
        // Alternate which goes first, so neither always runs on a warmer machine.
        let (a, b) = if r.is_multiple_of(2) {
            let a = round(&mut with).await;
            (a, round(&mut without).await)
        } else {
            let b = round(&mut without).await;
            (round(&mut with).await, b)
        };
        let (ma, mb) = (median(a.clone()), median(b.clone()));
        ratios.push(ma / mb);
        all_with.extend(a);
        all_without.extend(b);
    }
    let entries = with.app.count("point_entries").await;
    assert_eq!(entries as usize, PER_ROUND * ROUNDS, "every check-in earned");
    assert_eq!(without.app.count("point_entries").await, 0);
    println!(
        "{}: median check-in with points {:.2} ms, without {:.2} ms; median of round ratios {:.3}",
        if on_postgres() { "PostgreSQL" } else { "SQLite" },
        median(all_with) * 1e3,
        median(all_without) * 1e3,
        median(ratios)
    );
}
