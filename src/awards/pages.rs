//! `/awards`: the campaign's monthly awards — the committee's criteria (edited, audited), the
//! months opened so far, and opening a month that has ended. Staff of a station see the
//! published months for their subtree.

pub(super) mod certificates;
pub(super) mod round;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::model::{Criteria, MAX_TOP_N, Month, RoundStatus, proposal_reason, propose};
use super::store::{self, Opened};
use crate::audit::Actor;
use crate::auth::{AdminUser, CommitteeUser, CurrentUser, Role};
use crate::campaign::CurrentCampaign;
use crate::state::AppState;
use crate::web::extract::{Form, labels};
use crate::web::form::{FieldErrors, parse_count};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppResult, Shell};

/// The criteria form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct CriteriaInput {
    top_n: String,
    min_sessions: String,
    min_volunteer_hours: String,
    issuer: String,
}

/// The month to open.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct OpenInput {
    month: String,
}

labels! {
    CriteriaInput { top_n: "每单位名额", min_sessions: "当月至少参加学习", min_volunteer_hours: "当月至少志愿服务", issuer: "颁发单位" }
    OpenInput { month: "月份" }
}

impl CriteriaInput {
    fn from_criteria(c: &Criteria) -> Self {
        CriteriaInput {
            top_n: c.top_n.to_string(),
            min_sessions: c.min_sessions.to_string(),
            min_volunteer_hours: c.min_volunteer_hours.to_string(),
            issuer: c.issuer.clone(),
        }
    }

    /// The criteria, or every problem by field.
    fn parse(&self) -> Result<Criteria, FieldErrors> {
        let mut errors = FieldErrors::default();
        let top_n = errors.check("top_n", parse_count(&self.top_n, "每单位名额", MAX_TOP_N));
        if top_n == Some(0) {
            errors.add("top_n", format!("每单位名额：请填写1到{MAX_TOP_N}之间的整数"));
        }
        let min_sessions =
            errors.check("min_sessions", parse_count(&self.min_sessions, "当月至少参加学习", 100));
        let min_hours = errors
            .check("min_volunteer_hours", parse_count(&self.min_volunteer_hours, "当月至少志愿服务", 300));
        let issuer = self.issuer.trim().to_owned();
        if issuer.chars().count() > 40 {
            errors.add("issuer", "颁发单位：请不超过40字");
        }
        match (top_n, min_sessions, min_hours, errors.is_empty()) {
            (Some(top_n), Some(min_sessions), Some(min_volunteer_hours), true) => {
                Ok(Criteria { top_n, min_sessions, min_volunteer_hours, issuer })
            }
            _ => Err(errors),
        }
    }
}

/// One month on the list.
struct RoundLine {
    id: i64,
    label: String,
    published: bool,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "awards/index.html")]
struct IndexPage {
    shell: Shell,
    campaign: Option<String>,
    is_committee: bool,
    criteria: CriteriaInput,
    criteria_errors: FieldErrors,
    default_issuer: String,
    points_per_hour: i64,
    rounds: Vec<RoundLine>,
    months: Vec<(String, String)>,
    open_error: Option<String>,
}

/// What a refused form brings back to the page.
enum Refused {
    Criteria(CriteriaInput, FieldErrors),
    Open(String),
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    campaign: Option<&CurrentCampaign>,
    refused: Option<Refused>,
) -> AppResult<String> {
    let is_committee = user.role == Role::CommitteeAdmin;
    let today = crate::time::today();
    let (mut criteria, mut criteria_errors, mut open_error) =
        (CriteriaInput::default(), FieldErrors::default(), None);
    let mut rounds = Vec::new();
    let mut months = Vec::new();
    if let Some(campaign) = campaign {
        criteria = CriteriaInput::from_criteria(&store::criteria(&state.db, campaign.id).await?);
        let all = store::rounds(&state.db, campaign.id).await?;
        // Ended months not opened yet, latest first: the last six.
        let mut month = Month::of(today).previous();
        for _ in 0..6 {
            if !all.iter().any(|r| r.month == month.to_string()) {
                months.push((month.to_string(), month.label()));
            }
            month = month.previous();
        }
        rounds = all
            .into_iter()
            .filter(|r| is_committee || r.status == RoundStatus::Published)
            .map(|r| RoundLine {
                id: r.id,
                label: r.month().label(),
                published: r.status == RoundStatus::Published,
                status: r.status.label(),
            })
            .collect();
    }
    match refused {
        Some(Refused::Criteria(input, errors)) => (criteria, criteria_errors) = (input, errors),
        Some(Refused::Open(message)) => open_error = Some(message),
        None => {}
    }
    let page = IndexPage {
        shell: Shell::new(user, "每月评优", "home"),
        campaign: campaign.map(|c| c.name.clone()),
        is_committee,
        criteria,
        criteria_errors,
        default_issuer: super::default_issuer(&state.db).await?,
        points_per_hour: super::volunteer_points_per_hour(&state.db, today).await?,
        rounds,
        months,
        open_error,
    };
    Ok(page.render()?)
}

fn refused(html: String) -> Response {
    (StatusCode::BAD_REQUEST, Html(html)).into_response()
}

/// `GET /awards`.
pub(super) async fn index(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    campaign: Option<CurrentCampaign>,
) -> AppResult<Html<String>> {
    Ok(Html(render(&state, &user, campaign.as_ref(), None).await?))
}

/// `POST /awards/criteria`: the committee sets the current campaign's criteria, audited.
pub(super) async fn save_criteria(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    campaign: CurrentCampaign,
    Form(input): Form<CriteriaInput>,
) -> AppResult<Response> {
    let criteria = match input.parse() {
        Ok(criteria) => criteria,
        Err(errors) => {
            let html = render(&state, &user, Some(&campaign), Some(Refused::Criteria(input, errors))).await?;
            return Ok(refused(html));
        }
    };
    let mut tx = state.db.begin().await?;
    store::set_criteria(&mut tx, campaign.id, &criteria, &Actor::user(&user)).await?;
    tx.commit().await?;
    Ok(redirect_with_flash("/awards", "评优条件已保存；此后打开的月份按新条件推荐"))
}

/// `POST /awards/months`: opens an ended month — the proposal by the criteria, as a draft.
pub(super) async fn open_month(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    campaign: CurrentCampaign,
    Form(input): Form<OpenInput>,
) -> AppResult<Response> {
    let today = crate::time::today();
    let problem = match Month::parse(&input.month) {
        None => Err("请选择月份".to_owned()),
        Some(month) if !month.has_ended(today) => {
            Err(format!("{}还没有结束，月底之后才能评选", month.label()))
        }
        Some(month) => Ok(month),
    };
    let month = match problem {
        Ok(month) => month,
        Err(message) => {
            let html = render(&state, &user, Some(&campaign), Some(Refused::Open(message))).await?;
            return Ok(refused(html));
        }
    };
    let criteria = store::criteria(&state.db, campaign.id).await?;
    let candidates = store::candidates(&state.db, campaign.id, month, 0).await?;
    let per_hour = super::volunteer_points_per_hour(&state.db, month.last_day()).await?;
    let proposed: Vec<_> = propose(&candidates, &criteria, per_hour)
        .into_iter()
        .map(|p| {
            let reason = proposal_reason(&p, month);
            (p.candidate, reason, p.tied)
        })
        .collect();
    let issuer = if criteria.issuer.is_empty() {
        super::default_issuer(&state.db).await?
    } else {
        criteria.issuer.clone()
    };
    let mut tx = state.db.begin().await?;
    let opened =
        store::open(&mut tx, campaign.id, month, &criteria, &issuer, &proposed, &Actor::user(&user)).await?;
    tx.commit().await?;
    Ok(match opened {
        Opened::New(id, n) => {
            redirect_with_flash(&format!("/awards/{id}"), &format!("{}：按条件推荐 {n} 人", month.label()))
        }
        Opened::Existing(id) => redirect_with_flash(&format!("/awards/{id}"), "这个月份已经打开过"),
    })
}
