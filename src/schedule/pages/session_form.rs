//! What the scheduling forms share (one session, and batch bookings): the choices they offer and
//! reading a session from the form, every field checked, with the reason in Chinese.

use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::campaign::store::{self as campaigns, Campaign};
use crate::org::store as org_store;
use crate::schedule::model::{SessionKind, is_online_url};
use crate::schedule::store::lecturers;
use crate::schedule::store::sessions::NewSession;
use crate::state::AppState;
use crate::web::extract::labels;
use crate::web::form::{local_to_utc, optional_id, parse_count, parse_date, parse_time};
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

/// Reads one session from the form, every field checked.
pub(super) async fn read_session(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    form: &SessionForm,
) -> AppResult<(NewSession, Option<i64>)> {
    let kind = SessionKind::from_code(&form.kind)
        .filter(|k| *k != SessionKind::Delivery)
        .unwrap_or(SessionKind::Lecture);
    let title = form.title.trim().to_owned();
    if !(2..=60).contains(&title.chars().count()) {
        return Err(AppError::BadRequest("主题应为2到60个字".into()));
    }
    let date = parse_date(&form.date, "日期")?;
    let starts_at = local_to_utc(date, parse_time(&form.start, "开始时间")?)?;
    let ends_at = local_to_utc(date, parse_time(&form.end, "结束时间")?)?;
    if ends_at <= starts_at {
        return Err(AppError::BadRequest("结束时间应晚于开始时间".into()));
    }
    if date < campaign.starts_on || date > campaign.ends_on {
        return Err(AppError::BadRequest(format!(
            "日期应在冬训期间（{} 至 {}）",
            campaign.starts_on, campaign.ends_on
        )));
    }
    let scope = user.scope();
    let unit_id = optional_id(&form.unit_id).unwrap_or(user.unit_id);
    let host = org_store::unit_in_scope(&state.db, unit_id, &scope)
        .await?
        .ok_or_else(|| AppError::BadRequest("承办单位不在您的管辖范围内".into()))?;
    let audience_id = optional_id(&form.audience_unit_id).unwrap_or(host.id);
    let audience = org_store::unit_in_scope(&state.db, audience_id, &scope)
        .await?
        .ok_or_else(|| AppError::BadRequest("参学对象单位不在您的管辖范围内".into()))?;
    let topic_id = optional_id(&form.topic_id);
    if let Some(topic) = topic_id
        && !campaigns::topics(&state.db, campaign.id).await?.iter().any(|t| t.id == topic)
    {
        return Err(AppError::BadRequest("专题不属于当前冬训".into()));
    }
    let lecturer_id = optional_id(&form.lecturer_id);
    if let Some(id) = lecturer_id {
        lecturers::by_id(&state.db, id)
            .await?
            .filter(|l| l.active)
            .ok_or_else(|| AppError::BadRequest("宣讲员不存在".into()))?;
    }
    let venue_id = optional_id(&form.venue_id);
    let mut capacity = None;
    if let Some(id) = venue_id {
        let venue = lecturers::venue(&state.db, id)
            .await?
            .ok_or_else(|| AppError::BadRequest("场地不存在".into()))?;
        org_store::unit_in_scope(&state.db, venue.unit_id, &scope)
            .await?
            .ok_or_else(|| AppError::BadRequest("场地不在您的管辖范围内".into()))?;
        capacity = Some(venue.capacity);
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
        expected_attendees: parse_count(&form.expected, "预计人数", 10_000)?,
        checkin_opens_minutes: match form.checkin_opens_minutes.trim() {
            "" => 30,
            text => parse_count(text, "提前签到分钟数", 24 * 60)?,
        },
        online_url: online_url(&form.online_url)?,
        created_by: Some(user.user_id),
    };
    Ok((session, capacity))
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
