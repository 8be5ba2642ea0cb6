//! Campaigns (S2): dates, audience (units and categories, with exclusions), completion rule,
//! topics; one is current. The committee edits; station admins read.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};

use super::input::{CampaignInput, ExclusionInput, TopicInput, read_fields};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CommitteeUser, Role};
use crate::campaign::model::{CompletionRule, hours_text};
use crate::campaign::store::{self as campaigns, Campaign, CampaignFields, Topic};
use crate::org::Scope;
use crate::org::store as org_store;
use crate::people::model::{MemberCategories, MemberStatus};
use crate::people::store::{self as member_store, MemberQuery};
use crate::state::AppState;
use crate::web::extract::{Form, Path};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// A campaign as listed.
struct CampaignRow {
    id: i64,
    name: String,
    dates: String,
    rule: String,
    is_current: bool,
}

#[derive(Template)]
#[template(path = "campaign/list.html")]
struct ListPage {
    shell: Shell,
    campaigns: Vec<CampaignRow>,
    can_edit: bool,
    form: CampaignForm,
}

/// The campaign form as `campaign/_campaign_form.html` shows it, blank on the list page and
/// filled in on a campaign's page, so creating and editing ask exactly the same questions.
struct CampaignForm {
    /// Creating (the list page) rather than editing: only the button differs.
    is_new: bool,
    action: String,
    name: String,
    starts_on: String,
    ends_on: String,
    required_sessions: String,
    required_hours: String,
    /// (unit id, indented name, ticked).
    units: Vec<(i64, String, bool)>,
    /// (category bit, label, ticked).
    categories: Vec<(u32, &'static str, bool)>,
}

impl CampaignForm {
    /// A new campaign: the usual rule (4 sessions or 12 hours) over the first unit listed (the
    /// hub), so the committee's common case is one tap away.
    fn blank(units: Vec<(i64, String)>) -> Self {
        CampaignForm {
            is_new: true,
            action: "/campaigns".into(),
            name: String::new(),
            starts_on: String::new(),
            ends_on: String::new(),
            required_sessions: "4".into(),
            required_hours: "12".into(),
            units: units.into_iter().enumerate().map(|(i, (id, name))| (id, name, i == 0)).collect(),
            categories: category_choices().into_iter().map(|(bit, label)| (bit, label, false)).collect(),
        }
    }

    /// An existing campaign with its audience units `chosen`.
    fn filled(campaign: &Campaign, units: Vec<(i64, String)>, chosen: &[i64]) -> Self {
        let bits = campaign.audience_categories as u32;
        CampaignForm {
            is_new: false,
            action: format!("/campaigns/{}", campaign.id),
            name: campaign.name.clone(),
            starts_on: campaign.starts_on.to_string(),
            ends_on: campaign.ends_on.to_string(),
            required_sessions: campaign.required_sessions.to_string(),
            // Empty rather than "0": no hours rule, as the committee left it.
            required_hours: if campaign.required_minutes > 0 {
                hours_text(campaign.required_minutes)
            } else {
                String::new()
            },
            units: units.into_iter().map(|(id, name)| (id, name, chosen.contains(&id))).collect(),
            categories: category_choices()
                .into_iter()
                .map(|(bit, label)| (bit, label, bits & bit != 0))
                .collect(),
        }
    }
}

fn describe(c: &Campaign, topics: &[Topic]) -> String {
    CompletionRule {
        required_sessions: c.required_sessions,
        required_minutes: c.required_minutes,
        compulsory_topics: topics.iter().filter(|t| t.compulsory).map(|t| t.id).collect(),
    }
    .describe()
}

/// Units a campaign's audience can be made of: the hub and the stations.
async fn audience_choices(state: &AppState) -> AppResult<Vec<(i64, String)>> {
    let units = org_store::active_units_in_scope(&state.db, &Scope::whole_tree()).await?;
    Ok(units.into_iter().filter(|u| u.depth() <= 1).map(|u| (u.id, u.indented_name())).collect())
}

fn category_choices() -> Vec<(u32, &'static str)> {
    MemberCategories::ALL.iter().map(|(c, l)| (c.bits(), *l)).collect()
}

pub(super) async fn list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let mut rows = Vec::new();
    for c in campaigns::list(&state.db).await? {
        let topics = campaigns::topics(&state.db, c.id).await?;
        rows.push(CampaignRow {
            id: c.id,
            dates: format!("{} 至 {}", c.starts_on, c.ends_on),
            rule: describe(&c, &topics),
            is_current: c.is_current,
            name: c.name,
        });
    }
    let page = ListPage {
        shell: Shell::new(&user, "冬训计划", "campaigns"),
        campaigns: rows,
        can_edit: user.role == Role::CommitteeAdmin,
        form: CampaignForm::blank(audience_choices(&state).await?),
    };
    Ok(Html(page.render()?))
}

/// Checks that every audience unit is a real unit (ids come from the browser).
async fn check_units(state: &AppState, f: &CampaignFields) -> AppResult<()> {
    for id in &f.unit_ids {
        org_store::unit_in_scope(&state.db, *id, &Scope::whole_tree())
            .await?
            .ok_or_else(|| AppError::BadRequest("参训单位不存在".into()))?;
    }
    Ok(())
}

pub(super) async fn create(
    State(state): State<AppState>,
    user: CommitteeUser,
    Form(input): Form<CampaignInput>,
) -> AppResult<Response> {
    save(&state, &user, None, &input).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    user: CommitteeUser,
    Path(id): Path<i64>,
    Form(input): Form<CampaignInput>,
) -> AppResult<Response> {
    save(&state, &user, Some(id), &input).await
}

/// The body of `create` (`id` None) and `update`: the committee only; an unknown campaign is
/// not found before the form is even read; bad fields change nothing; the save is audited.
async fn save(
    state: &AppState,
    user: &CommitteeUser,
    id: Option<i64>,
    input: &CampaignInput,
) -> AppResult<Response> {
    if let Some(id) = id {
        campaigns::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    }
    let fields = read_fields(input)?;
    check_units(state, &fields).await?;
    let mut tx = state.db.begin().await?;
    let (id, detail, flash) = match id {
        None => (campaigns::insert(&mut tx, &fields).await?, "新建冬训计划", "冬训计划已创建"),
        Some(id) => {
            campaigns::update(&mut tx, id, &fields).await?;
            (id, "修改冬训计划", "已保存")
        }
    };
    audit::record_in(&mut tx, &Actor::user(user), Action::CampaignEdit, &fields.name, detail, true).await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/campaigns/{id}"), flash))
}

pub(super) async fn make_current(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let campaign = campaigns::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    campaigns::make_current(&mut tx, id).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::CampaignEdit, &campaign.name, "设为当前", true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/campaigns/{id}"), "已设为当前冬训"))
}

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
}

pub(super) async fn detail(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let campaign = campaigns::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let topics = campaigns::topics(&state.db, id).await?;
    let chosen: Vec<i64> =
        campaigns::audience_units(&state.db, id).await?.into_iter().map(|(id, _)| id).collect();
    let form = CampaignForm::filled(&campaign, audience_choices(&state).await?, &chosen);
    let mut exclusions = Vec::new();
    for (member_id, reason) in campaigns::exclusions(&state.db, id).await? {
        // Only members inside the viewer's subtree are listed.
        if let Some(m) = member_store::by_id_in_scope(&state.db, member_id, &user.scope()).await? {
            exclusions.push((m.id, m.name, m.unit_name, reason));
        }
    }
    let page = DetailPage {
        shell: Shell::new(&user, campaign.name.clone(), "campaigns"),
        rule: describe(&campaign, &topics),
        topics,
        form,
        exclusions,
        can_edit: user.role == Role::CommitteeAdmin,
        campaign,
    };
    Ok(Html(page.render()?))
}

pub(super) async fn add_topic(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
    Form(input): Form<TopicInput>,
) -> AppResult<Response> {
    let campaign = campaigns::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let name = input.name.trim();
    if !(2..=40).contains(&name.chars().count()) {
        return Err(AppError::BadRequest("专题名称应为2到40个字".into()));
    }
    let compulsory = input.compulsory == "on";
    let mut tx = state.db.begin().await?;
    campaigns::add_topic(&mut tx, id, name, compulsory).await?;
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
pub(super) async fn exclude(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(input): Form<ExclusionInput>,
) -> AppResult<Response> {
    let campaign = campaigns::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 100 {
        return Err(AppError::BadRequest("请填写不参训的原因（100字以内）".into()));
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
        (_, [one]) => *one,
        (1, _) => &found[0],
        (0, _) => return Err(AppError::BadRequest(format!("没有找到党员“{text}”"))),
        _ => {
            return Err(AppError::BadRequest(format!("找到{total}名党员，请输入手机号以区分")));
        }
    };
    let mut tx = state.db.begin().await?;
    campaigns::exclude(&mut tx, id, member.id, reason).await?;
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

pub(super) async fn include(
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
