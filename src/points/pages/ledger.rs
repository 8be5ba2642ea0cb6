//! Staff and a member's ledger (`/points/members/{id}`): find a member of the subtree, read
//! their ledger, correct an entry (a compensating entry with a reason, audited) and record
//! offline points one at a time (无智能手机 members; reason required, audited). A member of
//! another village is not found.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::people::model::Phone;
use crate::people::store::{self as people_store, Member, MemberQuery};
use crate::points::ledger::{self, Line, Progress};
use crate::points::model::PointKind;
use crate::points::offline::{self, Window, input::OfflineInput};
use crate::points::store::{self, Awarded};
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// The search box.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(in crate::points) struct Search {
    q: String,
}

/// A correction as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(in crate::points) struct CorrectionInput {
    points: String,
    reason: String,
}

labels! {
    Search { q: "姓名或手机号" }
    CorrectionInput { points: "更正分数", reason: "更正原因" }
}

#[derive(Template)]
#[template(path = "points/members.html")]
struct SearchPage {
    shell: Shell,
    q: String,
    found: Vec<(i64, String, String, String)>,
    total: i64,
}

/// Finds members of the subtree by name, pinyin initials or phone (prefix or last four).
pub(in crate::points) async fn search(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Query(search): Query<Search>,
) -> AppResult<Html<String>> {
    let q = search.q.trim().to_owned();
    let (found, total) = if q.is_empty() {
        (Vec::new(), 0)
    } else {
        let query = MemberQuery {
            text: crate::people::text::normalize_text(&q),
            ..MemberQuery::inside(user.scope())
        };
        people_store::search(&state.db, &query, 30, 0).await?
    };
    let found = found.into_iter().map(|m| (m.id, m.name.clone(), m.unit_name.clone(), masked(&m))).collect();
    let page = SearchPage { shell: Shell::new(&user, "积分管理", "members"), q, found, total };
    Ok(Html(page.render()?))
}

fn masked(m: &Member) -> String {
    m.phone.as_deref().and_then(|p| Phone::parse(p).ok()).map(|p| p.masked()).unwrap_or_default()
}

/// Which form on the page was refused, with what was typed.
enum Refused {
    None,
    Offline(OfflineInput, FieldErrors),
    Correction(i64, CorrectionInput, FieldErrors),
}

#[derive(Template)]
#[template(path = "points/member.html")]
struct MemberPage {
    shell: Shell,
    member: Member,
    total: i64,
    count: i64,
    today: Vec<Progress>,
    lines: Vec<Line>,
    offline: OfflineInput,
    offline_errors: FieldErrors,
    /// The entry whose correction was refused, what was typed, and why.
    correction: (i64, CorrectionInput, FieldErrors),
    campaign: Option<(String, String)>,
}

async fn member_in_scope(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Member> {
    people_store::by_id_in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)
}

async fn member_page(
    state: &AppState,
    user: &CurrentUser,
    member: Member,
    refused: Refused,
) -> AppResult<String> {
    let today = crate::time::today();
    let (total, count) = ledger::summary(&state.db, member.id).await?;
    let campaign = window(state).await?.map(|w| (w.from.to_string(), w.until.to_string()));
    let (offline, offline_errors) = match &refused {
        Refused::Offline(input, errors) => (input.clone(), errors.clone()),
        _ => (OfflineInput { day: today.to_string(), ..OfflineInput::default() }, FieldErrors::default()),
    };
    let correction = match refused {
        Refused::Correction(id, input, errors) => (id, input, errors),
        _ => (0, CorrectionInput::default(), FieldErrors::default()),
    };
    let page = MemberPage {
        shell: Shell::new(user, format!("{}的积分", member.name), "members"),
        today: ledger::today(&state.db, member.id, today).await?,
        lines: ledger::lines(&state.db, member.id, super::mine::SHOWN).await?,
        member,
        total,
        count,
        offline,
        offline_errors,
        correction,
        campaign,
    };
    Ok(page.render()?)
}

/// The days of the current campaign up to today, if there is a current campaign.
async fn window(state: &AppState) -> AppResult<Option<Window>> {
    let campaign = crate::campaign::store::current(&state.db).await?;
    Ok(campaign.map(|c| Window::new(c.id, c.starts_on, c.ends_on, crate::time::today())))
}

/// A member's ledger for staff in scope.
pub(in crate::points) async fn show(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let member = member_in_scope(&state, &user, id).await?;
    Ok(Html(member_page(&state, &user, member, Refused::None).await?))
}

async fn refuse(
    state: &AppState,
    user: &CurrentUser,
    member: Member,
    refused: Refused,
) -> AppResult<Response> {
    Ok((StatusCode::BAD_REQUEST, Html(member_page(state, user, member, refused).await?)).into_response())
}

/// Records offline points for one member of the subtree: checked against the campaign's days and
/// the Offline rule's cap (with what the member already has that day), audited.
pub(in crate::points) async fn record_offline(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(input): Form<OfflineInput>,
) -> AppResult<Response> {
    let member = member_in_scope(&state, &user, id).await?;
    let window = window(&state).await?;
    let rules = store::rules(&state.db).await?;
    let already = match input.day() {
        Some(day) => store::day_totals(&state.db, member.id, day)
            .await?
            .into_iter()
            .find(|(kind, _)| *kind == PointKind::Offline)
            .map_or(0, |(_, total)| total),
        None => 0,
    };
    let (entry, window) = match (input.check(member.id, &rules, window.as_ref(), already), window) {
        (Ok(entry), Some(window)) => (entry, window),
        (Err(errors), _) => return refuse(&state, &user, member, Refused::Offline(input, errors)).await,
        (Ok(_), None) => return Err(AppError::BadRequest("还没有当前的冬训计划".into())),
    };
    let actor = Actor::user(&user);
    let mut tx = state.db.begin().await?;
    let done = offline::record(&mut tx, &entry, Some(user.user_id), window.campaign_id).await?;
    let message = match &done {
        Awarded::Recorded(e) => {
            let detail = format!(
                "{}（{}）{} {} +{} 分：{}",
                member.name, member.unit_name, entry.day, entry.item, e.points, entry.note
            );
            audit::record_in(&mut tx, &actor, Action::Points, "线下积分代录", &detail, true).await?;
            format!("已为{}记线下学习{}分", member.name, e.points)
        }
        Awarded::AlreadyRecorded(_) => "这条记录已登记过，未重复记分".to_owned(),
        Awarded::NoRule => return Err(AppError::BadRequest("该日期没有线下学习的积分规则".into())),
    };
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/points/members/{}", member.id), &message))
}

/// Corrects one entry of the member's: a compensating entry with a reason, audited; the entry's
/// points with its corrections may not go below zero.
pub(in crate::points) async fn correct(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path((id, entry_id)): Path<(i64, i64)>,
    Form(input): Form<CorrectionInput>,
) -> AppResult<Response> {
    let member = member_in_scope(&state, &user, id).await?;
    let (net, _) = ledger::entry_net(&state.db, member.id, entry_id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let points = match input.points.trim().trim_start_matches('+').parse::<i64>() {
        Ok(0) | Err(_) => {
            errors.add("points", "更正分数应为非零整数：扣分写负数（如 -5），补分写正数");
            0
        }
        Ok(points) if net + points < 0 => {
            errors.add("points", format!("更正后这条记录不能为负分：目前为{net}分"));
            points
        }
        Ok(points) => points,
    };
    let reason = input.reason.trim();
    if reason.is_empty() {
        errors.add("reason", "请填写更正原因");
    } else if reason.chars().count() > 100 {
        errors.add("reason", "更正原因不能超过100个字");
    }
    if !errors.is_empty() {
        return refuse(&state, &user, member, Refused::Correction(entry_id, input, errors)).await;
    }
    let mut tx = state.db.begin().await?;
    store::correct(&mut tx, entry_id, points, reason, &Actor::user(&user)).await?;
    tx.commit().await?;
    let message = format!("已更正第{entry_id}号记录：{points:+}分");
    Ok(redirect_with_flash(&format!("/points/members/{}#entry-{entry_id}", member.id), &message))
}
