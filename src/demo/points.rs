//! The demo's offline points (线下学习（代录）): what station secretaries recorded over the past
//! two weeks for members who studied without a smartphone, so rankings look alive — each station
//! as keen as it is (a different share of its members), totals varied, some tied. Written through
//! `points::award_batch`, in one transaction, with the same caps and keys as any award.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::Db;
use crate::on_db;
use crate::org::store::Unit;
use crate::people::store as member_store;
use crate::points::{self, Award, PointKind};

const REASONS: [&str; 5] =
    ["参加村民小组学习会", "收听村广播党课", "参加线下主题党日", "手抄学习笔记一篇", "老党员上门领学"];

/// Seeds the offline entries of the running campaign.
pub async fn seed(db: &Db, root: &Unit, stations: &[Unit], today: NaiveDate) -> anyhow::Result<()> {
    // Its own generator, so the people and sessions seeded before stay as they always were.
    let mut rng = StdRng::seed_from_u64(20211201);
    let campaign_id = latest_campaign(db).await?;
    let committee = user_id(db, "13900000001").await?;
    let mut secretaries = Vec::new();
    for i in 0..stations.len() {
        secretaries.push(user_id(db, &format!("139000001{i:02}")).await?);
    }
    let members = member_store::unordered_in_scope(db, &root.scope()).await?;
    let month_start = today.with_day(1).expect("every month has a first day");
    let mut awards = Vec::new();
    for m in &members {
        let station = stations.iter().position(|s| m.unit_path.starts_with(&s.path));
        // Stations differ: from a tenth to over two thirds of their members have offline study.
        let keen = station.map_or(30, |i| 10 + (i * 37) % 60);
        if rng.random_range(0..100) >= keen {
            continue;
        }
        let recorded_by = station.map_or(committee, |i| secretaries[i]);
        for n in 0..rng.random_range(1..=5) {
            // Within this month: last month's points are the published award's (`awards.rs`).
            let day = (today - Duration::days(rng.random_range(0..14))).max(month_start);
            let local = day.and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("valid time"));
            let at = Shanghai
                .from_local_datetime(&local)
                .single()
                .expect("no DST in Shanghai")
                .with_timezone(&Utc);
            let reason = REASONS[rng.random_range(0..REASONS.len())];
            awards.push(Award {
                member_id: m.id,
                kind: PointKind::Offline,
                item_key: format!("demo:{day}:{n}"),
                idempotency_key: format!("offline:demo:{}:{n}", m.id),
                at,
                // Points are the quantity of an offline entry; a few values, so totals tie.
                quantity: [2, 3, 5, 5, 8, 10][rng.random_range(0..6)],
                reason: reason.into(),
                recorded_by: Some(recorded_by),
                campaign_id: Some(campaign_id),
            });
        }
    }
    let mut tx = db.begin().await?;
    points::award_batch(&mut tx, &awards).await?;
    tx.commit().await?;
    Ok(())
}

async fn latest_campaign(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM campaigns ORDER BY id DESC LIMIT 1").fetch_one(pool).await
    })
}

async fn user_id(db: &Db, phone: &str) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1").bind(phone).fetch_one(pool).await
    })
}
