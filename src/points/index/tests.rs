//! The index against a brute-force ranking computed naively from the same entries.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;

use super::*;

fn day(offset: u64) -> NaiveDate {
    // 2026-11-02 is a Monday.
    NaiveDate::from_ymd_opt(2026, 11, 2).unwrap() + Days::new(offset)
}

fn campaign() -> RangeInclusive<NaiveDate> {
    day(5)..=day(50)
}

const UNITS: i64 = 3;

fn unit_of(member: MemberId) -> UnitId {
    100 + member % UNITS
}

fn event(member: MemberId, offset: u64, points: i64) -> Event {
    Event { member, unit: unit_of(member), day: day(offset), points }
}

/// Whether an entry on `day` counts in `period`, by the calendar, naively.
fn within(period: Period, entry: NaiveDate) -> bool {
    let quarter = |d: NaiveDate| (d.year(), (d.month() - 1) / 3);
    match period {
        Period::Day(d) => entry == d,
        Period::Week(d) => entry.iso_week() == d.iso_week(),
        Period::Month(d) => (entry.year(), entry.month()) == (d.year(), d.month()),
        Period::Quarter(d) => quarter(entry) == quarter(d),
        Period::Campaign => campaign().contains(&entry),
    }
}

/// Net points per member of `scope` in `period`, for members with an entry in it.
fn naive_totals(events: &[Event], period: Period, scope: Scope) -> BTreeMap<MemberId, i64> {
    let mut totals = BTreeMap::new();
    for e in events.iter().filter(|e| within(period, e.day)) {
        if scope == Scope::All || scope == Scope::Unit(e.unit) {
            *totals.entry(e.member).or_insert(0) += e.points;
        }
    }
    totals
}

fn naive_rank(totals: &BTreeMap<MemberId, i64>, points: i64) -> u32 {
    1 + totals.values().filter(|p| **p > points).count() as u32
}

fn naive_top(totals: &BTreeMap<MemberId, i64>, n: usize) -> Vec<Ranked> {
    let mut rows: Vec<(MemberId, i64)> = totals.iter().map(|(m, p)| (*m, *p)).collect();
    rows.sort_by_key(|(member, points)| (std::cmp::Reverse(*points), *member));
    rows.into_iter()
        .take(n)
        .map(|(member, points)| Ranked { rank: naive_rank(totals, points), member, points })
        .collect()
}

/// Every period the naive check asks about: each day and week of the range, months, quarters.
fn periods() -> Vec<Period> {
    let mut periods = vec![Period::Campaign];
    for offset in 0..60 {
        periods.extend([Period::Day(day(offset)), Period::Week(day(offset)), Period::Month(day(offset))]);
        periods.push(Period::Quarter(day(offset)));
    }
    periods
}

/// Whether the index keeps `period`, by the module doc's rule, naively.
fn naive_kept(events: &[Event], period: Period) -> bool {
    let Some(newest) = events.iter().map(|e| e.day).max() else { return true };
    match period {
        // Today, yesterday and any later day; this week, last week and any later week.
        Period::Day(d) => d >= newest.pred_opt().unwrap(),
        Period::Week(d) => (d + Days::new(7)).iso_week() >= newest.iso_week(),
        _ => true,
    }
}

fn check_against_naive(events: &[Event], ranks: &Ranks) {
    let members: BTreeSet<MemberId> = events.iter().map(|e| e.member).chain([999]).collect();
    for period in periods() {
        if !naive_kept(events, period) {
            assert_eq!(ranks.standing(period, members.first().copied().unwrap()), None, "{period:?}");
            assert!(ranks.top(period, Scope::All, 5).is_empty());
            continue;
        }
        let all = naive_totals(events, period, Scope::All);
        for &member in &members {
            let points = all.get(&member).copied().unwrap_or(0);
            let unit = events.iter().find(|e| e.member == member).map(|e| e.unit);
            let in_unit = unit.map(|u| naive_rank(&naive_totals(events, period, Scope::Unit(u)), points));
            let expected = Standing { points, rank: naive_rank(&all, points), rank_in_unit: in_unit };
            assert_eq!(
                ranks.rank(period, Scope::All, member),
                Some(expected.rank),
                "{period:?} member {member}"
            );
            assert_eq!(ranks.standing(period, member), Some(expected), "{period:?} member {member}");
        }
        for scope in [Scope::All].into_iter().chain((0..UNITS).map(|u| Scope::Unit(100 + u))) {
            let totals = naive_totals(events, period, scope);
            for n in [0, 1, 3, usize::MAX] {
                assert_eq!(
                    ranks.top(period, scope, n),
                    naive_top(&totals, n),
                    "{period:?} {scope:?} top {n}"
                );
            }
        }
        check_units_against_naive(events, ranks, period);
    }
}

fn check_units_against_naive(events: &[Event], ranks: &Ranks, period: Period) {
    for order in [UnitOrder::PointsPerMember, UnitOrder::Participation] {
        let rows = ranks.units(period, order);
        let rate = |u: UnitId| {
            let totals = naive_totals(events, period, Scope::Unit(u));
            let audience = audience_of(u) as f64;
            match order {
                UnitOrder::PointsPerMember => totals.values().sum::<i64>() as f64 / audience,
                UnitOrder::Participation => totals.values().filter(|p| **p > 0).count() as f64 / audience,
            }
        };
        let units: Vec<UnitId> = (0..UNITS).map(|u| 100 + u).collect();
        assert_eq!(rows.len(), units.len());
        for row in rows {
            let expected = 1 + units.iter().filter(|u| rate(**u) > rate(row.unit)).count() as u32;
            assert_eq!(row.rank, expected, "{period:?} {order:?} unit {}", row.unit);
        }
    }
}

fn audience_of(unit: UnitId) -> u32 {
    [4, 6, 6][(unit - 100) as usize]
}

fn index_of(events: &[Event]) -> Ranks {
    let mut ranks = Ranks::rebuild(campaign(), events.iter().copied());
    for unit in 0..UNITS {
        ranks.set_unit_audience(100 + unit, audience_of(100 + unit));
    }
    ranks
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    // Few members and small points so that ties, zero nets and negative nets are common.
    let one = (0..12i64, 0..60u64, -4..8i64).prop_map(|(m, d, p)| event(m, d, p));
    prop::collection::vec(one, 0..60).prop_flat_map(|events| {
        // Each entry is followed, sometimes, by its correction (the negative entry), in any order.
        let corrections: Vec<Event> =
            events.iter().step_by(3).map(|e| Event { points: -e.points, ..*e }).collect();
        Just([events, corrections].concat()).prop_shuffle()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_index_equals_a_brute_force_ranking(events in events()) {
        check_against_naive(&events, &index_of(&events));
        // Applied one by one, the same answers as the bulk rebuild.
        let mut applied = Ranks::new(campaign());
        events.iter().for_each(|e| applied.apply(*e));
        (0..UNITS).for_each(|u| applied.set_unit_audience(100 + u, audience_of(100 + u)));
        check_against_naive(&events, &applied);
    }
}

#[test]
fn ties_share_a_rank_and_the_next_rank_skips() {
    let events = [event(0, 10, 9), event(3, 10, 5), event(6, 10, 5), event(9, 10, 2)];
    let ranks = index_of(&events);
    let top = ranks.top(Period::Day(day(10)), Scope::All, 10);
    let ranked: Vec<(u32, i64)> = top.iter().map(|r| (r.rank, r.member)).collect();
    assert_eq!(ranked, [(1, 0), (2, 3), (2, 6), (4, 9)]);
    let nobody = ranks.standing(Period::Day(day(10)), 1).unwrap();
    assert_eq!((nobody.points, nobody.rank), (0, 5));
    check_against_naive(&events, &ranks);
}

#[test]
fn a_correction_to_zero_keeps_the_member_ranked_but_not_participating() {
    let events = [event(0, 10, 3), event(0, 10, -3), event(3, 10, -1)];
    let ranks = index_of(&events);
    let top = ranks.top(Period::Campaign, Scope::Unit(100), 10);
    assert_eq!(top, [Ranked { rank: 1, member: 0, points: 0 }, Ranked { rank: 2, member: 3, points: -1 }]);
    let unit = ranks.units(Period::Campaign, UnitOrder::Participation);
    assert_eq!(unit.iter().find(|u| u.unit == 100).unwrap().participants, 0);
}

#[test]
fn old_days_and_weeks_are_dropped_and_months_kept() {
    let ranks = index_of(&[event(0, 1, 3), event(0, 20, 1)]);
    assert_eq!(ranks.standing(Period::Day(day(1)), 0), None);
    assert_eq!(ranks.standing(Period::Week(day(1)), 0), None);
    assert_eq!(ranks.standing(Period::Week(day(14)), 0).map(|s| s.points), Some(1));
    assert_eq!(ranks.standing(Period::Week(day(7)), 0).map(|s| s.points), Some(0));
    assert_eq!(ranks.standing(Period::Month(day(1)), 0).map(|s| s.points), Some(4));
    // An entry for a dropped day still counts in its month.
    let mut late = ranks;
    late.apply(event(0, 2, 5));
    assert_eq!(late.standing(Period::Month(day(1)), 0).map(|s| s.points), Some(9));
    assert_eq!(late.standing(Period::Day(day(2)), 0), None);
}

#[test]
fn a_member_moving_unit_takes_their_points_along() {
    let mut ranks = index_of(&[event(0, 10, 3), event(3, 10, 2)]);
    ranks.set_member_unit(0, 101);
    assert!(ranks.top(Period::Campaign, Scope::Unit(100), 10).iter().all(|r| r.member != 0));
    let moved = ranks.top(Period::Campaign, Scope::Unit(101), 10);
    assert_eq!(moved, [Ranked { rank: 1, member: 0, points: 3 }]);
    assert_eq!(ranks.standing(Period::Campaign, 3).unwrap().rank_in_unit, Some(1));
    // Rebuilt from a ledger where the move shows as a newer entry's unit: the same rankings.
    let moved = Event { unit: 101, ..event(0, 12, 0) };
    let rebuilt = index_of(&[event(0, 10, 3), event(3, 10, 2), moved]);
    for scope in [Scope::Unit(100), Scope::Unit(101), Scope::All] {
        assert_eq!(rebuilt.top(Period::Campaign, scope, 10), ranks.top(Period::Campaign, scope, 10));
    }
}

#[test]
fn the_shared_index_answers_while_entries_arrive_from_other_threads() {
    let index = RankIndex::new(Ranks::new(campaign()));
    std::thread::scope(|s| {
        for member in 0..4 {
            let index = index.clone();
            s.spawn(move || (0..100).for_each(|_| index.apply(event(member, 10, 1))));
        }
    });
    let top = index.read(|r| r.top(Period::Campaign, Scope::All, 10));
    assert!(top.iter().all(|r| r.rank == 1 && r.points == 100));
    assert!(index.read(Ranks::approximate_bytes) > 0);
}
