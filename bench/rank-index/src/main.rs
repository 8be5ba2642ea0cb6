//! Times dongxun's rank index (`points::index`) at scale: rebuild from N ledger entries, the
//! memory it holds (VmRSS growth and the index's own estimate, per member), "rank of member"
//! (campaign and today) and "top 100 of a unit today", and applying entries one by one.
//!
//! Usage: rank-index [MEMBERS [ENTRIES [UNITS]]]   (default 1,000,000 10,000,000 200)

use std::time::Instant;

use dongxun::points::index::{Event, Period, RankIndex, Ranks, Scope};
use rank_index::{Campaign, Rng, arg, rss_kib, time_per};

fn main() {
    let (members, entries, units) = (arg(1, 1_000_000), arg(2, 10_000_000), arg(3, 200));
    let plan = Campaign::new(members, units);
    let (days, today) = (plan.days, plan.today());
    let campaign = plan.first..=today;
    let unit_of = |member: u64| plan.unit_of(member);
    // Entries are generated on the fly, so the RSS growth is the index alone.
    let events = plan.events(entries, 0x9E37_79B9_7F4A_7C15);
    let before = rss_kib();
    let started = Instant::now();
    let mut ranks = Ranks::rebuild(campaign, events);
    let rebuild = started.elapsed();
    for unit in 0..units {
        ranks.set_unit_audience(unit as i64, (members / units) as u32);
    }
    let grown = rss_kib().saturating_sub(before) * 1024;
    let known = ranks.members() as u64;
    let estimate = ranks.approximate_bytes() as u64;
    let today_ranked = ranks.ranked_members(Period::Day(today));
    let index = RankIndex::new(ranks);

    let mut rng = Rng(42);
    let lookups = 1_000_000u64;
    let rank_campaign = time_per(lookups, &mut || {
        let member = rng.below(members) as i64;
        index.read(|r| r.standing(Period::Campaign, member).map_or(0, |s| u64::from(s.rank)))
    });
    let rank_today = time_per(lookups, &mut || {
        let member = rng.below(members) as i64;
        index.read(|r| r.standing(Period::Day(today), member).map_or(0, |s| u64::from(s.rank)))
    });
    let top_unit_today = time_per(10_000, &mut || {
        let unit = rng.below(units) as i64;
        index.read(|r| r.top(Period::Day(today), Scope::Unit(unit), 100).len() as u64)
    });
    let top_all_campaign =
        time_per(10_000, &mut || index.read(|r| r.top(Period::Campaign, Scope::All, 100).len() as u64));
    let apply = time_per(100_000, &mut || {
        let member = rng.below(members);
        index.apply(Event { member: member as i64, unit: unit_of(member), day: today, points: 1 });
        1
    });

    println!("## rank index: {members} members, {entries} entries, {units} units, {days} days\n");
    println!("| measure | value |\n|---|---|");
    println!(
        "| rebuild | {:.2} s ({:.0} ns/entry) |",
        rebuild.as_secs_f64(),
        rebuild.as_nanos() as f64 / entries as f64
    );
    println!("| members in the index | {known} (today's ranking: {today_ranked}) |");
    println!(
        "| memory, VmRSS growth | {:.0} MiB, {} bytes/member |",
        grown as f64 / 1048576.0,
        grown / known.max(1)
    );
    println!(
        "| memory, index estimate | {:.0} MiB, {} bytes/member |",
        estimate as f64 / 1048576.0,
        estimate / known.max(1)
    );
    println!("| rank of member, campaign | {rank_campaign:.0} ns |");
    println!("| rank of member, today | {rank_today:.0} ns |");
    println!("| top 100 of a unit today | {top_unit_today:.0} ns |");
    println!("| top 100 overall, campaign | {top_all_campaign:.0} ns |");
    println!("| apply one entry | {apply:.0} ns |");
}
