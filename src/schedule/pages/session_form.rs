//! What the scheduling forms share (one session, and batch bookings): the choices they offer and
//! reading a session from the form, every field checked, with the reason in Chinese.

use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::campaign::store::{self as campaigns, Campaign};
use crate::org::store as org_store;
use crate::schedule::model::{SessionKind, is_online_url};
use crate::schedule::store::lecturers;
use crate::schedule::store::sessions::{Conflict, NewSession};
use crate::state::AppState;
use crate::web::extract::labels;
use crate::web::form::{FieldErrors, local_to_utc, optional_id, parse_count, parse_date, parse_time};
use crate::web::{AppError, AppResult};

/// Choices the scheduling forms offer, all inside the user's subtree.
pub(super) struct Choices {
    pub kinds: Vec<(&'static str, &'static str)>,
    pub topics: Vec<(i64, String)>,
    pub lecturers: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
    pub venues: Vec<(i64, String)>,
}

pub(super) async fn choices(state: &AppState, user: &CurrentUser, campaign: &Campaign) -> AppResult<Choices> {
    let topics = campaigns::topics(&state.db, campaign.id).await?;
    let pool = lecturers::active(&state.db).await?;
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    let venues = lecturers::venues_in_scope(&state.db, &user.scope()).await?;
    Ok(Choices {
        kinds: SessionKind::choices()
            .into_iter()
            .filter(|(code, _)| *code != SessionKind::Delivery.code())
            .collect(),
        topics: topics
            .into_iter()
            .map(|t| (t.id, if t.compulsory { format!("{}（必修）", t.name) } else { t.name }))
            .collect(),
        lecturers: pool.into_iter().map(|l| (l.id, l.name)).collect(),
        units: units.into_iter().map(|u| (u.id, u.indented_name())).collect(),
        venues: venues.into_iter().map(|v| (v.id, format!("{}（限{}人）", v.name, v.capacity))).collect(),
    })
}

/// One session as the form gives it (a batch booking gives one per row). Read as text, so each
/// check in [`read_session`] can say exactly what is wrong.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SessionForm {
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) topic_id: String,
    pub(super) lecturer_id: String,
    pub(super) unit_id: String,
    pub(super) audience_unit_id: String,
    pub(super) venue_id: String,
    pub(super) place: String,
    pub(super) date: String,
    pub(super) start: String,
    pub(super) end: String,
    pub(super) expected: String,
    pub(super) checkin_opens_minutes: String,
    pub(super) online_url: String,
}

labels! {
    SessionForm {
        kind: "类型",
        title: "主题",
        topic_id: "专题",
        lecturer_id: "宣讲人",
        unit_id: "承办单位",
        audience_unit_id: "参学对象",
        venue_id: "场地",
        place: "实境宣讲地点",
        date: "日期",
        start: "开始",
        end: "结束",
        expected: "预计人数",
        checkin_opens_minutes: "提前几分钟开放签到",
        online_url: "线上链接",
    }
}

/// The fields a form names after each session's own row (a batch booking numbers them);
/// the others are shared by every session of a form.
pub(super) const ROW_FIELDS: [&str; 7] = ["unit_id", "venue_id", "place", "date", "start", "end", "expected"];

/// The field a scheduling conflict is about, for the form to show it beside.
pub(super) fn conflict_field(conflict: &Conflict) -> &'static str {
    match conflict {
        Conflict::LecturerBusy { .. } => "lecturer_id",
        Conflict::VenueBusy { .. } => "venue_id",
        Conflict::OverCapacity { .. } => "expected",
    }
}

impl SessionForm {
    /// The form as first shown: a lecture from 09:00 to 10:30, check-in opening 30 minutes before.
    pub(super) fn blank() -> Self {
        Self {
            start: "09:00".into(),
            end: "10:30".into(),
            checkin_opens_minutes: "30".into(),
            ..Self::default()
        }
    }

    /// Whether `id` is the choice typed into `field` (a `<select>` keeping what was chosen).
    pub(super) fn chose(&self, field: &str, id: &i64) -> bool {
        let typed = match field {
            "topic_id" => &self.topic_id,
            "lecturer_id" => &self.lecturer_id,
            "unit_id" => &self.unit_id,
            "audience_unit_id" => &self.audience_unit_id,
            "venue_id" => &self.venue_id,
            _ => return false,
        };
        optional_id(typed) == Some(*id)
    }
}

/// Reads one session from the form, every field checked: the session, or every problem found,
/// each under its field's name.
pub(super) async fn read_session(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    form: &SessionForm,
) -> AppResult<Result<(NewSession, Option<i64>), FieldErrors>> {
    let mut errors = FieldErrors::default();
    let kind = SessionKind::from_code(&form.kind)
        .filter(|k| *k != SessionKind::Delivery)
        .unwrap_or(SessionKind::Lecture);
    let title = form.title.trim().to_owned();
    if !(2..=60).contains(&title.chars().count()) {
        errors.add("title", "主题应为2到60个字");
    }
    let date = errors.check("date", parse_date(&form.date, "日期"));
    let start = errors.check("start", parse_time(&form.start, "开始时间"));
    let end = errors.check("end", parse_time(&form.end, "结束时间"));
    let mut times = None;
    if let (Some(date), Some(start), Some(end)) = (date, start, end) {
        let starts_at = errors.check("start", local_to_utc(date, start));
        let ends_at = errors.check("end", local_to_utc(date, end));
        match (starts_at, ends_at) {
            (Some(s), Some(e)) if e <= s => errors.add("end", "结束时间应晚于开始时间"),
            (Some(s), Some(e)) => times = Some((s, e)),
            _ => {}
        }
    }
    if let Some(date) = date
        && (date < campaign.starts_on || date > campaign.ends_on)
    {
        let message = format!("日期应在冬训期间（{} 至 {}）", campaign.starts_on, campaign.ends_on);
        errors.add("date", message);
    }
    let scope = user.scope();
    let unit_id = optional_id(&form.unit_id).unwrap_or(user.unit_id);
    let host = org_store::unit_in_scope(&state.db, unit_id, &scope).await?;
    if host.is_none() {
        errors.add("unit_id", "承办单位不在您的管辖范围内");
    }
    let audience_id = optional_id(&form.audience_unit_id).unwrap_or(unit_id);
    let audience = org_store::unit_in_scope(&state.db, audience_id, &scope).await?;
    if audience.is_none() {
        errors.add("audience_unit_id", "参学对象单位不在您的管辖范围内");
    }
    let topic_id = optional_id(&form.topic_id);
    if let Some(topic) = topic_id
        && !campaigns::topics(&state.db, campaign.id).await?.iter().any(|t| t.id == topic)
    {
        errors.add("topic_id", "专题不属于当前冬训");
    }
    let lecturer_id = optional_id(&form.lecturer_id);
    if let Some(id) = lecturer_id
        && !lecturers::by_id(&state.db, id).await?.is_some_and(|l| l.active)
    {
        errors.add("lecturer_id", "宣讲员不存在");
    }
    let venue_id = optional_id(&form.venue_id);
    let mut capacity = None;
    if let Some(id) = venue_id {
        match lecturers::venue(&state.db, id).await? {
            None => errors.add("venue_id", "场地不存在"),
            Some(venue) => {
                if org_store::unit_in_scope(&state.db, venue.unit_id, &scope).await?.is_none() {
                    errors.add("venue_id", "场地不在您的管辖范围内");
                }
                capacity = Some(venue.capacity);
            }
        }
    }
    let expected = errors.check("expected", parse_count(&form.expected, "预计人数", 10_000));
    let opens = match form.checkin_opens_minutes.trim() {
        "" => Some(30),
        text => errors.check("checkin_opens_minutes", parse_count(text, "提前签到分钟数", 24 * 60)),
    };
    let online_url = errors.check("online_url", online_url(&form.online_url));
    let (
        Some((starts_at, ends_at)),
        Some(host),
        Some(audience),
        Some(expected),
        Some(opens),
        Some(online_url),
    ) = (times, host, audience, expected, opens, online_url)
    else {
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let session = NewSession {
        campaign_id: campaign.id,
        batch_id: None,
        kind,
        title,
        topic_id,
        lecturer_id,
        unit_id: host.id,
        audience_unit_id: audience.id,
        venue_id,
        place: form.place.trim().chars().take(60).collect(),
        starts_at,
        ends_at,
        expected_attendees: expected,
        checkin_opens_minutes: opens,
        online_url,
        created_by: Some(user.user_id),
    };
    Ok(Ok((session, capacity)))
}

/// The live broadcast's or recording's address: empty (not set yet) or an absolute http(s) URL
/// ([`is_online_url`]); anything else (a path, a `javascript:` link, a typo) is refused.
fn online_url(text: &str) -> Result<String, AppError> {
    let url = text.trim();
    if url.is_empty() || is_online_url(url) {
        Ok(url.to_owned())
    } else {
        Err(AppError::BadRequest(
            "线上链接：请填写以 https:// 或 http:// 开头的完整网址（不含空格和反斜杠，不超过300字）".into(),
        ))
    }
}
