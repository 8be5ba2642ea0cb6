//! Ledger ingest with caps applied, on the app's own SQLite settings (WAL, synchronous=FULL):
//! many concurrent writers through the group-commit `points::ingest::Ingest`, beside one
//! transaction per award (what the disk's fsync rate allows without grouping) and beside raw
//! batched INSERTs of the same rows with no caps, no counters (the ceiling on this machine).
//!
//! Usage: ingest [WRITERS [SECONDS [MEMBERS]]]   (default 4,096 10 100,000)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use dongxun::db::{Db, Location};
use dongxun::points::PointKind;
use dongxun::points::ingest::Ingest;
use dongxun::points::store::{self, Award};
use rank_index::{Rng, arg};

const KINDS: [PointKind; 4] = [PointKind::Reading, PointKind::Video, PointKind::Quiz, PointKind::Offline];

fn award(rng: &mut Rng, members: u64, key: u64, tag: &str) -> Award {
    let kind = KINDS[rng.below(KINDS.len() as u64) as usize];
    Award {
        member_id: rng.below(members) as i64 + 1,
        kind,
        item_key: format!("item:{}", rng.below(50)),
        idempotency_key: format!("{tag}:{key}"),
        at: Utc::now(),
        quantity: 1 + rng.below(3) as i64,
        reason: String::new(),
        recorded_by: None,
        campaign_id: None,
    }
}

#[tokio::main]
async fn main() {
    let (writers, seconds, members) = (arg(1, 4096), arg(2, 10), arg(3, 100_000));
    let dir = std::env::temp_dir().join(format!("ingest-bench-{}", std::process::id()));
    let db = Db::connect(&Location::SqliteFile(dir.join("dongxun.db"))).await.unwrap();
    db.migrate().await.unwrap();
    seed_members(&db, members).await;
    let run = Duration::from_secs(seconds);

    let ingest = Ingest::start(db.clone());
    let grouped = writers_for(writers, run, members, "g", move |a| {
        let ingest = ingest.clone();
        async move { ingest.submit(a).await.is_ok() }
    })
    .await;
    let single_db = db.clone();
    let single = writers_for(writers.min(64), run.min(Duration::from_secs(5)), members, "s", move |a| {
        let db = single_db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            store::award(&mut tx, &a).await.unwrap();
            tx.commit().await.is_ok()
        }
    })
    .await;
    let ceiling = raw_inserts(&db, run.min(Duration::from_secs(5)), members, 8, "raw").await;
    // The same rows on a connection set up as the ingest's writer, in transactions of its size.
    let writer = db.dedicated_writer(64).await.unwrap().unwrap();
    let tuned = raw_inserts(&writer, run.min(Duration::from_secs(5)), members, 32, "tuned").await;
    writer.close().await;
    let entries: i64 = match &db {
        Db::Sqlite(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM point_entries").fetch_one(pool).await.unwrap(),
        Db::Postgres(_) => unreachable!(),
    };
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);

    println!("## ledger ingest, SQLite WAL synchronous=FULL, {members} members, caps applied\n");
    println!("| writer | entries/s | × one transaction per award | ÷ raw ceiling |\n|---|---:|---:|---:|");
    println!("| group commit (`points::ingest`), {writers} concurrent writers | {grouped:.0} | {:.1}× | {:.2} |", grouped / single, grouped / ceiling);
    println!("| one transaction per award (`points::award`), {} writers | {single:.0} | 1× | {:.3} |", writers.min(64), single / ceiling);
    println!("| raw batched INSERT, 4,096 rows per transaction, pool connection, no caps or counters (ceiling) | {ceiling:.0} | {:.1}× | 1 |", ceiling / single);
    println!("| raw batched INSERT, 16,384 rows per transaction, the writer's own connection (64 MiB cache) | {tuned:.0} | {:.1}× | {:.2} |", tuned / single, tuned / ceiling);
    println!("\n{entries} entries in the ledger at the end.");
}

/// Runs `writers` tasks, each submitting awards one after another until `run` has passed;
/// returns acknowledged awards per second.
async fn writers_for<F, Fut>(writers: u64, run: Duration, members: u64, tag: &'static str, submit: F) -> f64
where
    F: Fn(Award) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let (done, submit) = (done.clone(), submit.clone());
            tokio::spawn(async move {
                let mut rng = Rng(w * 7919 + 1);
                let mut n = 0u64;
                while started.elapsed() < run {
                    if submit(award(&mut rng, members, w << 32 | n, tag)).await {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    n += 1;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

async fn seed_members(db: &Db, members: u64) {
    let Db::Sqlite(pool) = db else { unreachable!() };
    let now = Utc::now();
    sqlx::query("INSERT INTO units (kind, name, path, created_at) VALUES ('subdistrict', '街道', '/1/', $1)")
        .bind(now)
        .execute(pool)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    for m in 0..members {
        sqlx::query(
            "INSERT INTO members (unit_id, name, name_pinyin, name_initials, created_at, updated_at) \
             VALUES (1, $1, 'x', 'x', $2, $2)",
        )
        .bind(format!("党员{m}"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The same kind of rows written as fast as SQLite takes them: 512-row INSERTs, `statements` of
/// them per transaction, one writer, no cap look-ups or counters. Rows per second.
async fn raw_inserts(db: &Db, run: Duration, members: u64, statements: usize, tag: &str) -> f64 {
    let Db::Sqlite(pool) = db else { unreachable!() };
    let rows = 512;
    // Anonymous `?` parameters: SQLite looks a numbered one's name up in a list, per bind.
    let values = (0..rows).map(|_| "(?, ?, 1, 'item', ?, ?, ?, '')");
    let sql = format!(
        "INSERT INTO point_entries (member_id, kind, points, item_key, idempotency_key, earned_on, at, reason) VALUES {}",
        values.collect::<Vec<_>>().join(",")
    );
    let mut rng = Rng(99);
    let (started, mut written, mut key) = (Instant::now(), 0u64, 0u64);
    while started.elapsed() < run {
        let mut tx = pool.begin().await.unwrap();
        for _ in 0..statements {
            let mut query = sqlx::query(&sql);
            for _ in 0..rows {
                let a = award(&mut rng, members, key, tag);
                key += 1;
                query = query.bind(a.member_id).bind(a.kind).bind(a.idempotency_key).bind(a.at.date_naive()).bind(a.at);
            }
            query.execute(&mut *tx).await.unwrap();
            written += rows;
        }
        tx.commit().await.unwrap();
    }
    written as f64 / started.elapsed().as_secs_f64()
}
