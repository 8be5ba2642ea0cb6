//! `/awards/{id}`: one month's awards — the list by unit (ties at the Nth place said so), and
//! while a draft, the committee adds (any member, with a reason), removes and publishes.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::audit::Actor;
use crate::auth::{AdminUser, CommitteeUser, CurrentUser, Role};
use crate::awards::model::RoundStatus;
use crate::awards::publish::{self, Published};
use crate::awards::store::{self, Awardee, Round};
use crate::org::Scope;
use crate::people::model::MemberStatus;
use crate::people::store::{self as member_store, MemberQuery};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// Adding a member by hand.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(in crate::awards) struct AddInput {
    member: String,
    reason: String,
}

labels! {
    AddInput { member: "党员姓名或手机号", reason: "评选理由" }
}

/// A unit's awardees.
struct UnitGroup {
    id: i64,
    name: String,
    awardees: Vec<Awardee>,
}

#[derive(Template)]
#[template(path = "awards/round.html")]
struct RoundPage {
    shell: Shell,
    id: i64,
    month: String,
    status: &'static str,
    published: bool,
    can_edit: bool,
    criteria: String,
    points_per_hour: i64,
    issuer: String,
    units: Vec<UnitGroup>,
    ties: Vec<String>,
    add: AddInput,
    add_errors: FieldErrors,
}

/// The round if the user may see it: the committee any, other staff published ones only.
async fn visible(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Round> {
    let round = store::round(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if round.status == RoundStatus::Draft && user.role != Role::CommitteeAdmin {
        return Err(AppError::NotFound);
    }
    Ok(round)
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    round: Round,
    add: Option<(AddInput, FieldErrors)>,
) -> AppResult<String> {
    let month = round.month();
    let awardees = store::awardees(&state.db, round.id, &user.scope()).await?;
    let mut units: Vec<UnitGroup> = Vec::new();
    for a in awardees {
        match units.last_mut() {
            Some(group) if group.id == a.unit_id => group.awardees.push(a),
            _ => units.push(UnitGroup { id: a.unit_id, name: a.unit_name.clone(), awardees: vec![a] }),
        }
    }
    let ties = units
        .iter()
        .filter_map(|u| {
            let proposed = u.awardees.iter().filter(|a| a.proposed).count() as i64;
            (proposed > round.top_n).then(|| {
                format!(
                    "{}：第{}名有并列，按规则全部推荐，共{proposed}人（名额{}人）",
                    u.name, round.top_n, round.top_n
                )
            })
        })
        .collect();
    let (add, add_errors) = add.unwrap_or_default();
    let published = round.status == RoundStatus::Published;
    let page = RoundPage {
        shell: Shell::new(user, format!("{}评优", month.label()), "home"),
        id: round.id,
        month: month.label(),
        status: round.status.label(),
        published,
        can_edit: !published && user.role == Role::CommitteeAdmin,
        criteria: format!(
            "每单位积分前{}名（并列者都入选），当月至少参加学习{}次、志愿服务{}小时",
            round.top_n, round.min_sessions, round.min_volunteer_hours
        ),
        points_per_hour: crate::awards::volunteer_points_per_hour(&state.db, month.last_day()).await?,
        issuer: round.issuer,
        units,
        ties,
        add,
        add_errors,
    };
    Ok(page.render()?)
}

/// `GET /awards/{id}`.
pub(in crate::awards) async fn page(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let round = visible(&state, &user, id).await?;
    Ok(Html(render(&state, &user, round, None).await?))
}

const FIXED: &str = "这个月的评优已经发布，名单不能再修改；如需更正，请在积分记录中冲正并说明原因";

/// A draft round of the committee's, or why not.
async fn draft(state: &AppState, id: i64) -> AppResult<Round> {
    let round = store::round(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if round.status == RoundStatus::Published {
        return Err(AppError::Conflict(FIXED.into()));
    }
    Ok(round)
}

/// `POST /awards/{id}/add`: adds any member, with the committee's reason, audited.
pub(in crate::awards) async fn add(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
    Form(input): Form<AddInput>,
) -> AppResult<Response> {
    let round = draft(&state, id).await?;
    let mut errors = FieldErrors::default();
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 100 {
        errors.add("reason", "请填写评选理由（100字以内）");
    }
    let text = crate::people::model::normalize_text(&input.member);
    let query = MemberQuery {
        text: text.clone(),
        status: Some(MemberStatus::Active),
        ..MemberQuery::inside(Scope::whole_tree())
    };
    let (found, total) = member_store::search(&state.db, &query, 2, 0).await?;
    let exact: Vec<_> =
        found.iter().filter(|m| m.name == text || m.phone.as_deref() == Some(text.as_str())).collect();
    let member_id = match (total, exact.as_slice()) {
        _ if text.is_empty() => {
            errors.add("member", "请填写党员姓名或手机号");
            None
        }
        (_, [one]) => Some(one.id),
        (1, _) => Some(found[0].id),
        (0, _) => {
            errors.add("member", format!("没有找到党员“{text}”"));
            None
        }
        _ => {
            errors.add("member", format!("找到{total}名党员，请输入手机号以区分"));
            None
        }
    };
    let (Some(member_id), true) = (member_id, errors.is_empty()) else {
        let html = render(&state, &user, round, Some((input, errors))).await?;
        return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
    };
    let candidate = store::candidates(&state.db, round.campaign_id, round.month(), member_id)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let added = store::add(&mut tx, &round, &candidate, &reason, &Actor::user(&user)).await?;
    tx.commit().await?;
    let message = if added {
        format!("已加入{}", candidate.name)
    } else {
        format!("{}已在名单上", candidate.name)
    };
    Ok(redirect_with_flash(&format!("/awards/{id}"), &message))
}

/// `POST /awards/{id}/members/{member_id}/remove`, audited.
pub(in crate::awards) async fn remove(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path((id, member_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let round = draft(&state, id).await?;
    let mut tx = state.db.begin().await?;
    let removed = store::remove(&mut tx, &round, member_id, &Actor::user(&user)).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/awards/{id}"),
        if removed { "已移出名单" } else { "名单上没有这名党员" },
    ))
}

/// `POST /awards/{id}/publish`: fixes the round and adds each awardee's points, in one
/// transaction; publishing again changes nothing.
pub(in crate::awards) async fn publish(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let round = store::round(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let outcome = publish::publish(&mut tx, &round, crate::time::today(), &Actor::user(&user)).await?;
    let message = match outcome {
        Ok(Published::Done { awardees, points }) => {
            tx.commit().await?;
            format!("已发布：{awardees}人获评，共加{points}分；获奖党员可在「我的」下载奖状")
        }
        Ok(Published::Already) => "这个月的评优已经发布过，没有重复加分".to_owned(),
        Err(refused) => return Err(AppError::Conflict(refused.to_string())),
    };
    Ok(redirect_with_flash(&format!("/awards/{id}"), &message))
}
