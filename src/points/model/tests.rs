use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime};
use proptest::prelude::*;

use super::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn noon() -> NaiveTime {
    NaiveTime::from_hms_opt(12, 30, 0).unwrap()
}

fn rule(kind: PointKind, points: i64, daily_cap: Option<i64>, per_item_cap: Option<i64>) -> Rule {
    Rule {
        kind,
        points,
        daily_cap,
        per_item_cap,
        minutes_per_point: None,
        windows: Vec::new(),
        window_multiplier: 1,
        effective_from: day(1),
    }
}

#[test]
fn attendance_earns_its_points_once_per_session() {
    let r = rule(PointKind::Attendance, 5, None, Some(5));
    assert_eq!(points_for(&r, 1, noon(), Earned::default()), 5);
    assert_eq!(points_for(&r, 1, noon(), Earned { today: 5, item: 5 }), 0);
}

#[test]
fn reading_stops_at_its_daily_cap() {
    let r = rule(PointKind::Reading, 1, Some(6), Some(1));
    assert_eq!(points_for(&r, 1, noon(), Earned { today: 5, item: 0 }), 1);
    assert_eq!(points_for(&r, 1, noon(), Earned { today: 6, item: 0 }), 0);
}

#[test]
fn time_based_rule_counts_whole_periods_and_caps_the_day() {
    let mut r = rule(PointKind::Volunteer, 2, Some(8), None);
    r.minutes_per_point = Some(60);
    assert_eq!(points_for(&r, 59, noon(), Earned::default()), 0);
    assert_eq!(points_for(&r, 150, noon(), Earned::default()), 4);
    assert_eq!(points_for(&r, 600, noon(), Earned::default()), 8);
    assert_eq!(points_for(&r, 120, noon(), Earned { today: 6, item: 0 }), 2);
}

#[test]
fn windows_multiply_inside_and_not_outside() {
    let mut r = rule(PointKind::Reading, 1, Some(6), None);
    r.windows = parse_windows("06:00-08:30, 20:00-22:30").unwrap();
    r.window_multiplier = 2;
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert_eq!(points_for(&r, 1, at(6, 0), Earned::default()), 2);
    assert_eq!(points_for(&r, 1, at(8, 30), Earned::default()), 1);
    assert_eq!(points_for(&r, 1, at(21, 0), Earned { today: 5, item: 0 }), 1);
}

#[test]
fn windows_parse_and_refuse_nonsense() {
    assert_eq!(parse_windows("").unwrap(), Vec::new());
    assert_eq!(parse_windows("12:00-14:00").unwrap().len(), 1);
    assert!(parse_windows("14:00-12:00").is_none());
    assert!(parse_windows("noon").is_none());
}

#[test]
fn the_rule_in_effect_is_the_latest_not_after_the_day() {
    let old = rule(PointKind::Attendance, 5, None, None);
    let mut new = rule(PointKind::Attendance, 8, None, None);
    new.effective_from = day(10);
    let other = rule(PointKind::Reading, 1, None, None);
    let rules = vec![new.clone(), other, old.clone()];
    assert_eq!(rule_on(&rules, PointKind::Attendance, day(9)), Some(&old));
    assert_eq!(rule_on(&rules, PointKind::Attendance, day(10)), Some(&new));
    assert_eq!(rule_on(&rules, PointKind::Attendance, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()), None);
}

/// One award as the ledger receives it.
#[derive(Debug, Clone)]
struct Try {
    key: u8,
    member: u8,
    kind: PointKind,
    item: u8,
    day: u32,
    quantity: i64,
}

fn any_try() -> impl Strategy<Value = Try> {
    let kinds = prop::sample::select(vec![PointKind::Reading, PointKind::Volunteer, PointKind::Attendance]);
    (0u8..40, 0u8..3, kinds, 0u8..4, 1u32..4, 0i64..300)
        .prop_map(|(key, member, kind, item, day, quantity)| Try { key, member, kind, item, day, quantity })
}

fn rules() -> Vec<Rule> {
    let mut volunteer = rule(PointKind::Volunteer, 2, Some(8), None);
    volunteer.minutes_per_point = Some(60);
    let mut reading_later = rule(PointKind::Reading, 2, Some(4), Some(2));
    reading_later.effective_from = day(3);
    vec![
        rule(PointKind::Reading, 1, Some(6), Some(1)),
        reading_later,
        volunteer,
        rule(PointKind::Attendance, 5, None, Some(5)),
    ]
}

/// The ledger in memory, as the store keeps it: entries by idempotency key, counters by
/// (member, kind, day) and (member, kind, item). A key already seen adds nothing; the key names
/// the award, so a replay carries the same award (`key` decides the rest of it).
#[derive(Default)]
struct Ledger {
    entries: HashMap<u8, (u8, PointKind, u32, i64)>,
    daily: HashMap<(u8, PointKind, u32), i64>,
    items: HashMap<(u8, PointKind, u8), i64>,
}

impl Ledger {
    fn award(&mut self, rules: &[Rule], t: &Try) {
        if self.entries.contains_key(&t.key) {
            return;
        }
        let Some(rule) = rule_on(rules, t.kind, day(t.day)) else { return };
        let today = self.daily.get(&(t.member, t.kind, t.day)).copied().unwrap_or(0);
        let item = self.items.get(&(t.member, t.kind, t.item)).copied().unwrap_or(0);
        let points = points_for(rule, t.quantity, noon(), Earned { today, item });
        *self.daily.entry((t.member, t.kind, t.day)).or_default() += points;
        *self.items.entry((t.member, t.kind, t.item)).or_default() += points;
        self.entries.insert(t.key, (t.member, t.kind, t.day, points));
    }

    fn totals(&self) -> HashMap<u8, i64> {
        let mut totals = HashMap::new();
        for (member, _, _, points) in self.entries.values() {
            *totals.entry(*member).or_default() += points;
        }
        totals
    }
}

/// Gives each key one award: a retry repeats the same request, never a different one.
fn keyed(tries: Vec<Try>) -> Vec<Try> {
    let mut first: HashMap<u8, Try> = HashMap::new();
    tries.into_iter().map(|t| first.entry(t.key).or_insert(t).clone()).collect()
}

proptest! {
    #[test]
    fn caps_are_never_exceeded(tries in prop::collection::vec(any_try(), 0..80)) {
        let rules = rules();
        let mut ledger = Ledger::default();
        for t in keyed(tries) {
            ledger.award(&rules, &t);
        }
        for ((_, kind, d), total) in &ledger.daily {
            let rule = rule_on(&rules, *kind, day(*d)).unwrap();
            prop_assert!(*total >= 0);
            if let Some(cap) = rule.daily_cap {
                prop_assert!(*total <= cap, "{kind:?} on day {d}: {total} > {cap}");
            }
        }
        for (member, kind, d, points) in ledger.entries.values() {
            let _ = (member, d);
            let rule = rule_on(&rules, *kind, day(*d)).unwrap();
            if let Some(cap) = rule.per_item_cap {
                prop_assert!(*points <= cap);
            }
        }
    }

    #[test]
    fn replaying_awards_in_any_order_gives_the_same_totals(
        tries in prop::collection::vec(any_try(), 0..60),
        repeats in prop::collection::vec(1usize..=5, 60),
        seed in any::<u64>(),
    ) {
        let rules = rules();
        let tries = keyed(tries);
        let mut once = Ledger::default();
        for t in &tries {
            once.award(&rules, t);
        }
        // Each award sent 1–5 times; the copies after the first arrive in any order, later.
        let mut replays: Vec<Try> = tries
            .iter()
            .zip(&repeats)
            .flat_map(|(t, n)| std::iter::repeat_n(t.clone(), n - 1))
            .collect();
        let mut state = seed | 1;
        for i in (1..replays.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            replays.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let mut replayed = Ledger::default();
        for t in tries.iter().chain(&replays) {
            replayed.award(&rules, t);
        }
        prop_assert_eq!(once.totals(), replayed.totals());
        prop_assert_eq!(once.entries.len(), replayed.entries.len());
    }

    #[test]
    fn a_rule_change_never_rewrites_past_entries(
        tries in prop::collection::vec(any_try(), 0..60),
        points in 0i64..20,
        from in 1u32..5,
    ) {
        let before = rules();
        let tries = keyed(tries);
        let mut ledger = Ledger::default();
        for t in &tries {
            ledger.award(&before, t);
        }
        let written = ledger.entries.clone();
        let mut after = before.clone();
        let mut change = rule(PointKind::Reading, points, Some(3), None);
        change.effective_from = day(from);
        after.push(change.clone());
        for t in &tries {
            ledger.award(&after, t);
        }
        prop_assert_eq!(&written, &ledger.entries);
        for d in 1..from {
            prop_assert_eq!(rule_on(&after, PointKind::Reading, day(d)), rule_on(&before, PointKind::Reading, day(d)));
        }
        prop_assert_eq!(rule_on(&after, PointKind::Reading, day(from.max(3))).map(|r| r.points), Some(if from >= 3 { points } else { 2 }));
    }
}
