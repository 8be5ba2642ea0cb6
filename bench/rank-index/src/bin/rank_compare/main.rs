//! "Rank of a member" and "top 100 of a unit today" at 1,000,000 members and 10,000,000 ledger
//! entries, answered four ways on the same data in one run: dongxun's in-memory index, a Redis
//! sorted set (pipelined), and SQL on SQLite and PostgreSQL (over the ledger, and over a totals
//! table kept beside it). Prints a Markdown table with each peer's time as a multiple of the
//! index's.
//!
//! Usage: rank_compare [MEMBERS [ENTRIES [UNITS]]]; REDIS_URL and DONGXUN_TEST_PG name the peers
//! (bench/rankings.sh starts both); a peer whose variable is unset is skipped.

use std::collections::HashMap;
use std::time::Instant;

use dongxun::points::index::{Period, RankIndex, Ranks, Scope};
use rank_index::{Campaign, Rng, arg, time_per};

mod sql;

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// One measured answer: nanoseconds per query for each way of answering it.
struct Row {
    what: &'static str,
    index: f64,
    peers: Vec<(String, f64)>,
}

fn main() {
    let (members, entries, units) = (arg(1, 1_000_000), arg(2, 10_000_000), arg(3, 200));
    let plan = Campaign::new(members, units);
    let today = plan.today();
    let started = Instant::now();
    let ranks = Ranks::rebuild(plan.first..=today, plan.events(entries, SEED));
    eprintln!("index rebuilt in {:.1} s", started.elapsed().as_secs_f64());
    let index = RankIndex::new(ranks);

    let mut rng = Rng(42);
    let probes: Vec<i64> = (0..200_000).map(|_| rng.below(members) as i64).collect();
    let unit_probes: Vec<i64> = (0..10_000).map(|_| rng.below(units) as i64).collect();
    let mut i = 0usize;
    let rank_index = time_per(probes.len() as u64, &mut || {
        i += 1;
        index.read(|r| r.rank(Period::Campaign, Scope::All, probes[i - 1]).map_or(0, u64::from))
    });
    let mut j = 0usize;
    let top_index = time_per(unit_probes.len() as u64, &mut || {
        j += 1;
        index.read(|r| r.top(Period::Day(today), Scope::Unit(unit_probes[j - 1]), 100).len() as u64)
    });
    // What 我的 asks: the rank overall and within the unit, with the points, in one call.
    let mut k = 0usize;
    let standing_index = time_per(probes.len() as u64, &mut || {
        k += 1;
        index.read(|r| r.standing(Period::Campaign, probes[k - 1]).map_or(0, |s| u64::from(s.rank)))
    });
    eprintln!("index: rank {rank_index:.0} ns, standing (overall + unit) {standing_index:.0} ns");
    let mut rank = Row { what: "rank of member, campaign", index: rank_index, peers: Vec::new() };
    rank.peers.push(("dongxun index, standing: points + rank overall + rank in unit".into(), standing_index));
    let mut top = Row { what: "top 100 of a unit today", index: top_index, peers: Vec::new() };

    // The answers every peer is checked against.
    let expected_rank = |m: i64| index.read(|r| r.standing(Period::Campaign, m).map_or(0, |s| i64::from(s.rank)));
    let expected_top_len = |u: i64| index.read(|r| r.top(Period::Day(today), Scope::Unit(u), 100).len());

    if let Ok(url) = std::env::var("REDIS_URL") {
        let (rank_ns, exact_ns, top_ns) = redis_side(&url, &plan, entries, &probes, &unit_probes, &expected_rank);
        rank.peers.push(("Redis ZREVRANK (pipelined ×1000)".into(), rank_ns));
        rank.peers.push(("Redis ZSCORE+ZCOUNT, the same competition rank (pipelined)".into(), exact_ns));
        top.peers.push(("Redis ZREVRANGE 0 99 WITHSCORES (pipelined ×1000)".into(), top_ns));
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for backend in sql::backends() {
        let results = runtime.block_on(sql::measure(backend, &plan, entries, SEED, &probes, &unit_probes, &expected_rank, &expected_top_len));
        for (what, ns) in results.rank {
            rank.peers.push((what, ns));
        }
        for (what, ns) in results.top {
            top.peers.push((what, ns));
        }
    }

    println!("## rank queries: {members} members, {entries} entries, {units} units\n");
    println!("| query | answered by | per query | × dongxun's index |\n|---|---|---:|---:|");
    for row in [rank, top] {
        println!("| {} | **dongxun index** (read lock included) | {} | 1 |", row.what, human(row.index));
        for (peer, ns) in row.peers {
            println!("| | {peer} | {} | {:.0}× |", human(ns), ns / row.index);
        }
    }
}

fn human(ns: f64) -> String {
    match ns {
        n if n < 1e3 => format!("{n:.0} ns"),
        n if n < 1e6 => format!("{:.1} µs", n / 1e3),
        n if n < 1e9 => format!("{:.1} ms", n / 1e6),
        n => format!("{:.2} s", n / 1e9),
    }
}

/// Loads the campaign totals (one sorted set) and each unit's today (one per unit) into Redis,
/// then times ZREVRANK, ZSCORE+ZCOUNT (the competition rank dongxun answers) and ZREVRANGE.
fn redis_side(
    url: &str,
    plan: &Campaign,
    entries: u64,
    probes: &[i64],
    unit_probes: &[i64],
    expected_rank: &dyn Fn(i64) -> i64,
) -> (f64, f64, f64) {
    let client = redis::Client::open(url).expect("REDIS_URL");
    let mut con = client.get_connection().expect("redis-server is reachable");
    let _: () = redis::cmd("FLUSHALL").query(&mut con).unwrap();
    let today = plan.today();
    let mut campaign: HashMap<i64, i64> = HashMap::new();
    let mut day: HashMap<(i64, i64), i64> = HashMap::new();
    for e in plan.events(entries, SEED) {
        *campaign.entry(e.member).or_default() += e.points;
        if e.day == today {
            *day.entry((e.unit, e.member)).or_default() += e.points;
        }
    }
    let started = Instant::now();
    let pairs: Vec<(i64, i64)> = campaign.into_iter().collect();
    for chunk in pairs.chunks(1000) {
        let mut cmd = redis::cmd("ZADD");
        cmd.arg("campaign");
        for (member, score) in chunk {
            cmd.arg(*score).arg(*member);
        }
        let _: i64 = cmd.query(&mut con).unwrap();
    }
    let mut pipe = redis::pipe();
    for ((unit, member), score) in &day {
        pipe.cmd("ZADD").arg(format!("today:{unit}")).arg(*score).arg(*member).ignore();
    }
    let _: () = pipe.query(&mut con).unwrap();
    eprintln!("redis loaded in {:.1} s", started.elapsed().as_secs_f64());

    let started = Instant::now();
    for chunk in probes.chunks(1000) {
        let mut pipe = redis::pipe();
        for m in chunk {
            pipe.cmd("ZREVRANK").arg("campaign").arg(*m);
        }
        let ranks: Vec<Option<i64>> = pipe.query(&mut con).unwrap();
        std::hint::black_box(ranks);
    }
    let zrevrank = started.elapsed().as_nanos() as f64 / probes.len() as f64;

    let started = Instant::now();
    for chunk in probes.chunks(1000) {
        let mut pipe = redis::pipe();
        for m in chunk {
            pipe.cmd("ZSCORE").arg("campaign").arg(*m);
        }
        let scores: Vec<Option<i64>> = pipe.query(&mut con).unwrap();
        let mut pipe = redis::pipe();
        for score in &scores {
            pipe.cmd("ZCOUNT").arg("campaign").arg(format!("({}", score.unwrap_or(0))).arg("+inf");
        }
        let above: Vec<i64> = pipe.query(&mut con).unwrap();
        if chunk.as_ptr() == probes.as_ptr() {
            for ((m, above), score) in chunk.iter().zip(&above).zip(&scores).take(20) {
                if score.is_none() {
                    continue;
                }
                assert_eq!(above + 1, expected_rank(*m), "Redis and the index agree on member {m}");
            }
        }
    }
    let exact = started.elapsed().as_nanos() as f64 / probes.len() as f64;

    let started = Instant::now();
    for chunk in unit_probes.chunks(1000) {
        let mut pipe = redis::pipe();
        for u in chunk {
            pipe.cmd("ZREVRANGE").arg(format!("today:{u}")).arg(0).arg(99).arg("WITHSCORES");
        }
        let tops: Vec<Vec<(i64, i64)>> = pipe.query(&mut con).unwrap();
        std::hint::black_box(tops);
    }
    let top = started.elapsed().as_nanos() as f64 / unit_probes.len() as f64;
    (zrevrank, exact, top)
}
