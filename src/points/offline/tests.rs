use chrono::NaiveDate;

use super::*;
use crate::points::model::Rule;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn offline_rule(cap: Option<i64>, from: NaiveDate) -> Rule {
    Rule {
        kind: PointKind::Offline,
        points: 1,
        daily_cap: cap,
        per_item_cap: None,
        minutes_per_point: None,
        windows: Vec::new(),
        window_multiplier: 1,
        effective_from: from,
    }
}

fn entry(note: &str) -> OfflineEntry {
    OfflineEntry {
        member_id: 7, day: day(3), item: "观看党课录像".into(), points: 3, note: note.into()
    }
}

#[test]
fn the_key_is_the_content_of_the_entry() {
    let key = offline_key(&entry(""));
    assert!(key.starts_with("offline:7:2026-12-03:"), "{key}");
    assert_eq!(key, offline_key(&entry("")));
    assert_ne!(key, offline_key(&entry("第二次")));
    assert_ne!(key, offline_key(&OfflineEntry { points: 4, ..entry("") }));
    assert_ne!(key, offline_key(&OfflineEntry { day: day(4), ..entry("") }));
    // The parts cannot run into each other: 事项 "ab" + 备注 "" is not 事项 "a" + 备注 "b".
    let a = OfflineEntry { item: "ab".into(), ..entry("") };
    let b = OfflineEntry { item: "a".into(), ..entry("b") };
    assert_ne!(offline_key(&a), offline_key(&b));
}

#[test]
fn points_are_refused_past_the_cap_of_the_rule_in_effect_that_day() {
    let rules = vec![offline_rule(Some(10), day(1)), offline_rule(Some(4), day(10))];
    assert_eq!(refuse_points(&rules, day(3), 10, 0), None);
    assert!(refuse_points(&rules, day(3), 11, 0).unwrap().contains("每日最多10分"));
    assert!(refuse_points(&rules, day(3), 4, 7).unwrap().contains("已有线下学习7分"));
    assert!(refuse_points(&rules, day(12), 5, 0).unwrap().contains("每日最多4分"));
    assert!(refuse_points(&rules, day(3), 0, 0).unwrap().contains("正整数"));
    assert!(refuse_points(&rules, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), 1, 0).is_some());
    assert_eq!(refuse_points(&[offline_rule(None, day(1))], day(3), 500, 0), None);
}

#[test]
fn days_outside_the_campaign_or_after_today_are_refused() {
    let window = Window::new(1, day(1), NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(), day(9));
    assert_eq!(window.refuse(day(1)), None);
    assert_eq!(window.refuse(day(9)), None);
    assert!(window.refuse(day(10)).unwrap().contains("2026-12-01至2026-12-09"));
    assert!(window.refuse(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()).is_some());
}
