//! The SQL side: the same ledger loaded into SQLite and PostgreSQL, then "rank of member" as a
//! window function and as count-above (over the ledger, and over a totals table with an index
//! on the total), and "top 100 of a unit today" with an index on (day, unit).

use std::time::Instant;

use rank_index::Campaign;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};

/// Which databases to measure: SQLite always, PostgreSQL when DONGXUN_TEST_PG is set.
pub enum Backend {
    Sqlite,
    Postgres(String),
}

pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if let Ok(url) = std::env::var("DONGXUN_TEST_PG") {
        all.push(Backend::Postgres(url));
    }
    all
}

/// Nanoseconds per query, named.
pub struct Results {
    pub rank: Vec<(String, f64)>,
    pub top: Vec<(String, f64)>,
}

const WINDOW: &str = "SELECT CAST(r AS BIGINT) FROM (SELECT member_id, RANK() OVER (ORDER BY SUM(points) DESC) AS r \
                      FROM ledger GROUP BY member_id) t WHERE member_id = $1";
const ABOVE_LEDGER: &str = "SELECT CAST(1 + COUNT(*) AS BIGINT) FROM (SELECT member_id FROM ledger GROUP BY member_id \
                            HAVING SUM(points) > (SELECT SUM(points) FROM ledger WHERE member_id = $1)) t";
const ABOVE_TOTALS: &str = "SELECT CAST(1 + COUNT(*) AS BIGINT) FROM totals WHERE total > \
                            (SELECT total FROM totals WHERE member_id = $1)";
const TOP: &str = "SELECT member_id, CAST(SUM(points) AS BIGINT) AS s FROM ledger WHERE day = $1 AND unit_id = $2 \
                   GROUP BY member_id ORDER BY s DESC LIMIT 100";

macro_rules! timed {
    ($conn:expr, $sql:expr, $inputs:expr, |$q:ident, $x:ident| $bind:expr, $check:expr) => {{
        let started = Instant::now();
        let mut n = 0usize;
        for input in $inputs {
            let rows: Vec<(i64,)> = {
                let ($q, $x) = (sqlx::query_as($sql), input);
                $bind
            }
            .fetch_all(&mut *$conn)
            .await
            .unwrap();
            $check(input, &rows);
            n += 1;
        }
        started.elapsed().as_nanos() as f64 / n.max(1) as f64
    }};
}

pub async fn measure(
    backend: Backend,
    plan: &Campaign,
    entries: u64,
    seed: u64,
    probes: &[i64],
    unit_probes: &[i64],
    expected_rank: &dyn Fn(i64) -> i64,
    expected_top_len: &dyn Fn(i64) -> usize,
) -> Results {
    let today = (plan.days - 1) as i64;
    let check_rank = |m: &i64, rows: &Vec<(i64,)>| {
        let got = rows.first().map_or(0, |r| r.0);
        assert_eq!(got, expected_rank(*m), "SQL and the index agree on member {m}");
    };
    let check_top = |u: &i64, rows: &Vec<(i64,)>| assert_eq!(rows.len(), expected_top_len(*u), "unit {u}");
    macro_rules! run {
        ($conn:expr, $name:expr) => {{
            let conn = $conn;
            let started = Instant::now();
            let window = timed!(conn, WINDOW, probes.iter().take(2), |q, m| q.bind(*m), check_rank);
            eprintln!("{}: window function {:.1} s", $name, window / 1e9);
            let ledger = timed!(conn, ABOVE_LEDGER, probes.iter().take(2), |q, m| q.bind(*m), check_rank);
            let totals = timed!(conn, ABOVE_TOTALS, probes.iter().take(2000), |q, m| q.bind(*m), check_rank);
            let top = timed!(conn, TOP, unit_probes.iter().take(2000), |q, u| q.bind(today).bind(*u), check_top);
            eprintln!("{}: queries in {:.1} s", $name, started.elapsed().as_secs_f64());
            Results {
                rank: vec![
                    (format!("{} RANK() OVER (ORDER BY SUM) over the ledger", $name), window),
                    (format!("{} count-above over the ledger (GROUP BY … HAVING)", $name), ledger),
                    (format!("{} count-above over a totals table, index on total", $name), totals),
                ],
                top: vec![(format!("{} GROUP BY over the ledger, index (day, unit)", $name), top)],
            }
        }};
    }
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("rank-compare-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.join("ledger.db").display());
            let mut conn = SqliteConnection::connect(&url).await.unwrap();
            conn.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144")
                .await
                .unwrap();
            load_sqlite(&mut conn, plan, entries, seed).await;
            let results = run!(&mut conn, "SQLite");
            drop(conn);
            let _ = std::fs::remove_dir_all(&dir);
            results
        }
        Backend::Postgres(url) => {
            let mut conn = PgConnection::connect(&url).await.unwrap();
            load_postgres(&mut conn, plan, entries, seed).await;
            run!(&mut conn, "PostgreSQL")
        }
    }
}

const SCHEMA: &str = "CREATE TABLE ledger (member_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, day BIGINT NOT NULL, \
                      points BIGINT NOT NULL)";
const INDEXES: [&str; 5] = [
    "CREATE INDEX ledger_member ON ledger (member_id, points)",
    "CREATE INDEX ledger_day_unit ON ledger (day, unit_id, member_id, points)",
    "CREATE TABLE totals AS SELECT member_id, SUM(points) AS total FROM ledger GROUP BY member_id",
    "CREATE UNIQUE INDEX totals_member ON totals (member_id, total)",
    "CREATE INDEX totals_total ON totals (total)",
];

async fn load_sqlite(conn: &mut SqliteConnection, plan: &Campaign, entries: u64, seed: u64) {
    let started = Instant::now();
    conn.execute(SCHEMA).await.unwrap();
    let rows = 800;
    let sql = format!(
        "INSERT INTO ledger VALUES {}",
        // Anonymous `?`: SQLite looks each numbered parameter's name up in a list (O(n) per bind).
        vec!["(?, ?, ?, ?)"; rows].join(",")
    );
    let mut tx = conn.begin().await.unwrap();
    let mut events = plan.events(entries, seed).peekable();
    while events.peek().is_some() {
        let chunk: Vec<_> = events.by_ref().take(rows).collect();
        if chunk.len() < rows {
            for e in chunk {
                sqlx::query("INSERT INTO ledger VALUES ($1, $2, $3, $4)")
                    .bind(e.member)
                    .bind(e.unit)
                    .bind((e.day - plan.first).num_days())
                    .bind(e.points)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            break;
        }
        let mut query = sqlx::query(&sql);
        for e in chunk {
            query = query.bind(e.member).bind(e.unit).bind((e.day - plan.first).num_days()).bind(e.points);
        }
        query.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    for sql in INDEXES {
        conn.execute(sql).await.unwrap();
    }
    conn.execute("ANALYZE").await.unwrap();
    eprintln!("SQLite loaded and indexed in {:.1} s", started.elapsed().as_secs_f64());
}

async fn load_postgres(conn: &mut PgConnection, plan: &Campaign, entries: u64, seed: u64) {
    let started = Instant::now();
    conn.execute("DROP TABLE IF EXISTS ledger; DROP TABLE IF EXISTS totals").await.unwrap();
    conn.execute(SCHEMA).await.unwrap();
    let mut copy = conn.copy_in_raw("COPY ledger FROM STDIN").await.unwrap();
    let mut buffer = String::with_capacity(1 << 20);
    for e in plan.events(entries, seed) {
        use std::fmt::Write;
        writeln!(buffer, "{}\t{}\t{}\t{}", e.member, e.unit, (e.day - plan.first).num_days(), e.points).unwrap();
        if buffer.len() > (1 << 20) - 64 {
            copy.send(buffer.as_bytes()).await.unwrap();
            buffer.clear();
        }
    }
    copy.send(buffer.as_bytes()).await.unwrap();
    copy.finish().await.unwrap();
    for sql in INDEXES {
        conn.execute(sql).await.unwrap();
    }
    conn.execute("ANALYZE").await.unwrap();
    eprintln!("PostgreSQL loaded and indexed in {:.1} s", started.elapsed().as_secs_f64());
}
