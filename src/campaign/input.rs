//! What the campaign pages' forms carry, read as text by the form extractor and then checked
//! here, each problem told in Chinese.

use serde::Deserialize;

use super::store::CampaignFields;
use crate::people::model::MemberCategories;
use crate::web::AppError;
use crate::web::extract::labels;
use crate::web::form::{parse_count, parse_date};

/// The campaign form, creating or editing.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CampaignInput {
    name: String,
    starts_on: String,
    ends_on: String,
    required_sessions: String,
    required_hours: String,
    /// The ticked audience units.
    unit: Vec<i64>,
    /// The ticked audience categories, each a bit.
    category: Vec<u32>,
}

/// A new topic.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TopicInput {
    pub(super) name: String,
    /// The check box: `on` when ticked.
    pub(super) compulsory: String,
}

/// A member to leave out of the campaign, and why.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ExclusionInput {
    pub(super) member: String,
    pub(super) reason: String,
}

labels! {
    CampaignInput {
        name: "名称",
        starts_on: "开始日期",
        ends_on: "结束日期",
        required_sessions: "至少参加几场",
        required_hours: "累计学时",
        unit: "参训单位",
        category: "参训对象类别",
    }
    TopicInput { name: "新专题", compulsory: "必修" }
    ExclusionInput { member: "党员姓名或手机号", reason: "原因" }
}

/// Reads and checks the campaign form.
pub(super) fn read_fields(input: &CampaignInput) -> Result<CampaignFields, AppError> {
    let name = input.name.trim().to_owned();
    if !(2..=40).contains(&name.chars().count()) {
        return Err(AppError::BadRequest("名称应为2到40个字".into()));
    }
    let starts_on = parse_date(&input.starts_on, "开始日期")?;
    let ends_on = parse_date(&input.ends_on, "结束日期")?;
    if ends_on < starts_on {
        return Err(AppError::BadRequest("结束日期不能早于开始日期".into()));
    }
    let hours = input.required_hours.trim();
    let required_minutes = if hours.is_empty() {
        0
    } else {
        hours
            .parse::<f64>()
            .ok()
            .filter(|h| (0.0..=500.0).contains(h))
            .map(|h| (h * 60.0).round() as i64)
            .ok_or_else(|| AppError::BadRequest("学时：请填写0到500之间的数字".into()))?
    };
    let unit_ids = input.unit.clone();
    if unit_ids.is_empty() {
        return Err(AppError::BadRequest("请至少选择一个参训单位".into()));
    }
    let audience_categories =
        input.category.iter().fold(0u32, |acc, bit| acc | MemberCategories::from_bits(*bit).bits());
    Ok(CampaignFields {
        name,
        starts_on,
        ends_on,
        audience_categories: i64::from(audience_categories),
        required_sessions: parse_count(&input.required_sessions, "场次", 100)?,
        required_minutes,
        unit_ids,
    })
}
