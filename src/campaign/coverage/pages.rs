//! Coverage pages: the rate per unit, a unit's members, the uncovered list with its one action
//! (create door-to-door tasks), and the .xlsx download. Admins only; every query is confined to
//! the viewer's subtree, and a unit outside it is simply not found.

use std::collections::HashSet;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::rollup::{self, Reason};
use super::{CoverageReport, MemberCoverage, UnitRate, compute};
use crate::accounts::CurrentUser;
use crate::audit::{self, Action, Actor};
use crate::campaign::audience::{self, masked_phone};
use crate::campaign::model::hours_text;
use crate::campaign::store::campaigns::{self, Campaign};
use crate::campaign::store::deliveries::{self, NewTask};
use crate::org::store as org_store;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, AppState, Shell};

/// Members listed on one page at most (filter by unit or reason for the rest).
const LIST_LIMIT: usize = 300;

/// The current campaign, or the page that says there is none.
async fn current_campaign(state: &AppState, user: &CurrentUser) -> AppResult<Result<Campaign, Response>> {
    match campaigns::current(&state.db).await? {
        Some(c) => Ok(Ok(c)),
        None => {
            let page = NoCampaignPage { shell: Shell::new(user, "冬训覆盖率", "coverage") };
            Ok(Err(Html(page.render()?).into_response()))
        }
    }
}

#[derive(Template)]
#[template(path = "coverage/none.html")]
struct NoCampaignPage {
    shell: Shell,
}

/// A unit's child units still in use (or retired ones that still hold audience), as
/// (id, name, path), in tree order.
async fn children_of(
    state: &AppState,
    parent_id: i64,
    parent_path: &str,
) -> AppResult<Vec<(i64, String, String)>> {
    let units = org_store::units_in_scope(&state.db, &format!("{parent_path}%")).await?;
    Ok(units.into_iter().filter(|u| u.parent_id == Some(parent_id)).map(|u| (u.id, u.name, u.path)).collect())
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
    fn of(report: &CoverageReport) -> Self {
        Self::counts(report.audience(), report.covered())
    }

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
    user: CurrentUser,
    Query(q): Query<SortQuery>,
) -> AppResult<Response> {
    user.require_admin()?;
    let campaign = match current_campaign(&state, &user).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
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
        rates_title: if user.role == crate::accounts::Role::CommitteeAdmin {
            "各实践所、实践站覆盖率".to_owned()
        } else {
            "各支部覆盖率".to_owned()
        },
        campaign,
    };
    Ok(Html(page.render()?).into_response())
}

/// A member as a coverage card.
struct MemberRow {
    id: i64,
    name: String,
    unit_name: String,
    categories: Vec<&'static str>,
    phone: String,
    sessions: i64,
    hours: String,
    /// Compulsory topics: (name, attended).
    topics: Vec<(String, bool)>,
    covered: bool,
    reason: &'static str,
    missing: String,
    has_task: bool,
}

impl MemberRow {
    /// The card of a member; the category that is the reason is not repeated beside it.
    fn of(report: &CoverageReport, m: &MemberCoverage, open_tasks: &HashSet<i64>) -> Self {
        let reason = m.reason().map(Reason::label).unwrap_or("");
        Self {
            id: m.member.id,
            name: m.member.name.clone(),
            unit_name: m.member.unit_name.clone(),
            categories: m.member.categories.labels().into_iter().filter(|c| *c != reason).collect(),
            phone: masked_phone(m.member.phone.as_deref()),
            sessions: m.progress.sessions,
            hours: hours_text(m.progress.minutes),
            topics: report
                .rule
                .compulsory_topics
                .iter()
                .map(|t| (report.topic_name(*t), m.progress.topics.binary_search(t).is_ok()))
                .collect(),
            covered: m.covered,
            reason,
            missing: report.missing(m),
            has_task: open_tasks.contains(&m.member.id),
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
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    user.require_admin()?;
    let unit = org_store::unit_in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let campaign = match current_campaign(&state, &user).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let report = compute(&state.db, &campaign, &format!("{}%", unit.path)).await?;
    let children = children_of(&state, unit.id, &unit.path).await?;
    let rates = if children.is_empty() {
        Vec::new()
    } else {
        report.by_unit((unit.id, &unit.name, &unit.path), &children)
    };
    let open: HashSet<i64> = deliveries::open_member_ids(&state.db, campaign.id).await?.into_iter().collect();
    let show = match q.show.as_str() {
        "uncovered" | "covered" => q.show.clone(),
        _ => String::new(),
    };
    let selected: Vec<&MemberCoverage> = report
        .members
        .iter()
        .filter(|m| match show.as_str() {
            "uncovered" => !m.covered,
            "covered" => m.covered,
            _ => true,
        })
        .collect();
    let shown_total = selected.len();
    let members = selected.into_iter().take(LIST_LIMIT).map(|m| MemberRow::of(&report, m, &open)).collect();
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
        rule: report.rule.describe(),
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        parent_link,
        totals: Totals::of(&report),
        rows: rate_rows(rates, by_rate),
        by_rate,
        rates_title: "下级单位覆盖率".to_owned(),
        members,
        shown_total,
        show,
        campaign,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct UncoveredQuery {
    #[serde(default)]
    reason: String,
    unit: Option<i64>,
}

#[derive(Template)]
#[template(path = "coverage/uncovered.html")]
struct UncoveredPage {
    shell: Shell,
    campaign: Campaign,
    reason: String,
    unit: i64,
    reasons: Vec<(&'static str, &'static str, usize)>,
    units: Vec<(i64, String)>,
    members: Vec<MemberRow>,
    shown_total: usize,
    all_uncovered: usize,
    assignees: Vec<(i64, String)>,
    materials: Vec<(i64, String, &'static str)>,
    due_on: String,
    today: String,
}

/// Lecturer and volunteer accounts inside a scope: who may be sent on visits.
async fn assignees_in_scope(state: &AppState, scope: &str) -> AppResult<Vec<(i64, String, String)>> {
    let rows: Vec<(i64, String, String)> = crate::on_db!(&state.db, pool => {
        sqlx::query_as(
            "SELECT us.id, us.name, us.role FROM users us JOIN units un ON un.id = us.unit_id \
             WHERE un.path LIKE $1 AND us.active = TRUE AND us.role IN ('lecturer', 'volunteer') \
             ORDER BY us.role, us.name, us.id",
        )
        .bind(scope)
        .fetch_all(pool)
        .await?
    });
    Ok(rows)
}

/// `GET /coverage/uncovered`: members not yet covered, with the reason, filterable, each with a
/// check box for the one action below: create door-to-door tasks.
pub(super) async fn uncovered(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UncoveredQuery>,
) -> AppResult<Response> {
    user.require_admin()?;
    let campaign = match current_campaign(&state, &user).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let units = org_store::active_units_in_scope(&state.db, &user.scope()).await?;
    let scope = q
        .unit
        .and_then(|id| units.iter().find(|u| u.id == id))
        .map(|u| format!("{}%", u.path))
        .unwrap_or_else(|| user.scope());
    let report = compute(&state.db, &campaign, &scope).await?;
    let reason = Reason::from_code(&q.reason);
    let uncovered: Vec<&MemberCoverage> = report.members.iter().filter(|m| !m.covered).collect();
    let reasons = Reason::ALL
        .iter()
        .map(|r| {
            let n = uncovered.iter().filter(|m| m.reason() == Some(*r)).count();
            (r.code(), r.label(), n)
        })
        .collect();
    let selected: Vec<&&MemberCoverage> =
        uncovered.iter().filter(|m| reason.is_none() || m.reason() == reason).collect();
    let open: HashSet<i64> = deliveries::open_member_ids(&state.db, campaign.id).await?.into_iter().collect();
    let today = crate::time::today();
    let page = UncoveredPage {
        shell: Shell::new(&user, "未覆盖党员", "coverage"),
        reason: reason.map(Reason::code).unwrap_or("").to_owned(),
        unit: q.unit.unwrap_or(0),
        reasons,
        units: units.iter().map(|u| (u.id, u.indented_name())).collect(),
        shown_total: selected.len(),
        all_uncovered: uncovered.len(),
        members: selected.into_iter().take(LIST_LIMIT).map(|m| MemberRow::of(&report, m, &open)).collect(),
        assignees: assignees_in_scope(&state, &user.scope())
            .await?
            .into_iter()
            .map(|(id, name, role)| {
                let role = crate::accounts::Role::from_code(&role).map(|r| r.label()).unwrap_or("");
                (id, format!("{name}（{role}）"))
            })
            .collect(),
        materials: deliveries::materials(&state.db)
            .await?
            .into_iter()
            .filter(|m| m.active)
            .map(|m| {
                let kind = crate::campaign::delivery::MaterialKind::label_of(&m.kind);
                (m.id, m.name, kind)
            })
            .collect(),
        due_on: (today + Duration::days(7)).to_string(),
        today: today.to_string(),
        campaign,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /coverage/deliveries`: door-to-door tasks for the ticked members. Idempotent: a member
/// with an open task gets no second one, and the answer says so.
pub(super) async fn create_deliveries(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    user.require_admin()?;
    let campaign = campaigns::current(&state.db)
        .await?
        .ok_or_else(|| AppError::BadRequest("尚未设置当前冬训，不能派送学任务".into()))?;
    let values = |name: &str| -> Vec<&str> {
        pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).collect()
    };
    let mut member_ids = Vec::new();
    for v in values("member_id") {
        let id: i64 =
            v.parse().map_err(|_| AppError::BadRequest("勾选的党员有误，请刷新页面后重试".into()))?;
        if !member_ids.contains(&id) {
            member_ids.push(id);
        }
    }
    if member_ids.is_empty() {
        return Err(AppError::BadRequest("请至少勾选一名党员".into()));
    }
    let assignee_id: i64 = values("assignee").first().and_then(|v| v.parse().ok()).unwrap_or(0);
    let assignees = assignees_in_scope(&state, &user.scope()).await?;
    let Some((_, assignee_name, _)) = assignees.iter().find(|(id, _, _)| *id == assignee_id) else {
        return Err(AppError::BadRequest("请选择送学人员（本辖区的宣讲员或志愿者）".into()));
    };
    let due_on = values("due_on")
        .first()
        .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        .ok_or_else(|| AppError::BadRequest("请填写截止日期".into()))?;
    if due_on < crate::time::today() {
        return Err(AppError::BadRequest("截止日期不能早于今天".into()));
    }
    let catalogue = deliveries::materials(&state.db).await?;
    let mut material_names = Vec::new();
    for v in values("material") {
        let found = v.parse::<i64>().ok().and_then(|id| catalogue.iter().find(|m| m.id == id && m.active));
        match found {
            Some(m) if !material_names.contains(&m.name) => material_names.push(m.name.clone()),
            Some(_) => {}
            None => return Err(AppError::BadRequest("所选学习材料不存在或已停用".into())),
        }
    }
    let members = audience::members_by_ids(&state.db, &campaign, &user.scope(), &member_ids).await?;
    if members.len() != member_ids.len() {
        // Outside the viewer's subtree, or not in the audience: not theirs to assign.
        return Err(AppError::NotFound);
    }
    let progress = super::progress_of(&state.db, &campaign, &member_ids).await?;
    let rule = campaigns::completion_rule(&state.db, &campaign).await?;
    let mut tasks = Vec::new();
    let mut already_covered = 0;
    for m in &members {
        let p = progress.get(&m.id).cloned().unwrap_or_default();
        if rule.is_met(&p) {
            already_covered += 1;
            continue;
        }
        tasks.push(NewTask {
            member_id: m.id,
            reason: Reason::for_member(m.categories, &p).label().to_owned(),
        });
    }
    let outcome = deliveries::create_tasks(
        &state.db,
        campaign.id,
        &tasks,
        assignee_id,
        due_on,
        &deliveries::names_to_json(&material_names),
        user.user_id,
    )
    .await?;
    let mut parts = Vec::new();
    if !outcome.created.is_empty() {
        parts.push(format!(
            "已为{}名党员派送学任务（{}，{}前完成）",
            outcome.created.len(),
            assignee_name,
            due_on.format("%m月%d日")
        ));
    }
    if !outcome.already_open.is_empty() {
        parts.push(format!("{}人已有未完成的送学任务，未重复创建", outcome.already_open.len()));
    }
    if already_covered > 0 {
        parts.push(format!("{already_covered}人已完成学习，无需送学"));
    }
    Ok(redirect_with_flash("/coverage/uncovered", &parts.join("；")))
}

/// `GET /coverage/export.xlsx`: the viewer's coverage as a workbook; audited.
pub(super) async fn export(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require_admin()?;
    let campaign = campaigns::current(&state.db)
        .await?
        .ok_or_else(|| AppError::BadRequest("尚未设置当前冬训".into()))?;
    let report = compute(&state.db, &campaign, &user.scope()).await?;
    let children = children_of(&state, user.unit_id, &user.unit_path).await?;
    let rates = report.by_unit((user.unit_id, &user.unit_name, &user.unit_path), &children);
    let title = format!("{}覆盖情况（{}）", campaign.name, user.unit_name);
    let count = report.members.len();
    let bytes = {
        let title = title.clone();
        tokio::task::spawn_blocking(move || super::coverage_xlsx(&title, &report, &rates))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::Internal(e.into()))?
    };
    audit::record(
        &state.db,
        &Actor::user(&user),
        Action::Export,
        "冬训覆盖率",
        &format!("{}：{count}人", campaign.name),
        true,
    )
    .await?;
    let disposition = format!(
        "attachment; filename=\"coverage.xlsx\"; filename*=UTF-8''{}",
        crate::web::error::urlencode(&format!("{title}.xlsx")).replace('+', "%20")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
