//! Coverage pages: the rate per unit, a unit's members, the uncovered list with its one action
//! (create door-to-door tasks), and the .xlsx download. Admins only; every query is confined to
//! the viewer's subtree, and a unit outside it is simply not found.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::rollup::{self, Reason};
use super::{MemberCoverage, MemberFilter, UnitRate};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::campaign::audience::masked_phone;
use crate::campaign::model::{CompletionRule, hours_text};
use crate::campaign::store::{self as campaigns, Campaign, Topic};
use crate::delivery::store as deliveries;
use crate::org::store as org_store;
use crate::state::AppState;
use crate::web::extract::{Path, Query, labels};
use crate::web::{AppError, AppResult, Shell};

/// Members listed on one page at most (filter by unit or reason for the rest).
pub(super) const LIST_LIMIT: usize = 300;

/// The page that says there is no current campaign yet (coverage pages show it instead of an
/// error: the committee may simply not have started this year's).
pub(super) fn no_campaign(user: &CurrentUser) -> AppResult<Response> {
    let page = NoCampaignPage { shell: Shell::new(user, "冬训覆盖率", "coverage") };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "coverage/none.html")]
struct NoCampaignPage {
    shell: Shell,
}

/// A unit's child units ([`super::child_units`]).
pub(super) async fn children_of(
    state: &AppState,
    parent_id: i64,
    parent_path: &str,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(super::child_units(&state.db, parent_id, parent_path).await?)
}

/// A unit row as shown, with its bar.
struct RateRow {
    unit_id: i64,
    name: String,
    link: bool,
    audience: i64,
    covered: i64,
    uncovered: i64,
    rate: String,
    /// Bar width in percent with one decimal, e.g. "87.5".
    width: String,
    low: bool,
}

impl RateRow {
    fn from_rate(r: &UnitRate) -> Self {
        let p = r.permille();
        Self {
            unit_id: r.unit_id,
            name: r.unit_name.clone(),
            link: !r.direct && r.audience > 0,
            audience: r.audience,
            covered: r.covered,
            uncovered: r.audience - r.covered,
            rate: r.rate_text(),
            width: format!("{}.{}", p / 10, p % 10),
            low: r.audience > 0 && p < 600,
        }
    }
}

/// Totals at the top of a page.
struct Totals {
    audience: i64,
    covered: i64,
    uncovered: i64,
    rate: String,
    width: String,
}

impl Totals {
    fn counts(audience: i64, covered: i64) -> Self {
        let p = rollup::permille(covered, audience);
        Self {
            audience,
            covered,
            uncovered: audience - covered,
            rate: rollup::rate_text(covered, audience),
            width: format!("{}.{}", p / 10, p % 10),
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct SortQuery {
    #[serde(default)]
    sort: String,
}

fn rate_rows(mut rates: Vec<UnitRate>, by_rate: bool) -> Vec<RateRow> {
    if by_rate {
        rates.sort_by_key(|r| (r.audience == 0, r.permille(), r.unit_path.clone()));
    }
    rates.iter().map(RateRow::from_rate).collect()
}

#[derive(Template)]
#[template(path = "coverage/overview.html")]
struct OverviewPage {
    shell: Shell,
    campaign: Campaign,
    rule: String,
    totals: Totals,
    rows: Vec<RateRow>,
    by_rate: bool,
    rates_title: String,
}

/// `GET /coverage`: the rate per child unit of the viewer's unit, totals first.
pub(super) async fn overview(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    campaign: Option<CurrentCampaign>,
    Query(q): Query<SortQuery>,
) -> AppResult<Response> {
    let Some(CurrentCampaign(campaign)) = campaign else {
        return no_campaign(&user);
    };
    let children = children_of(&state, user.unit_id, &user.unit_path).await?;
    let viewer = (user.unit_id, user.unit_name.as_str(), user.unit_path.as_str());
    // The overview needs counts only: the lean rollup, no names read.
    let (rates, audience, covered) = super::unit_rates(&state.db, &campaign, viewer, &children).await?;
    let rule = campaigns::completion_rule(&state.db, &campaign).await?;
    let by_rate = q.sort == "rate";
    let page = OverviewPage {
        shell: Shell::new(&user, "冬训覆盖率", "coverage"),
        rule: rule.describe(),
        totals: Totals::counts(audience, covered),
        rows: rate_rows(rates, by_rate),
        by_rate,
        rates_title: if user.role == crate::auth::Role::CommitteeAdmin {
            "各实践所、实践站覆盖率".to_owned()
        } else {
            "各支部覆盖率".to_owned()
        },
        campaign,
    };
    Ok(Html(page.render()?).into_response())
}

/// What coverage cards mark beside a member's progress: an open door-to-door task, a visit
/// received, online study only self-declared.
#[derive(Default)]
pub(super) struct Marks {
    open_tasks: HashSet<i64>,
    visited: HashSet<i64>,
    self_declared: HashMap<i64, i64>,
}

impl Marks {
    /// The marks of the listed members in a campaign.
    pub(super) async fn of(state: &AppState, campaign_id: i64, listed: &[MemberCoverage]) -> AppResult<Self> {
        let ids: Vec<i64> = listed.iter().map(|m| m.member.id).collect();
        Ok(Self {
            open_tasks: deliveries::open_member_ids(&state.db, campaign_id).await?.into_iter().collect(),
            visited: deliveries::visited_member_ids(&state.db, campaign_id).await?.into_iter().collect(),
            self_declared: super::self_declared_counts(&state.db, campaign_id, &ids).await?,
        })
    }
}

/// A member as a coverage card.
pub(super) struct MemberRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) unit_name: String,
    pub(super) categories: Vec<&'static str>,
    pub(super) phone: String,
    pub(super) sessions: i64,
    pub(super) hours: String,
    /// Compulsory topics: (name, attended).
    pub(super) topics: Vec<(String, bool)>,
    pub(super) covered: bool,
    /// How far an uncovered member got (尚未学完 / 尚未参学); '' when covered.
    pub(super) standing: &'static str,
    pub(super) missing: String,
    pub(super) has_task: bool,
    /// A door-to-door visit is recorded (已送学).
    pub(super) visited: bool,
    /// Of the sessions, how many are online study the member only declared (自报).
    pub(super) self_declared: i64,
}

impl MemberRow {
    /// The card of a member: how far they got, every category, and the marks.
    pub(super) fn of(rule: &CompletionRule, topics: &[Topic], m: &MemberCoverage, marks: &Marks) -> Self {
        let topic_name = |id: i64| {
            topics.iter().find(|t| t.id == id).map(|t| t.name.clone()).unwrap_or_else(|| format!("专题#{id}"))
        };
        let standing = if m.covered { "" } else { Reason::of_progress(&m.progress).label() };
        Self {
            id: m.member.id,
            name: m.member.name.clone(),
            unit_name: m.member.unit_name.clone(),
            categories: m.member.categories.labels(),
            phone: masked_phone(m.member.phone.as_deref()),
            sessions: m.progress.sessions,
            hours: hours_text(m.progress.minutes),
            topics: rule
                .compulsory_topics
                .iter()
                .map(|t| (topic_name(*t), m.progress.topics.binary_search(t).is_ok()))
                .collect(),
            covered: m.covered,
            standing,
            missing: rollup::missing_text(rule, &m.progress, topic_name),
            has_task: marks.open_tasks.contains(&m.member.id),
            visited: marks.visited.contains(&m.member.id),
            self_declared: marks.self_declared.get(&m.member.id).copied().unwrap_or(0),
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct UnitQuery {
    #[serde(default)]
    show: String,
    #[serde(default)]
    sort: String,
}

labels! {
    SortQuery { sort: "排序" }
    UnitQuery { show: "显示", sort: "排序" }
}

#[derive(Template)]
#[template(path = "coverage/unit.html")]
struct UnitPage {
    shell: Shell,
    campaign: Campaign,
    rule: String,
    unit_id: i64,
    unit_name: String,
    parent_link: Option<(String, String)>,
    totals: Totals,
    rows: Vec<RateRow>,
    by_rate: bool,
    rates_title: String,
    members: Vec<MemberRow>,
    shown_total: usize,
    show: String,
}

/// `GET /coverage/units/{id}`: one unit's rate, its children's, and its members' progress.
pub(super) async fn unit(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    campaign: Option<CurrentCampaign>,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let unit = org_store::unit_in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let Some(CurrentCampaign(campaign)) = campaign else {
        return no_campaign(&user);
    };
    let children = children_of(&state, unit.id, &unit.path).await?;
    let viewer = (unit.id, unit.name.as_str(), unit.path.as_str());
    let (rates, audience, covered) = super::unit_rates(&state.db, &campaign, viewer, &children).await?;
    let rates = if children.is_empty() { Vec::new() } else { rates };
    let rule = campaigns::completion_rule(&state.db, &campaign).await?;
    let topics = campaigns::topics(&state.db, campaign.id).await?;
    let (show, filter, shown_total) = match q.show.as_str() {
        "uncovered" => ("uncovered", MemberFilter::Uncovered(None), audience - covered),
        "covered" => ("covered", MemberFilter::Covered, covered),
        _ => ("", MemberFilter::All, audience),
    };
    let scope = unit.scope();
    let listed = super::members(&state.db, &campaign, &rule, &scope, filter, Some(LIST_LIMIT)).await?;
    let marks = Marks::of(&state, campaign.id, &listed).await?;
    let members = listed.iter().map(|m| MemberRow::of(&rule, &topics, m, &marks)).collect();
    let parent_link = match unit.parent_id {
        Some(parent) if unit.id != user.unit_id && parent != user.unit_id => {
            org_store::unit_in_scope(&state.db, parent, &user.scope())
                .await?
                .map(|p| (format!("/coverage/units/{}", p.id), p.name))
        }
        _ => None,
    };
    let by_rate = q.sort == "rate";
    let page = UnitPage {
        shell: Shell::new(&user, format!("{} · 覆盖率", unit.name), "coverage"),
        rule: rule.describe(),
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        parent_link,
        totals: Totals::counts(audience, covered),
        rows: rate_rows(rates, by_rate),
        by_rate,
        rates_title: "下级单位覆盖率".to_owned(),
        members,
        shown_total: usize::try_from(shown_total).unwrap_or(0),
        show: show.to_owned(),
        campaign,
    };
    Ok(Html(page.render()?).into_response())
}
