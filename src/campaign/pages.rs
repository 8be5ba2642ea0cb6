//! Campaigns (S2): dates, audience (units and categories, with exclusions), completion rule,
//! topics; one is current. The committee edits; station admins read. A refused form comes back
//! as typed, each problem beside its field.

mod detail;

pub(super) use detail::{add_topic, detail, exclude, include};

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::input::{CampaignInput, read_fields};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CommitteeUser, CurrentUser, Role};
use crate::campaign::model::{CompletionRule, VisitCredit, hours_text};
use crate::campaign::store::{self as campaigns, Campaign, Topic};
use crate::org::Scope;
use crate::org::store as org_store;
use crate::people::model::MemberCategories;
use crate::state::AppState;
use crate::web::extract::{Form, Path};
use crate::web::form::FieldErrors;
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

impl ListPage {
    /// The new-campaign form is open when there is none yet, or it was refused.
    fn form_open(&self) -> bool {
        self.campaigns.is_empty() || !self.form.errors.is_empty()
    }
}

/// The campaign form as `campaign/_campaign_form.html` shows it, blank on the list page and
/// filled in on a campaign's page, so creating and editing ask exactly the same questions.
pub(super) struct CampaignForm {
    /// Creating (the list page) rather than editing: only the button differs.
    is_new: bool,
    action: String,
    name: String,
    starts_on: String,
    ends_on: String,
    required_sessions: String,
    required_hours: String,
    /// What a door-to-door visit counts for: (code, label, chosen).
    visit_credits: Vec<(&'static str, &'static str, bool)>,
    /// (unit id, indented name, ticked).
    units: Vec<(i64, String, bool)>,
    /// (category bit, label, ticked).
    categories: Vec<(u32, &'static str, bool)>,
    /// The problems with what was typed, each beside its field.
    errors: FieldErrors,
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
            visit_credits: visit_credit_choices(Some(VisitCredit::Complete)),
            units: units.into_iter().enumerate().map(|(i, (id, name))| (id, name, i == 0)).collect(),
            categories: category_choices().into_iter().map(|(bit, label)| (bit, label, false)).collect(),
            errors: FieldErrors::default(),
        }
    }

    /// The form as it was sent (`id` None: creating), with its `errors`.
    fn typed(input: &CampaignInput, id: Option<i64>, units: Vec<(i64, String)>, errors: FieldErrors) -> Self {
        let [name, starts_on, ends_on, required_sessions, required_hours] = input.typed().map(str::to_owned);
        let bits = input.category_bits();
        CampaignForm {
            is_new: id.is_none(),
            action: id.map_or("/campaigns".into(), |id| format!("/campaigns/{id}")),
            name,
            starts_on,
            ends_on,
            required_sessions,
            required_hours,
            visit_credits: visit_credit_choices(input.visit_credit()),
            units: units.into_iter().map(|(id, name)| (id, name, input.units().contains(&id))).collect(),
            categories: category_choices()
                .into_iter()
                .map(|(bit, label)| (bit, label, bits & bit != 0))
                .collect(),
            errors,
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
            visit_credits: visit_credit_choices(Some(campaign.visit_credit)),
            units: units.into_iter().map(|(id, name)| (id, name, chosen.contains(&id))).collect(),
            categories: category_choices()
                .into_iter()
                .map(|(bit, label)| (bit, label, bits & bit != 0))
                .collect(),
            errors: FieldErrors::default(),
        }
    }
}

fn describe(c: &Campaign, topics: &[Topic]) -> String {
    CompletionRule {
        required_sessions: c.required_sessions,
        required_minutes: c.required_minutes,
        compulsory_topics: topics.iter().filter(|t| t.compulsory).map(|t| t.id).collect(),
        visit_credit: c.visit_credit,
    }
    .describe()
}

/// Units a campaign's audience can be made of: the hub and the stations.
async fn audience_choices(state: &AppState) -> AppResult<Vec<(i64, String)>> {
    let units = org_store::active_units_in_scope(&state.db, &Scope::whole_tree()).await?;
    Ok(units.into_iter().filter(|u| u.depth() <= 1).map(|u| (u.id, u.indented_name())).collect())
}

fn visit_credit_choices(chosen: Option<VisitCredit>) -> Vec<(&'static str, &'static str, bool)> {
    VisitCredit::ALL.iter().map(|v| (v.code(), v.label(), Some(*v) == chosen)).collect()
}

fn category_choices() -> Vec<(u32, &'static str)> {
    MemberCategories::ALL.iter().map(|(c, l)| (c.bits(), *l)).collect()
}

pub(super) async fn list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let form = CampaignForm::blank(audience_choices(&state).await?);
    Ok(Html(list_page(&state, &user, form).await?))
}

/// The list of campaigns with the new-campaign form (`form`, blank or as refused).
async fn list_page(state: &AppState, user: &CurrentUser, form: CampaignForm) -> AppResult<String> {
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
        shell: Shell::new(user, "冬训计划", "campaigns"),
        campaigns: rows,
        can_edit: user.role == Role::CommitteeAdmin,
        form,
    };
    Ok(page.render()?)
}

/// Checks that every audience unit is a real unit (ids come from the browser).
async fn check_units(state: &AppState, units: &[i64], errors: &mut FieldErrors) -> AppResult<()> {
    for id in units {
        if org_store::unit_in_scope(&state.db, *id, &Scope::whole_tree()).await?.is_none() {
            errors.add("unit", "参训单位不存在");
        }
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
    let (fields, mut errors) = match read_fields(input) {
        Ok(fields) => (Some(fields), FieldErrors::default()),
        Err(errors) => (None, errors),
    };
    check_units(state, input.units(), &mut errors).await?;
    let (Some(fields), true) = (fields, errors.is_empty()) else {
        let form = CampaignForm::typed(input, id, audience_choices(state).await?, errors);
        let html = match id {
            None => list_page(state, &user.0, form).await?,
            Some(id) => detail::detail_page(state, &user.0, id, detail::Refused::Edit(form)).await?,
        };
        return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
    };
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
