//! The rules form, pure: what the committee typed for one kind's rule, checked into a [`Rule`]
//! or into its problems, each beside its field. A rule takes effect from a day not before today:
//! the past keeps the rules it was earned under.

use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{PointKind, Rule, Window, parse_windows};
use crate::web::extract::labels;
use crate::web::form::FieldErrors;

/// Most points one award may be worth.
const MAX_POINTS: i64 = 1_000;
/// Highest window multiplier.
const MAX_MULTIPLIER: i64 = 10;

/// A rule as typed (every field text, so a refused form comes back as it was).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RuleInput {
    /// 分值.
    pub points: String,
    /// 每日上限 (blank: none).
    pub daily_cap: String,
    /// 每项上限 (blank: none).
    pub per_item_cap: String,
    /// 每多少分钟计分 (blank: per award).
    pub minutes_per_point: String,
    /// 活跃时段, "06:00-08:30,12:00-14:00" (blank: off).
    pub windows: String,
    /// 时段倍数.
    pub window_multiplier: String,
    /// 生效日期, yyyy-mm-dd.
    pub effective_from: String,
}

labels! {
    RuleInput {
        points: "分值",
        daily_cap: "每日上限",
        per_item_cap: "每项上限",
        minutes_per_point: "每多少分钟计分",
        windows: "活跃时段",
        window_multiplier: "时段倍数",
        effective_from: "生效日期",
    }
}

/// How windows are written back: "06:00-08:30,12:00-14:00".
pub fn windows_text(windows: &[Window]) -> String {
    windows
        .iter()
        .map(|w| format!("{}-{}", w.from.format("%H:%M"), w.until.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(",")
}

impl RuleInput {
    /// The form filled with `rule`, to change from `from` on.
    pub fn from_rule(rule: &Rule, from: NaiveDate) -> Self {
        let optional = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        Self {
            points: rule.points.to_string(),
            daily_cap: optional(rule.daily_cap),
            per_item_cap: optional(rule.per_item_cap),
            minutes_per_point: optional(rule.minutes_per_point),
            windows: windows_text(&rule.windows),
            window_multiplier: rule.window_multiplier.to_string(),
            effective_from: from.format("%Y-%m-%d").to_string(),
        }
    }

    /// Checks the input as `kind`'s rule from a day not before `today`; every problem is named
    /// beside its field.
    pub fn validate(&self, kind: PointKind, today: NaiveDate) -> Result<Rule, FieldErrors> {
        let mut errors = FieldErrors::default();
        let points = whole(&mut errors, "points", "分值", &self.points, 0, MAX_POINTS, false);
        let daily_cap = whole(&mut errors, "daily_cap", "每日上限", &self.daily_cap, 1, 100_000, true);
        let per_item_cap =
            whole(&mut errors, "per_item_cap", "每项上限", &self.per_item_cap, 1, 100_000, true);
        let minutes =
            whole(&mut errors, "minutes_per_point", "每多少分钟计分", &self.minutes_per_point, 1, 1440, true);
        let multiplier = if self.window_multiplier.trim().is_empty() {
            Some(Some(1))
        } else {
            whole(
                &mut errors,
                "window_multiplier",
                "时段倍数",
                &self.window_multiplier,
                1,
                MAX_MULTIPLIER,
                false,
            )
        };
        let windows = parse_windows(&normalize_windows(&self.windows));
        if windows.is_none() {
            errors.add("windows", "活跃时段应写成“06:00-08:30,12:00-14:00”，每段开始早于结束");
        }
        if kind == PointKind::Offline {
            // Staff type the points of an offline entry themselves: the rule only caps them.
            if points.is_some_and(|p| p != Some(1)) {
                errors.add("points", "线下学习按代录时填写的分数计分：分值须为1，可修改每日上限");
            }
            if minutes.is_some_and(|m| m.is_some()) {
                errors.add("minutes_per_point", "线下学习不按时长计分，请留空");
            }
            if windows.as_ref().is_some_and(|w| !w.is_empty()) {
                errors.add("windows", "线下学习没有活跃时段，请留空");
            }
        }
        let effective_from = match NaiveDate::parse_from_str(self.effective_from.trim(), "%Y-%m-%d") {
            Ok(day) if day < today => {
                errors.add("effective_from", "生效日期不能早于今天：已记的积分按当时的规则，不能改");
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                errors.add("effective_from", "请填写生效日期");
                None
            }
        };
        match (points, daily_cap, per_item_cap, minutes, multiplier, windows, effective_from) {
            (
                Some(Some(points)),
                Some(daily_cap),
                Some(per_item_cap),
                Some(minutes_per_point),
                Some(Some(window_multiplier)),
                Some(windows),
                Some(effective_from),
            ) if errors.is_empty() => Ok(Rule {
                kind,
                points,
                daily_cap,
                per_item_cap,
                minutes_per_point,
                windows,
                window_multiplier,
                effective_from,
            }),
            _ => Err(errors),
        }
    }
}

/// Accepts what people type for windows: Chinese commas and 、 between them, ～ or 至 or a long
/// dash inside them, a full-width colon.
fn normalize_windows(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '，' | '、' | ';' | '；' => ',',
            '～' | '~' | '—' | '–' | '至' | '－' => '-',
            '：' => ':',
            other => other,
        })
        .collect()
}

/// A whole number in `min..=max`; `Some(None)` for a blank optional field, `None` (with the
/// problem noted) when it is wrong.
fn whole(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    text: &str,
    min: i64,
    max: i64,
    optional: bool,
) -> Option<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        if optional {
            return Some(None);
        }
        errors.add(field, format!("请填写{label}"));
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Some(Some(n)),
        _ => {
            let blank = if optional { "，不限请留空" } else { "" };
            errors.add(field, format!("{label}应为{min}到{max}之间的整数{blank}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn input() -> RuleInput {
        RuleInput {
            points: "1".into(),
            daily_cap: "8".into(),
            per_item_cap: String::new(),
            minutes_per_point: "4".into(),
            windows: "06:00 - 08:30，12:00～14:00".into(),
            window_multiplier: "2".into(),
            effective_from: "2026-12-10".into(),
        }
    }

    #[test]
    fn a_time_based_rule_with_windows_reads_as_typed() {
        let rule = input().validate(PointKind::Reading, day(9)).unwrap();
        assert_eq!((rule.points, rule.daily_cap, rule.per_item_cap), (1, Some(8), None));
        assert_eq!(rule.minutes_per_point, Some(4));
        assert_eq!(windows_text(&rule.windows), "06:00-08:30,12:00-14:00");
        assert_eq!((rule.window_multiplier, rule.effective_from), (2, day(10)));
        let again = RuleInput::from_rule(&rule, rule.effective_from);
        assert_eq!(again.validate(PointKind::Reading, day(9)).unwrap(), rule);
    }

    #[test]
    fn every_problem_is_named_beside_its_field() {
        let bad = RuleInput {
            points: "1.5".into(),
            daily_cap: "0".into(),
            per_item_cap: "多".into(),
            minutes_per_point: "-3".into(),
            windows: "08:30-06:00".into(),
            window_multiplier: "20".into(),
            effective_from: "2026-12-01".into(),
        };
        let errors = bad.validate(PointKind::Reading, day(9)).unwrap_err();
        for field in [
            "points",
            "daily_cap",
            "per_item_cap",
            "minutes_per_point",
            "windows",
            "window_multiplier",
            "effective_from",
        ] {
            assert!(errors.get(field).is_some(), "{field} has no message");
        }
        assert!(errors.get("effective_from").unwrap().contains("不能早于今天"));
        assert!(errors.get("points").unwrap().contains("整数"));
    }

    #[test]
    fn offline_points_are_what_staff_type_so_only_their_cap_changes() {
        let typed = RuleInput { points: "2".into(), windows: "06:00-08:00".into(), ..input() };
        let errors = typed.validate(PointKind::Offline, day(9)).unwrap_err();
        assert!(errors.get("points").unwrap().contains("分值须为1"));
        assert!(errors.get("minutes_per_point").is_some() && errors.get("windows").is_some());
        let cap = RuleInput { points: "1".into(), daily_cap: "20".into(), ..RuleInput::default() };
        let rule =
            RuleInput { effective_from: "2026-12-09".into(), ..cap }.validate(PointKind::Offline, day(9));
        assert_eq!(rule.unwrap().daily_cap, Some(20));
    }

    #[test]
    fn today_is_allowed_and_blank_caps_mean_none() {
        let typed =
            RuleInput { points: "5".into(), effective_from: "2026-12-09".into(), ..RuleInput::default() };
        let rule = typed.validate(PointKind::Attendance, day(9)).unwrap();
        assert_eq!((rule.daily_cap, rule.per_item_cap, rule.window_multiplier), (None, None, 1));
        assert!(rule.windows.is_empty());
    }
}
