//! A campaign's page: its rule, topics and exclusions, and (for the committee) its form. Each of
//! its forms, refused, comes back as typed with the problem beside its field.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::{CampaignForm, audience_choices, describe};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CommitteeUser, CurrentUser, Role};
use crate::campaign::input::{ExclusionInput, TopicInput};
use crate::campaign::store::{self as campaigns, Campaign, Topic};
use crate::people::model::MemberStatus;
use crate::people::store::{self as member_store, MemberQuery};
use crate::state::AppState;
use crate::web::extract::{Form, Path};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "campaign/detail.html")]
struct DetailPage {
    shell: Shell,
    campaign: Campaign,
    rule: String,
    topics: Vec<Topic>,
    form: CampaignForm,
    exclusions: Vec<(i64, String, String, String)>,
    can_edit: bool,
    /// The new-topic form as typed, and its problems.
    topic: TopicInput,
    topic_errors: FieldErrors,
    /// The exclusion form as typed, and its problems.
    exclusion: ExclusionInput,
    exclusion_errors: FieldErrors,
}

/// Which of the page's forms was refused, with what was typed.
pub(in crate::campaign) enum Refused {
    Nothing,
    Edit(CampaignForm),
    Topic(TopicInput, FieldErrors),
    Exclusion(ExclusionInput, FieldErrors),
}

pub(in crate::campaign) async fn detail(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    Ok(Html(detail_page(&state, &user, id, Refused::Nothing).await?))
}

/// The page of campaign `id`, with the `refused` form (if any) as typed.
pub(in crate::campaign) async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    refused: Refused,
) -> AppResult<String> {
    let campaign = campaigns::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let topics = campaigns::topics(&state.db, id).await?;
    let mut exclusions = Vec::new();
    for (member_id, reason) in campaigns::exclusions(&state.db, id).await? {
        // Only members inside the viewer's subtree are listed.
        if let Some(m) = member_store::by_id_in_scope(&state.db, member_id, &user.scope()).await? {
            exclusions.push((m.id, m.name, m.unit_name, reason));
        }
    }
    let mut form = None;
    let (mut topic, mut topic_errors) = (TopicInput::default(), FieldErrors::default());
    let (mut exclusion, mut exclusion_errors) = (ExclusionInput::default(), FieldErrors::default());
    match refused {
        Refused::Nothing => {}
        Refused::Edit(typed) => form = Some(typed),
        Refused::Topic(typed, errors) => (topic, topic_errors) = (typed, errors),
        Refused::Exclusion(typed, errors) => (exclusion, exclusion_errors) = (typed, errors),
    }
    let form = match form {
        Some(form) => form,
        None => {
            let chosen: Vec<i64> =
                campaigns::audience_units(&state.db, id).await?.into_iter().map(|(id, _)| id).collect();
            CampaignForm::filled(&campaign, audience_choices(state).await?, &chosen)
        }
    };
    let page = DetailPage {
        shell: Shell::new(user, campaign.name.clone(), "campaigns"),
        rule: describe(&campaign, &topics),
        topics,
        form,
        exclusions,
        can_edit: user.role == Role::CommitteeAdmin,
        campaign,
        topic,
        topic_errors,
        exclusion,
        exclusion_errors,
    };
    Ok(page.render()?)
}

/// The page again with a refused form, as a 400.
async fn refuse(state: &AppState, user: &CurrentUser, id: i64, refused: Refused) -> AppResult<Response> {
    Ok((StatusCode::BAD_REQUEST, Html(detail_page(state, user, id, refused).await?)).into_response())
}

pub(in crate::campaign) async fn add_topic(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
    Form(input): Form<TopicInput>,
) -> AppResult<Response> {
    let campaign = campaigns::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let name = input.name.trim().to_owned();
    if !(2..=40).contains(&name.chars().count()) {
        let mut errors = FieldErrors::default();
        errors.add("name", "专题名称应为2到40个字");
        return refuse(&state, &user, id, Refused::Topic(input, errors)).await;
    }
    let compulsory = input.compulsory == "on";
    let mut tx = state.db.begin().await?;
    campaigns::add_topic(&mut tx, id, &name, compulsory).await?;
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::CampaignEdit,
        &campaign.name,
        &format!("新增专题：{name}"),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/campaigns/{id}"), "专题已添加"))
}

/// Excludes one member found by name or phone inside the admin's subtree (e.g. long-term sick).
pub(in crate::campaign) async fn exclude(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(input): Form<ExclusionInput>,
) -> AppResult<Response> {
    let campaign = campaigns::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 100 {
        errors.add("reason", "请填写不参训的原因（100字以内）");
    }
    let text = crate::people::model::normalize_text(&input.member);
    let query = MemberQuery {
        text: text.clone(),
        status: Some(MemberStatus::Active),
        ..MemberQuery::inside(user.scope())
    };
    let (found, total) = member_store::search(&state.db, &query, 2, 0).await?;
    let exact: Vec<_> =
        found.iter().filter(|m| m.name == text || m.phone.as_deref() == Some(text.as_str())).collect();
    let member = match (total, exact.as_slice()) {
        (_, [one]) => Some(*one),
        (1, _) => Some(&found[0]),
        (0, _) => {
            errors.add("member", format!("没有找到党员“{text}”"));
            None
        }
        _ => {
            errors.add("member", format!("找到{total}名党员，请输入手机号以区分"));
            None
        }
    };
    let (Some(member), true) = (member, errors.is_empty()) else {
        return refuse(&state, &user, id, Refused::Exclusion(input, errors)).await;
    };
    let mut tx = state.db.begin().await?;
    campaigns::exclude(&mut tx, id, member.id, &reason).await?;
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::CampaignEdit,
        &campaign.name,
        &format!("{}不参训：{reason}", member.name),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/campaigns/{id}"), &format!("{}已列为不参训", member.name)))
}

pub(in crate::campaign) async fn include(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path((id, member_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let campaign = campaigns::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let member =
        member_store::by_id_in_scope(&state.db, member_id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    campaigns::include(&mut tx, id, member.id).await?;
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::CampaignEdit,
        &campaign.name,
        &format!("{}恢复参训", member.name),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/campaigns/{id}"), &format!("{}已恢复参训", member.name)))
}
