//! The one-at-a-time form, pure: 事项, 积分, 日期 and 原因 as staff typed them, checked into an
//! [`OfflineEntry`] or into problems beside each field.

use chrono::NaiveDate;
use serde::Deserialize;

use super::{OfflineEntry, TEXT_MAX_CHARS, Window, refuse_points};
use crate::points::model::Rule;
use crate::web::extract::labels;
use crate::web::form::FieldErrors;

/// The offline points form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OfflineInput {
    /// 事项.
    pub item: String,
    /// 积分.
    pub points: String,
    /// 日期, yyyy-mm-dd.
    pub day: String,
    /// 原因 (required).
    pub reason: String,
}

labels! {
    OfflineInput { item: "事项", points: "积分", day: "日期", reason: "原因" }
}

impl OfflineInput {
    /// The day typed, if it is a date (to look up what the member already has that day).
    pub fn day(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(self.day.trim(), "%Y-%m-%d").ok()
    }

    /// Checks the form for `member_id`, who already has `already` offline points on its day.
    pub fn check(
        &self,
        member_id: i64,
        rules: &[Rule],
        window: Option<&Window>,
        already: i64,
    ) -> Result<OfflineEntry, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut text = |field: &str, label: &str, value: &str| {
            let value = value.trim();
            if value.is_empty() {
                errors.add(field, format!("请填写{label}"));
            } else if value.chars().count() > TEXT_MAX_CHARS {
                errors.add(field, format!("{label}不能超过{TEXT_MAX_CHARS}个字"));
            }
            value.to_owned()
        };
        let item = text("item", "事项", &self.item);
        let reason = text("reason", "原因", &self.reason);
        let day = match (self.day(), window) {
            (None, _) => {
                errors.add("day", "请填写日期");
                None
            }
            (Some(_), None) => {
                errors.add("day", "还没有当前的冬训计划：线下积分只能记在冬训期间");
                None
            }
            (Some(day), Some(window)) => match window.refuse(day) {
                Some(reason) => {
                    errors.add("day", reason);
                    None
                }
                None => Some(day),
            },
        };
        let points = match self.points.trim().parse::<i64>() {
            Ok(points) if points >= 1 => Some(points),
            _ => {
                errors.add("points", "积分应为正整数");
                None
            }
        };
        if let (Some(points), Some(day)) = (points, day)
            && let Some(problem) = refuse_points(rules, day, points, already)
        {
            errors.add("points", problem);
        }
        match (points, day) {
            (Some(points), Some(day)) if errors.is_empty() => {
                Ok(OfflineEntry { member_id, day, item, points, note: reason })
            }
            _ => Err(errors),
        }
    }
}
