//! The timer behind `bench/coverage_rollup.py`: on one dongxun database, the committee's coverage
//! queries, round by round.
//!
//! The per-unit rollup (what `GET /coverage` shows), two ways, interleaved (which goes first
//! alternates by round) and compared:
//!
//! - `progress`: `coverage::unit_rates` — ONE grouped query over the audience LEFT JOIN the
//!   `member_progress` rows the attendance trigger keeps (what /coverage uses);
//! - `sql`: `coverage::unit_counts_sql` — the same counts as ONE query straight from the raw
//!   attendances (no progress rows: the alternative, and the cross-check of the trigger).
//!
//! Then the uncovered list's queries (what `GET /coverage/uncovered` runs besides small lookups):
//! `uncovered: by reason` = `coverage::uncovered_by_reason` (the count per reason) and
//! `uncovered: page of 300` = `coverage::members(.., MemberFilter::Uncovered(None), Some(300))`;
//! and with `--full` `full: compute` = `coverage::compute` (every audience member with progress,
//! what the .xlsx export reads).
//!
//! Checks every round: both rollups give the same counts per unit and the same totals; the
//! uncovered total is the rollup's, and since every uncovered member is exactly one of 尚未学完 /
//! 尚未参学 (besides each of their categories), those two counts sum to it; the page holds
//! min(300, uncovered) members, none covered. With `--full` also: `compute`'s totals equal the rollup's, its per-reason counts
//! (judged in Rust by `CompletionRule::is_met` / `Reason::for_member`) equal the SQL ones, and its
//! first 300 uncovered members are the page's, in the same order.
//!
//! Prints tab-separated lines: `time <round> <what> <wall ms> <cpu ms>` (cpu = this process, all
//! threads: for SQLite that includes the database work, for PostgreSQL only the client side),
//! `info …` lines, and `check ok|MISMATCH <round> <units> <audience> <covered> …`.
//!
//! Usage: coverage-rollup (--data-dir DIR | --database-url URL) [--rounds N] [--full]

use std::collections::HashMap;
use std::time::Instant;

use dongxun::campaign::store as campaigns;
use dongxun::coverage::{self, MemberFilter, Reason};
use dongxun::db::{Db, Location};
use dongxun::org::Scope;
use dongxun::org::store as org_store;

/// The uncovered list's page size (`LIST_LIMIT` in src/campaign/coverage/pages.rs).
const PAGE: usize = 300;

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
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

fn reason_counts(counts: &HashMap<Reason, i64>) -> String {
    Reason::ALL
        .iter()
        .map(|r| format!("{} {}", r.code(), counts.get(r).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let rounds: usize = value("--rounds").map_or(Ok(5), |r| r.parse())?;
    let full = args.iter().any(|a| a == "--full");
    let location = match (value("--database-url"), value("--data-dir")) {
        (Some(url), _) => Location::Postgres(url),
        (None, Some(dir)) => Location::SqliteFile(std::path::Path::new(&dir).join("dongxun.db")),
        _ => anyhow::bail!(
            "usage: coverage-rollup (--data-dir DIR | --database-url URL) [--rounds N] [--full]"
        ),
    };
    let db = Db::connect(&location).await?;
    // As `dongxun serve` starts: pending migrations (none) and ANALYZE, with this build's SQLite.
    db.migrate().await?;
    let campaign = campaigns::current(&db).await?.ok_or_else(|| anyhow::anyhow!("no current campaign"))?;
    let root = org_store::root(&db).await?.ok_or_else(|| anyhow::anyhow!("no root unit"))?;
    // The committee admin's view: the root and its children, as pages::children_of gives them.
    let children: Vec<(i64, String, String)> = org_store::units_in_scope(&db, &Scope::of_unit(&root.path))
        .await?
        .into_iter()
        .filter(|u| u.parent_id == Some(root.id))
        .map(|u| (u.id, u.name, u.path))
        .collect();
    let viewer = (root.id, root.name.as_str(), root.path.as_str());
    let scope = Scope::of_unit(&root.path);
    let rule = campaigns::completion_rule(&db, &campaign).await?;
    println!(
        "info\tcampaign {} ({}), viewer {} with {} child units; rule: {} sessions or {} minutes, compulsory topics {:?}",
        campaign.id,
        campaign.name,
        root.name,
        children.len(),
        rule.required_sessions,
        rule.required_minutes,
        rule.compulsory_topics
    );

    let mut mismatches = 0;
    for round in 0..rounds {
        let mut problems: Vec<String> = Vec::new();
        // The two rollups; alternate which goes first, so neither always gets the warmer cache.
        let mut progress_rows = None;
        let mut sql_rows = None;
        for step in 0..2 {
            if (step + round) % 2 == 0 {
                progress_rows = Some(
                    timed(round, "progress", coverage::unit_rates(&db, &campaign, viewer, &children)).await?,
                );
            } else {
                sql_rows =
                    Some(timed(round, "sql", coverage::unit_counts_sql(&db, &campaign, &root.path)).await?);
            }
        }
        let (rates, audience, covered) = progress_rows.expect("ran");
        let mut sql = sql_rows.expect("ran");
        let mut from_progress: Vec<(String, i64, i64)> = rates
            .into_iter()
            .filter(|r| r.audience > 0)
            .map(|r| (r.unit_path, r.audience, r.covered))
            .collect();
        from_progress.sort();
        sql.sort();
        let sql_totals = sql.iter().fold((0, 0), |(a, c), (_, ua, uc)| (a + ua, c + uc));
        if from_progress != sql || sql_totals != (audience, covered) {
            problems.push(format!(
                "unit_rates {from_progress:?} totals ({audience}, {covered}) vs unit_counts_sql {sql:?}"
            ));
        }
        let uncovered = audience - covered;

        // The uncovered list: counts per reason, then its first page.
        let (uncovered_total, per_reason) = timed(
            round,
            "uncovered: by reason",
            coverage::uncovered_by_reason(&db, &campaign, &rule, &scope),
        )
        .await?;
        let count = |r: Reason| per_reason.get(&r).copied().unwrap_or(0);
        let by_progress = count(Reason::Unfinished) + count(Reason::NotReached);
        if uncovered_total != uncovered || by_progress != uncovered {
            problems.push(format!(
                "uncovered_by_reason: {uncovered_total} uncovered, {by_progress} by progress ({}), \
                 rollup says {uncovered} uncovered",
                reason_counts(&per_reason)
            ));
        }
        let page = timed(
            round,
            "uncovered: page of 300",
            coverage::members(&db, &campaign, &rule, &scope, MemberFilter::Uncovered(None), Some(PAGE)),
        )
        .await?;
        let expected_len = usize::try_from(uncovered).unwrap_or(0).min(PAGE);
        if page.len() != expected_len || page.iter().any(|m| m.covered) {
            problems.push(format!(
                "uncovered page: {} members ({} covered), expected {expected_len} uncovered",
                page.len(),
                page.iter().filter(|m| m.covered).count()
            ));
        }
        if round == 0 {
            println!("info\tuncovered per reason: {}", reason_counts(&per_reason));
        }

        if full {
            let report = timed(round, "full: compute", coverage::compute(&db, &campaign, &scope)).await?;
            if (report.audience(), report.covered()) != (audience, covered) {
                problems.push(format!(
                    "compute ({}, {}) vs unit_rates ({audience}, {covered})",
                    report.audience(),
                    report.covered()
                ));
            }
            let mut rust_reasons: HashMap<Reason, i64> = HashMap::new();
            for r in report.members.iter().flat_map(|m| m.reasons()) {
                *rust_reasons.entry(r).or_default() += 1;
            }
            if rust_reasons != per_reason {
                problems.push(format!(
                    "reasons judged in Rust ({}) vs in SQL ({})",
                    reason_counts(&rust_reasons),
                    reason_counts(&per_reason)
                ));
            }
            let first: Vec<i64> =
                report.members.iter().filter(|m| !m.covered).take(PAGE).map(|m| m.member.id).collect();
            let listed: Vec<i64> = page.iter().map(|m| m.member.id).collect();
            if first != listed {
                problems.push("the uncovered page is not compute's first uncovered members in order".into());
            }
        }

        if problems.is_empty() {
            println!("check\tok\t{round}\t{} units\t{audience} audience\t{covered} covered", sql.len());
        } else {
            mismatches += 1;
            println!("check\tMISMATCH\t{round}\t{}", problems.join("\t"));
        }
    }
    db.close().await;
    if mismatches > 0 {
        anyhow::bail!("{mismatches} rounds with a mismatch (see the check lines)");
    }
    Ok(())
}
