//! The activity form: staff create and edit an activity of a unit in their subtree. Another
//! village's unit (or a session not of the chosen unit) is refused beside its field, the form
//! keeping what was typed; every save is audited in its transaction.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::activities::model::{ActivityFacts, ActivityInput, KindChoice, SERVED, check_activity};
use crate::activities::store::{self, Kind};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser};
use crate::campaign::CurrentCampaign;
use crate::campaign::store::{self as campaigns, Campaign};
use crate::org::store as org_store;
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

labels! {
    ActivityInput {
        kind_id: "活动类型", new_kind: "新类型", title: "活动名称", held_on: "活动日期", place: "活动地点",
        unit_id: "组织单位", session_id: "关联场次", served_elderly: "老年人", served_low_income: "低收入",
        served_disabled: "残疾人", served_left_behind: "留守/务工", served_children: "儿童", served_others: "其他",
        outcome: "活动成效",
    }
}

#[derive(Template)]
#[template(path = "activities/form.html")]
struct FormPage {
    shell: Shell,
    /// `None` for a new activity.
    id: Option<i64>,
    kinds: Vec<Kind>,
    units: Vec<(i64, String)>,
    /// (id, "title · unit day").
    sessions: Vec<(i64, String)>,
    served: Vec<(String, &'static str, String)>,
    form: ActivityInput,
    errors: FieldErrors,
    days: (chrono::NaiveDate, chrono::NaiveDate),
}

impl FormPage {
    fn picked(&self, field: &str, id: &i64) -> bool {
        let value = if field == "kind" {
            &self.form.kind_id
        } else if field == "unit" {
            &self.form.unit_id
        } else {
            &self.form.session_id
        };
        value.trim() == id.to_string()
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    (id, campaign): (Option<i64>, &Campaign),
    form: ActivityInput,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let scope = user.scope();
    let units = org_store::active_units_in_scope(&state.db, &scope).await?;
    let names: std::collections::HashMap<i64, String> =
        units.iter().map(|u| (u.id, u.name.clone())).collect();
    let sessions = store::sessions_of_units(&state.db, campaign.id, &scope)
        .await?
        .into_iter()
        .map(|(id, title, unit_id, at)| {
            let day = at.with_timezone(&chrono_tz::Asia::Shanghai).format("%m-%d");
            (id, format!("{title} · {} {day}", names.get(&unit_id).map_or("", String::as_str)))
        })
        .collect();
    let served = SERVED
        .iter()
        .enumerate()
        .map(|(i, (f, l))| (format!("served_{f}"), *l, form.served_text(i).to_owned()))
        .collect();
    let title = if id.is_some() { "修改活动" } else { "登记冬训+活动" };
    Ok(FormPage {
        shell: Shell::new(user, title, "home"),
        id,
        kinds: store::kinds(&state.db).await?,
        units: units.iter().map(|u| (u.id, u.indented_name())).collect(),
        sessions,
        served,
        form,
        errors,
        days: (campaign.starts_on, campaign.ends_on),
    })
}

/// `GET /activities/new`.
pub(in crate::activities) async fn new_form(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    campaign: CurrentCampaign,
) -> AppResult<Html<String>> {
    let form = ActivityInput {
        held_on: crate::time::today().to_string(),
        unit_id: user.unit_id.to_string(),
        ..Default::default()
    };
    Ok(Html(page(&state, &user, (None, &campaign), form, FieldErrors::default()).await?.render()?))
}

/// Checks the form, then its unit and session against the admin's subtree.
async fn checked(
    state: &AppState,
    user: &CurrentUser,
    campaign: &Campaign,
    form: &ActivityInput,
) -> AppResult<Result<ActivityFacts, FieldErrors>> {
    let facts = check_activity(form, (campaign.starts_on, campaign.ends_on));
    let mut errors = facts.as_ref().err().cloned().unwrap_or_default();
    let scope = user.scope();
    if let Some(unit_id) = crate::web::form::optional_id(&form.unit_id) {
        let in_scope = org_store::unit_in_scope(&state.db, unit_id, &scope).await?;
        if in_scope.is_none() {
            errors.add("unit_id", "请选择您管辖范围内的单位");
        }
        if let Some(session_id) = crate::web::form::optional_id(&form.session_id) {
            let sessions = store::sessions_of_units(&state.db, campaign.id, &scope).await?;
            if !sessions.iter().any(|(id, _, unit, _)| *id == session_id && *unit == unit_id) {
                errors.add("session_id", "关联场次应是组织单位本次冬训的场次");
            }
        }
    }
    if let Ok(KindChoice::Existing(kind_id)) = facts.as_ref().map(|f| &f.kind) {
        let kinds = store::kinds(&state.db).await?;
        if !kinds.iter().any(|k| k.id == *kind_id) {
            errors.add("kind_id", "请选择活动类型，或填写新类型");
        }
    }
    Ok(match facts {
        Ok(facts) if errors.is_empty() => Ok(facts),
        _ => Err(errors),
    })
}

/// Stores a checked activity with its audit entry; the redirect to its page.
async fn save(
    state: &AppState,
    user: &CurrentUser,
    id: Option<i64>,
    campaign_id: i64,
    facts: &ActivityFacts,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let kind_id = match &facts.kind {
        KindChoice::Existing(id) => *id,
        KindChoice::New(name) => store::kind_named(&mut tx, name).await?,
    };
    let saved = store::save(&mut tx, id, (campaign_id, kind_id), facts, user.user_id).await?;
    let detail = format!(
        "{}：{}，{}，服务{}人（{}）",
        if id.is_some() { "修改" } else { "登记" },
        facts.title,
        facts.held_on,
        facts.served.total(),
        SERVED.iter().zip(facts.served.0).map(|((_, l), n)| format!("{l}{n}")).collect::<Vec<_>>().join("、")
    );
    audit::record_in(
        &mut tx,
        &Actor::user(user),
        Action::Activity,
        &format!("activity:{saved}"),
        &detail,
        true,
    )
    .await?;
    tx.commit().await?;
    let message = if id.is_some() {
        "已保存修改"
    } else {
        "已登记活动。志愿者可在「报志愿时长」中填报时长"
    };
    Ok(redirect_with_flash(&format!("/activities/{saved}"), message))
}

fn refused(page: FormPage) -> AppResult<Response> {
    Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response())
}

/// `POST /activities`: a new activity in the current campaign.
pub(in crate::activities) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    campaign: CurrentCampaign,
    Form(form): Form<ActivityInput>,
) -> AppResult<Response> {
    match checked(&state, &user, &campaign, &form).await? {
        Ok(facts) => save(&state, &user, None, campaign.id, &facts).await,
        Err(errors) => refused(page(&state, &user, (None, &campaign), form, errors).await?),
    }
}

/// The activity's campaign, the activity being in the admin's subtree.
async fn editable(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(store::Activity, Campaign)> {
    let activity = store::get(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let campaign = campaigns::by_id(&state.db, activity.campaign_id).await?.ok_or(AppError::NotFound)?;
    Ok((activity, campaign))
}

/// `GET /activities/{id}/edit`.
pub(in crate::activities) async fn edit_form(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let (a, campaign) = editable(&state, &user, id).await?;
    let s = a.served().0.map(|n| n.to_string());
    let form = ActivityInput {
        kind_id: a.kind_id.to_string(),
        new_kind: String::new(),
        title: a.title,
        held_on: a.held_on.to_string(),
        place: a.place,
        unit_id: a.unit_id.to_string(),
        session_id: a.session_id.map(|s| s.to_string()).unwrap_or_default(),
        served_elderly: s[0].clone(),
        served_low_income: s[1].clone(),
        served_disabled: s[2].clone(),
        served_left_behind: s[3].clone(),
        served_children: s[4].clone(),
        served_others: s[5].clone(),
        outcome: a.outcome,
    };
    Ok(Html(page(&state, &user, (Some(id), &campaign), form, FieldErrors::default()).await?.render()?))
}

/// `POST /activities/{id}/edit`.
pub(in crate::activities) async fn update(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(form): Form<ActivityInput>,
) -> AppResult<Response> {
    let (_, campaign) = editable(&state, &user, id).await?;
    match checked(&state, &user, &campaign, &form).await? {
        Ok(facts) => save(&state, &user, Some(id), campaign.id, &facts).await,
        Err(errors) => refused(page(&state, &user, (Some(id), &campaign), form, errors).await?),
    }
}
