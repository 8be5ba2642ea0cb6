//! Door-to-door pages. A task is seen (and its visit recorded) only by its assignee or by an admin
//! whose subtree holds the member; anyone else is told it does not exist.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde::Deserialize;

use super::visit::{self, VisitContext, VisitInput};
use super::{Confirmer, MaterialKind, photo_mime};
use crate::accounts::{CurrentUser, Role};
use crate::campaign::audience::masked_phone;
use crate::campaign::model::hours_text;
use crate::campaign::store::campaigns;
use crate::campaign::store::deliveries::{
    self, NewVisit, Task, TaskFilter, VisitError, names_from_json, names_to_json,
};
use crate::campaign::store::lecturers;
use crate::people::model::MemberCategories;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, AppState, Shell};

/// Tasks listed at most.
const LIST_LIMIT: i64 = 500;

/// A task as a list card.
struct TaskRow {
    id: i64,
    member_name: String,
    unit_name: String,
    assignee_name: String,
    reason: String,
    due: String,
    overdue: bool,
    done: bool,
    visited: String,
    materials: Vec<String>,
    link: bool,
}

impl TaskRow {
    fn of(t: &Task, today: chrono::NaiveDate, link: bool) -> Self {
        Self {
            id: t.id,
            member_name: t.member_name.clone(),
            unit_name: t.unit_name.clone(),
            assignee_name: t.assignee_name.clone(),
            reason: t.reason.clone(),
            due: t.due_on.format("%m月%d日").to_string(),
            overdue: t.is_overdue(today),
            done: t.status == "done",
            visited: t.visited_on.map(|d| d.format("%m月%d日").to_string()).unwrap_or_default(),
            materials: t.material_names(),
            link,
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "delivery/list.html")]
struct ListPage {
    shell: Shell,
    is_admin: bool,
    is_member: bool,
    status: String,
    tasks: Vec<TaskRow>,
    open: usize,
    overdue: usize,
    done: usize,
}

/// `GET /deliveries`: an admin's tasks in scope, a lecturer's or volunteer's own tasks, a
/// member's visits to them. Overdue tasks first.
pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Html<String>> {
    let today = crate::time::today();
    let campaign = campaigns::current(&state.db).await?;
    let mut filter = TaskFilter {
        scope: "%".into(),
        campaign_id: campaign.as_ref().map(|c| c.id),
        ..TaskFilter::default()
    };
    match user.role {
        Role::CommitteeAdmin | Role::StationAdmin => filter.scope = user.scope(),
        Role::Lecturer | Role::Volunteer => filter.assignee_user_id = Some(user.user_id),
        // A member sees the visits planned for them; an unlinked account sees none.
        Role::Member => filter.member_id = Some(user.member_id.unwrap_or(-1)),
    }
    let all = deliveries::tasks(&state.db, &filter, today, LIST_LIMIT).await?;
    let status = match q.status.as_str() {
        "open" | "overdue" | "done" => q.status.clone(),
        _ => String::new(),
    };
    let link = user.role != Role::Member;
    let (open, overdue, done) = (
        all.iter().filter(|t| t.status == "open").count(),
        all.iter().filter(|t| t.is_overdue(today)).count(),
        all.iter().filter(|t| t.status == "done").count(),
    );
    let tasks = all
        .iter()
        .filter(|t| match status.as_str() {
            "open" => t.status == "open",
            "overdue" => t.is_overdue(today),
            "done" => t.status == "done",
            _ => true,
        })
        .map(|t| TaskRow::of(t, today, link))
        .collect();
    let page = ListPage {
        shell: Shell::new(&user, "送学上门", "deliveries"),
        is_admin: user.role.is_admin(),
        is_member: user.role == Role::Member,
        status,
        tasks,
        open,
        overdue,
        done,
    };
    Ok(Html(page.render()?))
}

/// The task, if this user may see it: its assignee, or an admin whose subtree holds the member.
async fn load_task(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Task> {
    let task = deliveries::task(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let allowed = if user.role.is_admin() {
        user.covers(&task.unit_path)
    } else {
        task.assignee_user_id == user.user_id
    };
    if allowed { Ok(task) } else { Err(AppError::NotFound) }
}

/// A recorded visit as shown.
struct VisitView {
    visited_on: String,
    minutes: String,
    content: String,
    books: Vec<String>,
    member_words: String,
    confirmer: String,
    has_photo: bool,
    recorded_by: String,
    session_id: i64,
}

#[derive(Template)]
#[template(path = "delivery/detail.html")]
struct DetailPage {
    shell: Shell,
    task: Task,
    phone: String,
    categories: Vec<&'static str>,
    materials: Vec<String>,
    due: String,
    overdue: bool,
    visit: Option<VisitView>,
    errors: Vec<String>,
    input: VisitInput,
    topics: Vec<(i64, String, bool)>,
    confirmers: Vec<(&'static str, &'static str)>,
    minute_choices: Vec<i64>,
    today: String,
    min_date: String,
}

async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    task: Task,
    input: VisitInput,
    errors: Vec<String>,
) -> AppResult<DetailPage> {
    let today = crate::time::today();
    let visit = deliveries::visit(&state.db, task.id).await?.map(|v| VisitView {
        visited_on: v.visited_on.format("%Y年%m月%d日").to_string(),
        minutes: format!("{}分钟（{}小时）", v.minutes, hours_text(v.minutes)),
        content: v.content,
        books: names_from_json(&v.books),
        member_words: v.member_words,
        confirmer: format!(
            "{}：{}",
            Confirmer::from_code(&v.confirmed_by_kind).map(Confirmer::label).unwrap_or(""),
            v.confirmed_by_name
        ),
        has_photo: v.has_photo,
        recorded_by: v.recorded_by_name,
        session_id: v.session_id,
    });
    let campaign = campaigns::by_id(&state.db, task.campaign_id).await?;
    let topics = campaigns::topics(&state.db, task.campaign_id)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name, t.compulsory))
        .collect();
    let categories = MemberCategories::from_bits(u32::try_from(task.member_categories).unwrap_or(0)).labels();
    Ok(DetailPage {
        shell: Shell::new(user, format!("送学上门：{}", task.member_name), "deliveries"),
        phone: masked_phone(task.member_phone.as_deref()),
        categories,
        materials: task.material_names(),
        due: task.due_on.format("%Y年%m月%d日").to_string(),
        overdue: task.is_overdue(today),
        visit,
        errors,
        input,
        topics,
        confirmers: Confirmer::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        minute_choices: vec![30, 45, 60, 90, 120, 150, 180],
        today: today.to_string(),
        min_date: campaign.map(|c| c.starts_on.to_string()).unwrap_or_default(),
        task,
    })
}

/// The form's starting values: today, an hour, every planned material handed over.
fn default_input(task: &Task) -> VisitInput {
    VisitInput {
        visited_on: crate::time::today().to_string(),
        minutes: "60".into(),
        books: task.material_names(),
        confirmed_by_kind: Confirmer::Member.code().into(),
        confirmed_by_name: task.member_name.clone(),
        ..VisitInput::default()
    }
}

/// `GET /deliveries/{id}`: the task, and either the visit form or the recorded visit.
pub(super) async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let task = load_task(&state, &user, id).await?;
    let input = default_input(&task);
    Ok(Html(detail_page(&state, &user, task, input, Vec::new()).await?.render()?))
}

/// Reads the multipart visit form; the photo is read at most to the size limit.
async fn read_visit_form(mut multipart: Multipart) -> AppResult<VisitInput> {
    let bad = || AppError::BadRequest("提交不完整，请检查网络后重新提交".into());
    let mut input = VisitInput::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "photo" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| bad())? {
                if bytes.len() + chunk.len() > super::MAX_PHOTO_BYTES {
                    input.photo_too_large = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            input.photo = Some(bytes);
            continue;
        }
        let text = field.text().await.map_err(|_| bad())?;
        match name.as_str() {
            "visited_on" => input.visited_on = text,
            "minutes" => input.minutes = text,
            "topic_id" => input.topic_id = text,
            "content" => input.content = text,
            "book" => input.books.push(text),
            "member_words" => input.member_words = text,
            "confirmed_by_kind" => input.confirmed_by_kind = text,
            "confirmed_by_name" => input.confirmed_by_name = text,
            _ => {}
        }
    }
    Ok(input)
}

const ALREADY: &str = "该任务已登记走访，本次提交未重复记录";

/// `POST /deliveries/{id}/visit` (multipart; CSRF token in the query string): records the visit
/// in one transaction. Bad input re-shows the form with every problem and stores nothing; a
/// retry of a recorded visit changes nothing and says so.
pub(super) async fn record_visit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let task = load_task(&state, &user, id).await?;
    if task.status != "open" {
        return Ok(redirect_with_flash(&format!("/deliveries/{id}"), ALREADY));
    }
    let mut input = read_visit_form(multipart).await?;
    let campaign = campaigns::by_id(&state.db, task.campaign_id).await?.ok_or(AppError::NotFound)?;
    let topic_ids: Vec<i64> =
        campaigns::topics(&state.db, campaign.id).await?.into_iter().map(|t| t.id).collect();
    let materials = task.material_names();
    let context = VisitContext {
        today: crate::time::today(),
        campaign_days: (campaign.starts_on, campaign.ends_on),
        materials: &materials,
        topics: &topic_ids,
    };
    // Re-encoding a phone photo takes a few hundred milliseconds: keep it off the async threads.
    if let Some(bytes) = input.photo.take().filter(|b| !b.is_empty()) {
        match tokio::task::spawn_blocking(move || super::prepare_photo(&bytes)).await {
            Ok(Ok(jpeg)) => input.photo = Some(jpeg),
            Ok(Err(reason)) => input.photo_error = Some(reason),
            Err(e) => return Err(AppError::Internal(e.into())),
        }
    }
    let facts = match visit::validate(&input, &context) {
        Ok(facts) => facts,
        Err(errors) => {
            let mut input = input;
            input.photo = None;
            let page = detail_page(&state, &user, task, input, errors).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
        }
    };
    let starts_at = Shanghai
        .from_local_datetime(
            &facts.visited_on.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()),
        )
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::BadRequest("走访日期无效".into()))?;
    let lecturer_id = lecturers::by_user(&state.db, task.assignee_user_id).await?.map(|l| l.id);
    let new_visit = NewVisit {
        delivery_id: task.id,
        campaign_id: task.campaign_id,
        member_id: task.member_id,
        unit_id: task.unit_id,
        title: format!("送学上门：{}", task.member_name),
        topic_id: facts.topic_id,
        lecturer_id,
        starts_at,
        ends_at: starts_at + Duration::minutes(facts.minutes),
        visited_on: facts.visited_on,
        minutes: facts.minutes,
        content: facts.content,
        books: names_to_json(&facts.books),
        member_words: facts.member_words,
        confirmed_by_kind: facts.confirmer.code().to_owned(),
        confirmed_by_name: facts.confirmed_by_name,
        photo: facts.photo,
        recorded_by: user.user_id,
    };
    match deliveries::record_visit(&state.db, &new_visit).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/deliveries/{id}"),
            &format!("已登记对{}的送学上门，计入冬训学习{}分钟", task.member_name, new_visit.minutes),
        )),
        Err(VisitError::AlreadyRecorded) => Ok(redirect_with_flash(&format!("/deliveries/{id}"), ALREADY)),
        Err(VisitError::Database(e)) => Err(e.into()),
    }
}

/// `GET /deliveries/{id}/photo`: the visit photo, to whoever may see the task.
pub(super) async fn photo(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let task = load_task(&state, &user, id).await?;
    let bytes = deliveries::visit_photo(&state.db, task.id).await?.ok_or(AppError::NotFound)?;
    let mime = photo_mime(&bytes).unwrap_or("application/octet-stream");
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "delivery/materials.html")]
struct MaterialsPage {
    shell: Shell,
    can_edit: bool,
    materials: Vec<(i64, String, &'static str, bool)>,
    kinds: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    name: String,
}

async fn materials_page(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
    name: String,
) -> AppResult<MaterialsPage> {
    Ok(MaterialsPage {
        shell: Shell::new(user, "送学材料", "deliveries"),
        can_edit: user.role == Role::CommitteeAdmin,
        materials: deliveries::materials(&state.db)
            .await?
            .into_iter()
            .map(|m| {
                let kind = MaterialKind::label_of(&m.kind);
                (m.id, m.name, kind, m.active)
            })
            .collect(),
        kinds: MaterialKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        error,
        name,
    })
}

/// `GET /deliveries/materials`: the catalogue (admins; the committee edits it).
pub(super) async fn materials(State(state): State<AppState>, user: CurrentUser) -> AppResult<Html<String>> {
    user.require_admin()?;
    Ok(Html(materials_page(&state, &user, None, String::new()).await?.render()?))
}

#[derive(Deserialize)]
pub(super) struct MaterialForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
}

/// `POST /deliveries/materials`: adds a material (committee only).
pub(super) async fn add_material(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<MaterialForm>,
) -> AppResult<Response> {
    user.require(&[Role::CommitteeAdmin])?;
    let name = form.name.trim().to_owned();
    let length = name.chars().count();
    let problem = if !(2..=60).contains(&length) {
        Some("材料名称应为2到60个字".to_owned())
    } else if MaterialKind::from_code(&form.kind).is_none() {
        Some("请选择材料类别".to_owned())
    } else {
        None
    };
    if let Some(message) = problem {
        let page = materials_page(&state, &user, Some(message), form.name).await?;
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    }
    match deliveries::insert_material(&state.db, &name, &form.kind).await? {
        Some(_) => Ok(redirect_with_flash("/deliveries/materials", &format!("已添加：{name}"))),
        None => {
            let page = materials_page(
                &state,
                &user,
                Some(format!("“{name}”已在材料目录中，不能重复添加")),
                form.name,
            )
            .await?;
            Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub(super) struct ActiveForm {
    #[serde(default)]
    active: String,
}

/// `POST /deliveries/materials/{id}/active`: offers a material again, or stops offering it.
pub(super) async fn set_material_active(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ActiveForm>,
) -> AppResult<Response> {
    user.require(&[Role::CommitteeAdmin])?;
    let active = form.active == "true";
    if !deliveries::set_material_active(&state.db, id, active).await? {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_flash(
        "/deliveries/materials",
        if active { "已恢复提供" } else { "已停用，新任务中不再出现" },
    ))
}
