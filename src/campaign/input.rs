//! What the campaign pages' forms carry, read as text by the form extractor and then checked
//! here, each problem told in Chinese.

use serde::Deserialize;

use super::model::VisitCredit;
use super::store::CampaignFields;
use crate::people::model::MemberCategories;
use crate::web::extract::labels;
use crate::web::form::{FieldErrors, parse_count, parse_date};

/// The campaign form, creating or editing.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CampaignInput {
    name: String,
    starts_on: String,
    ends_on: String,
    required_sessions: String,
    required_hours: String,
    /// What a door-to-door visit counts for (a `VisitCredit` code).
    visit_credit: String,
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
        visit_credit: "送学上门计为",
        unit: "参训单位",
        category: "参训对象类别",
    }
    TopicInput { name: "新专题", compulsory: "必修" }
    ExclusionInput { member: "党员姓名或手机号", reason: "原因" }
}

impl CampaignInput {
    /// The audience units ticked.
    pub(super) fn units(&self) -> &[i64] {
        &self.unit
    }

    /// The categories ticked, as one set of bits.
    pub(super) fn category_bits(&self) -> u32 {
        self.category.iter().fold(0u32, |acc, bit| acc | MemberCategories::from_bits(*bit).bits())
    }

    /// The visit credit chosen, if it is one (a form from before the choice existed sends none:
    /// the default).
    pub(super) fn visit_credit(&self) -> Option<VisitCredit> {
        match self.visit_credit.trim() {
            "" => Some(VisitCredit::Complete),
            code => VisitCredit::from_code(code),
        }
    }

    /// What was typed into the text fields, to show again: name, dates, sessions, hours.
    pub(super) fn typed(&self) -> [&str; 5] {
        [&self.name, &self.starts_on, &self.ends_on, &self.required_sessions, &self.required_hours]
    }
}

/// Reads and checks the campaign form: its fields, or every problem under its field's name.
pub(super) fn read_fields(input: &CampaignInput) -> Result<CampaignFields, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = input.name.trim().to_owned();
    if !(2..=40).contains(&name.chars().count()) {
        errors.add("name", "名称应为2到40个字");
    }
    let starts_on = errors.check("starts_on", parse_date(&input.starts_on, "开始日期"));
    let ends_on = errors.check("ends_on", parse_date(&input.ends_on, "结束日期"));
    if let (Some(starts), Some(ends)) = (starts_on, ends_on)
        && ends < starts
    {
        errors.add("ends_on", "结束日期不能早于开始日期");
    }
    let hours = input.required_hours.trim();
    let required_minutes = if hours.is_empty() {
        Some(0)
    } else {
        let minutes = hours
            .parse::<f64>()
            .ok()
            .filter(|h| (0.0..=500.0).contains(h))
            .map(|h| (h * 60.0).round() as i64);
        if minutes.is_none() {
            errors.add("required_hours", "学时：请填写0到500之间的数字");
        }
        minutes
    };
    if input.unit.is_empty() {
        errors.add("unit", "请至少选择一个参训单位");
    }
    let required_sessions =
        errors.check("required_sessions", parse_count(&input.required_sessions, "场次", 100));
    let visit_credit = input.visit_credit();
    if visit_credit.is_none() {
        errors.add("visit_credit", "送学上门计为：请从列表中选择");
    }
    let (
        Some(starts_on),
        Some(ends_on),
        Some(required_minutes),
        Some(required_sessions),
        Some(visit_credit),
        true,
    ) = (starts_on, ends_on, required_minutes, required_sessions, visit_credit, errors.is_empty())
    else {
        return Err(errors);
    };
    Ok(CampaignFields {
        name,
        starts_on,
        ends_on,
        audience_categories: i64::from(input.category_bits()),
        required_sessions,
        required_minutes,
        visit_credit,
        unit_ids: input.unit.clone(),
    })
}
