//! 冬训+ activities, pure: the people-served categories, hours typed on a phone, a month's days,
//! an activity form checked field by field, and what a review does to a volunteer's hours.

use chrono::{Datelike, NaiveDate};

use crate::coded_enum;
use crate::web::form::FieldErrors;

coded_enum! {
    /// Where a volunteer's reported hours stand.
    HoursStatus {
        /// Reported, waiting for a station admin.
        Reported = ("reported", "待审核"),
        /// Approved (as reported, or corrected): they count.
        Approved = ("approved", "已通过"),
        /// Rejected: they do not count.
        Rejected = ("rejected", "未通过"),
    }
}

/// The categories of people served, as (form field and column suffix, label), in display order.
pub const SERVED: [(&str, &str); 6] = [
    ("elderly", "老年人"),
    ("low_income", "低收入"),
    ("disabled", "残疾人"),
    ("left_behind", "留守/务工"),
    ("children", "儿童"),
    ("others", "其他"),
];

/// Most people one activity may count in one category.
pub const MAX_SERVED: i64 = 10_000;

/// Most hours one volunteer may report for one activity.
pub const MAX_HOURS: f64 = 24.0;

/// People served by one activity, counted per category (in [`SERVED`] order): counts, never names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Served(pub [i64; 6]);

impl Served {
    /// Everyone served, all categories together.
    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }
}

/// Reads hours as typed ("2.5", "2", "1.25", "２．５" with wide digits) into whole minutes.
/// `Err` is the Chinese reason.
pub fn parse_hours(text: &str) -> Result<i64, String> {
    let folded: String = text
        .trim()
        .trim_end_matches("小时")
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' | '。' => '.',
            c => c,
        })
        .collect();
    let hours: f64 = folded.trim().parse().map_err(|_| "时长：请填写小时数，例如 2.5".to_owned())?;
    if !hours.is_finite() || hours <= 0.0 || hours > MAX_HOURS {
        return Err(format!("时长：请填写大于0、不超过{MAX_HOURS}的小时数"));
    }
    let minutes = (hours * 60.0).round() as i64;
    if minutes == 0 { Err("时长：至少1分钟".into()) } else { Ok(minutes) }
}

/// Minutes as hours for people: "2.5" (at most two decimals, no trailing zeros).
pub fn hours_text(minutes: i64) -> String {
    let text = format!("{:.2}", minutes as f64 / 60.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The first and last day of the month `YYYY-MM`, or `None` when it is not one.
pub fn month_days(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").ok()?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    Some((first, next.pred_opt()?))
}

/// An activity form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ActivityInput {
    /// A kind's id, or empty when a new kind is typed.
    #[serde(default)]
    pub kind_id: String,
    /// A custom kind to add (used when filled in).
    #[serde(default)]
    pub new_kind: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Day held, `YYYY-MM-DD`.
    #[serde(default)]
    pub held_on: String,
    /// Place.
    #[serde(default)]
    pub place: String,
    /// Organising unit's id.
    #[serde(default)]
    pub unit_id: String,
    /// Linked training session's id, or empty.
    #[serde(default)]
    pub session_id: String,
    /// 老年人.
    #[serde(default)]
    pub served_elderly: String,
    /// 低收入.
    #[serde(default)]
    pub served_low_income: String,
    /// 残疾人.
    #[serde(default)]
    pub served_disabled: String,
    /// 留守/务工.
    #[serde(default)]
    pub served_left_behind: String,
    /// 儿童.
    #[serde(default)]
    pub served_children: String,
    /// 其他.
    #[serde(default)]
    pub served_others: String,
    /// A short outcome.
    #[serde(default)]
    pub outcome: String,
}

impl ActivityInput {
    /// The typed count of the category at `index` in [`SERVED`].
    pub fn served_text(&self, index: usize) -> &str {
        [
            &self.served_elderly,
            &self.served_low_income,
            &self.served_disabled,
            &self.served_left_behind,
            &self.served_children,
            &self.served_others,
        ][index]
    }
}

/// The kind an activity is of: an existing one, or a custom one to add by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindChoice {
    /// An existing kind's id (still to be checked against the list).
    Existing(i64),
    /// A new custom kind's name.
    New(String),
}

/// An activity form that passed every check of its own (ids still to be found in scope).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFacts {
    /// Kind.
    pub kind: KindChoice,
    /// Title.
    pub title: String,
    /// Day held.
    pub held_on: NaiveDate,
    /// Place.
    pub place: String,
    /// Organising unit's id.
    pub unit_id: i64,
    /// Linked session's id.
    pub session_id: Option<i64>,
    /// People served.
    pub served: Served,
    /// Outcome.
    pub outcome: String,
}

/// Checks an activity form against the campaign's days; every problem is kept by field.
pub fn check_activity(
    input: &ActivityInput,
    days: (NaiveDate, NaiveDate),
) -> Result<ActivityFacts, FieldErrors> {
    let mut errors = FieldErrors::default();
    let new_kind = input.new_kind.trim();
    let kind = if !new_kind.is_empty() {
        if !(2..=12).contains(&new_kind.chars().count()) {
            errors.add("new_kind", "新类型名称应为2到12个字");
        }
        Some(KindChoice::New(new_kind.to_owned()))
    } else if let Some(id) = crate::web::form::optional_id(&input.kind_id) {
        Some(KindChoice::Existing(id))
    } else {
        errors.add("kind_id", "请选择活动类型，或填写新类型");
        None
    };
    let title = input.title.trim();
    if !(2..=40).contains(&title.chars().count()) {
        errors.add("title", "活动名称应为2到40个字");
    }
    let held_on = errors.check("held_on", crate::web::form::parse_date(&input.held_on, "活动日期"));
    if let Some(day) = held_on
        && (day < days.0 || day > days.1)
    {
        errors.add("held_on", format!("活动日期应在本次冬训期间（{}至{}）", days.0, days.1));
    }
    if held_on.is_some_and(|d| d > crate::time::today()) {
        errors.add("held_on", "活动日期不能晚于今天：活动结束后再登记");
    }
    if input.place.trim().chars().count() > 60 {
        errors.add("place", "活动地点不超过60个字");
    }
    let unit_id = crate::web::form::optional_id(&input.unit_id);
    if unit_id.is_none() {
        errors.add("unit_id", "请选择组织单位");
    }
    let mut served = Served::default();
    for (i, (field, label)) in SERVED.iter().enumerate() {
        let name = format!("served_{field}");
        let text = input.served_text(i);
        if let Some(n) = errors.check(&name, crate::web::form::parse_count(text, label, MAX_SERVED)) {
            served.0[i] = n;
        }
    }
    if input.outcome.trim().chars().count() > 500 {
        errors.add("outcome", "活动成效不超过500字");
    }
    match (errors.is_empty(), kind, held_on, unit_id) {
        (true, Some(kind), Some(held_on), Some(unit_id)) => Ok(ActivityFacts {
            kind,
            title: title.to_owned(),
            held_on,
            place: input.place.trim().to_owned(),
            unit_id,
            session_id: crate::web::form::optional_id(&input.session_id),
            served,
            outcome: input.outcome.trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// What a station admin decides about a volunteer's reported hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// Approve as reported.
    Approve,
    /// Approve a corrected number of minutes (with a note).
    Correct(i64),
    /// Reject (with a note).
    Reject,
}

impl Review {
    /// Reads the review form: `decision` approve / correct / reject, `hours` for a correction, a
    /// note required for a correction and a rejection.
    pub fn read(decision: &str, hours: &str, note: &str) -> Result<Review, String> {
        let review = match decision {
            "approve" => Review::Approve,
            "correct" => Review::Correct(parse_hours(hours)?),
            "reject" => Review::Reject,
            _ => return Err("请选择通过、更正或不通过".into()),
        };
        if review != Review::Approve && note.trim().is_empty() {
            return Err("更正或不通过时，请写明原因".into());
        }
        if note.trim().chars().count() > 100 {
            return Err("说明不超过100字".into());
        }
        Ok(review)
    }

    /// The status and approved minutes after this review of `reported` minutes.
    pub fn outcome(self, reported: i64) -> (HoursStatus, Option<i64>) {
        match self {
            Review::Approve => (HoursStatus::Approved, Some(reported)),
            Review::Correct(minutes) => (HoursStatus::Approved, Some(minutes)),
            Review::Reject => (HoursStatus::Rejected, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_read_as_typed_on_a_phone() {
        assert_eq!(parse_hours("2.5"), Ok(150));
        assert_eq!(parse_hours(" 3 "), Ok(180));
        assert_eq!(parse_hours("２．５"), Ok(150));
        assert_eq!(parse_hours("1.25小时"), Ok(75));
        assert!(parse_hours("0").is_err());
        assert!(parse_hours("-1").is_err());
        assert!(parse_hours("25").is_err());
        assert!(parse_hours("两小时").unwrap_err().contains("2.5"));
        assert!(parse_hours("NaN").is_err());
        assert_eq!(hours_text(150), "2.5");
        assert_eq!(hours_text(120), "2");
        assert_eq!(hours_text(75), "1.25");
    }

    #[test]
    fn months_have_their_days() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(month_days("2021-02"), Some((d("2021-02-01"), d("2021-02-28"))));
        assert_eq!(month_days("2020-12"), Some((d("2020-12-01"), d("2020-12-31"))));
        assert_eq!(month_days("2021-13"), None);
        assert_eq!(month_days("abc"), None);
    }

    fn form() -> ActivityInput {
        ActivityInput {
            kind_id: "1".into(),
            title: "春联义写进万家".into(),
            held_on: crate::time::today().to_string(),
            unit_id: "3".into(),
            served_elderly: "12".into(),
            served_children: "3".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_gives_counts_and_a_bad_one_names_every_field() {
        let today = crate::time::today();
        let days = (today - chrono::Duration::days(30), today + chrono::Duration::days(30));
        let facts = check_activity(&form(), days).unwrap();
        assert_eq!(facts.served, Served([12, 0, 0, 0, 3, 0]));
        assert_eq!(facts.served.total(), 15);
        assert_eq!(facts.kind, KindChoice::Existing(1));
        let bad = ActivityInput {
            kind_id: String::new(),
            title: "春".into(),
            held_on: "2001-01-01".into(),
            served_disabled: "-2".into(),
            served_others: "很多".into(),
            unit_id: String::new(),
            ..form()
        };
        let errors = check_activity(&bad, days).unwrap_err();
        for field in ["kind_id", "title", "held_on", "served_disabled", "served_others", "unit_id"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let custom = ActivityInput { new_kind: "义务理发".into(), ..form() };
        assert_eq!(check_activity(&custom, days).unwrap().kind, KindChoice::New("义务理发".into()));
    }

    #[test]
    fn reviews_need_a_note_unless_approving() {
        assert_eq!(Review::read("approve", "", ""), Ok(Review::Approve));
        assert_eq!(Review::read("correct", "1.5", "实际到岗晚"), Ok(Review::Correct(90)));
        assert!(Review::read("correct", "1.5", " ").is_err());
        assert!(Review::read("reject", "", "").is_err());
        assert!(Review::read("other", "", "x").is_err());
        assert_eq!(Review::Approve.outcome(150), (HoursStatus::Approved, Some(150)));
        assert_eq!(Review::Correct(90).outcome(150), (HoursStatus::Approved, Some(90)));
        assert_eq!(Review::Reject.outcome(150), (HoursStatus::Rejected, None));
    }
}
