//! The timer behind `bench/coverage_rollup.py`: on one dongxun database, the committee's per-unit
//! coverage rollup (what `GET /coverage` shows) computed two ways, interleaved round by round:
//!
//! - `rust`: `coverage::unit_rates` — the audience as (unit, member ids), the campaign's credits
//!   as one `string_agg` text folded per member in Rust, counts summed per unit (what /coverage uses);
//! - `sql`:  `coverage::unit_counts_sql` — the same counts as ONE SQL query (GROUP BY in the database);
//!
//! plus, for where the time goes, each phase of `unit_rates` alone (`member_units`, `progress`,
//! and inside `progress` its credits query and its fold), and optionally (`--full`)
//! `coverage::compute`, the full per-member report the uncovered list and the export use.
//!
//! Prints tab-separated lines: `time <round> <what> <wall ms> <cpu ms>` (cpu = this process, all
//! threads: for SQLite that includes the database work, for PostgreSQL only the client side),
//! `info …` lines, and `check ok|MISMATCH …` comparing the two rollups' counts.
//!
//! Usage: coverage-rollup (--data-dir DIR | --database-url URL) [--rounds N] [--full]

use std::time::Instant;

use dongxun::campaign::coverage::{self, rollup};
use dongxun::campaign::{audience, store::campaigns};
use dongxun::db::{Db, Location};
use dongxun::org::store as org_store;

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Times one future; prints the line and returns its value.
async fn timed<T, F: std::future::Future<Output = T>>(round: usize, what: &str, f: F) -> T {
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let value = f.await;
    println!(
        "time\t{round}\t{what}\t{:.3}\t{:.0}",
        wall.elapsed().as_secs_f64() * 1000.0,
        (cpu_seconds() - cpu) * 1000.0
    );
    value
}

/// The credits query of `coverage::progress` for the whole tree (copied from
/// src/campaign/coverage.rs, to time the query apart from the fold).
const CREDITS_SQL: &str = "SELECT string_agg(CAST(a.member_id AS TEXT) || ',' || CAST(a.minutes AS TEXT) \
     || ',' || CAST(COALESCE(s.topic_id, 0) AS TEXT), ';') FROM attendances a \
     CROSS JOIN training_sessions s WHERE s.id = a.session_id AND s.campaign_id = $1";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let rounds: usize = value("--rounds").map_or(Ok(5), |r| r.parse())?;
    let full = args.iter().any(|a| a == "--full");
    let location = match (value("--database-url"), value("--data-dir")) {
        (Some(url), _) => Location::Postgres(url),
        (None, Some(dir)) => Location::SqliteFile(std::path::Path::new(&dir).join("dongxun.db")),
        _ => anyhow::bail!("usage: coverage-rollup (--data-dir DIR | --database-url URL) [--rounds N] [--full]"),
    };
    let db = Db::connect(&location).await?;
    // As `dongxun serve` starts: pending migrations (none) and ANALYZE, with this build's SQLite.
    db.migrate().await?;
    let campaign = campaigns::current(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no current campaign"))?;
    let root = org_store::root(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no root unit"))?;
    // The committee admin's view: the root and its children, as pages::children_of gives them.
    let children: Vec<(i64, String, String)> =
        org_store::units_in_scope(&db, &format!("{}%", root.path))
            .await?
            .into_iter()
            .filter(|u| u.parent_id == Some(root.id))
            .map(|u| (u.id, u.name, u.path))
            .collect();
    let viewer = (root.id, root.name.as_str(), root.path.as_str());
    let scope = format!("{}%", root.path);
    println!(
        "info\tcampaign {} ({}), viewer {} with {} child units",
        campaign.id,
        campaign.name,
        root.name,
        children.len()
    );

    let mut mismatches = 0;
    for round in 0..rounds {
        // Alternate which goes first, so neither always gets the warmer cache.
        let mut rust_rows = None;
        let mut sql_rows = None;
        for step in 0..2 {
            if (step + round) % 2 == 0 {
                let (rates, audience_total, covered_total) = timed(
                    round,
                    "rust",
                    coverage::unit_rates(&db, &campaign, viewer, &children),
                )
                .await?;
                rust_rows = Some((rates, audience_total, covered_total));
            } else {
                sql_rows = Some(
                    timed(
                        round,
                        "sql",
                        coverage::unit_counts_sql(&db, &campaign, &root.path),
                    )
                    .await?,
                );
            }
        }
        let (rates, audience_total, covered_total) = rust_rows.expect("ran");
        let mut sql = sql_rows.expect("ran");
        let mut from_rust: Vec<(String, i64, i64)> = rates
            .into_iter()
            .filter(|r| r.audience > 0)
            .map(|r| (r.unit_path, r.audience, r.covered))
            .collect();
        from_rust.sort();
        sql.sort();
        let sql_totals = sql
            .iter()
            .fold((0, 0), |(a, c), (_, ua, uc)| (a + ua, c + uc));
        if from_rust == sql && sql_totals == (audience_total, covered_total) {
            println!(
                "check\tok\t{round}\t{} units\t{audience_total} audience\t{covered_total} covered",
                sql.len()
            );
        } else {
            mismatches += 1;
            println!(
                "check\tMISMATCH\t{round}\trust {from_rust:?} totals ({audience_total}, {covered_total})\tsql {sql:?}"
            );
        }

        // Where unit_rates' time goes: its phases one by one.
        let units = timed(
            round,
            "phase: audience::member_units",
            audience::member_units(&db, &campaign, &scope),
        )
        .await?;
        let members: usize = units.iter().map(|(_, ids)| ids.len()).sum();
        let progress = timed(
            round,
            "phase: coverage::progress",
            coverage::progress(&db, campaign.id, &scope),
        )
        .await?;
        let text: Option<String> = timed(round, "phase: progress, credits query only", async {
            dongxun::on_db!(&db, pool => {
                sqlx::query_scalar::<_, Option<String>>(CREDITS_SQL)
                    .bind(campaign.id)
                    .fetch_one(pool)
                    .await
            })
        })
        .await?;
        let text = text.unwrap_or_default();
        let folded = timed(round, "phase: progress, fold only", async {
            rollup::fold_encoded_credits(&text)
        })
        .await
        .map_err(anyhow::Error::msg)?;
        timed(round, "phase: completion_rule + units_in_scope", async {
            campaigns::completion_rule(&db, &campaign).await?;
            org_store::units_in_scope(&db, &scope).await
        })
        .await?;
        if round == 0 {
            println!(
                "info\taudience {members} members in {} units; credits text {:.1} MB; {} members with credits ({} folded)",
                units.len(),
                text.len() as f64 / 1e6,
                progress.len(),
                folded.len()
            );
        }
        if full {
            let report = timed(
                round,
                "full: coverage::compute",
                coverage::compute(&db, &campaign, &scope),
            )
            .await?;
            if (report.audience(), report.covered()) != (audience_total, covered_total) {
                mismatches += 1;
                println!(
                    "check\tMISMATCH\t{round}\tcompute ({}, {}) vs unit_rates ({audience_total}, {covered_total})",
                    report.audience(),
                    report.covered()
                );
            }
        }
    }
    db.close().await;
    if mismatches > 0 {
        anyhow::bail!("{mismatches} rounds where the two rollups disagree");
    }
    Ok(())
}
