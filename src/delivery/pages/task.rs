//! One task: its member and plan, the member's phone on request, and either the visit form or
//! the recorded visit with its photo.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};

use super::load_task;
use crate::audit::{self, Action, Actor};
use crate::auth::CurrentUser;
use crate::campaign::audience::masked_phone;
use crate::campaign::store as campaigns;
use crate::delivery::store::{self as deliveries, Task, Visit, names_from_json};
use crate::delivery::visit::VisitInput;
use crate::delivery::{Confirmer, assignee_label, photo_mime};
use crate::people::model::{MemberCategories, Phone};
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::{AppError, AppResult, Shell};

/// Study time as people say it: "45分钟", "2小时", "4小时45分钟" (never a rounded decimal).
fn duration_text(minutes: i64) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    match (hours, rest) {
        (0, _) => format!("{minutes}分钟"),
        (_, 0) => format!("{hours}小时"),
        _ => format!("{hours}小时{rest}分钟"),
    }
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
    /// When it was recorded, in Shanghai time.
    recorded_at: String,
    /// The campaign topics it delivered.
    topics: Vec<String>,
}

impl VisitView {
    fn of(v: Visit, topics: Vec<String>) -> Self {
        Self {
            visited_on: v.visited_on.format("%Y年%m月%d日").to_string(),
            minutes: duration_text(v.minutes),
            content: v.content,
            books: names_from_json(&v.books),
            member_words: v.member_words,
            confirmer: format!("{}：{}", v.confirmed_by_kind.label(), v.confirmed_by_name),
            has_photo: v.has_photo,
            recorded_by: v.recorded_by_name,
            recorded_at: crate::time::local_datetime(v.created_at),
            topics,
        }
    }
}

/// The phone cell of a task page: masked with a button to reveal it, or revealed as a `tel:` link.
#[derive(Template)]
#[template(path = "delivery/contact.html")]
struct Contact {
    task_id: i64,
    csrf: String,
    /// Masked, or in full once revealed; '' when the roster has none.
    phone: String,
    revealed: bool,
}

impl Contact {
    fn masked(task: &Task, user: &CurrentUser) -> Self {
        let phone = masked_phone(task.member_phone.as_deref());
        Self { task_id: task.id, csrf: user.csrf_token.clone(), phone, revealed: false }
    }

    fn revealed(task: &Task, user: &CurrentUser) -> Self {
        let raw = task.member_phone.as_deref().unwrap_or("").trim();
        // The roster's own spelling may hold spaces or dashes; a tel: link wants the digits.
        let phone = Phone::parse(raw).map(|p| p.as_str().to_owned()).unwrap_or_else(|_| raw.to_owned());
        Self { task_id: task.id, csrf: user.csrf_token.clone(), phone, revealed: true }
    }
}

#[derive(Template)]
#[template(path = "delivery/detail.html")]
pub(super) struct DetailPage {
    shell: Shell,
    task: Task,
    /// The rendered `Contact` cell.
    contact: String,
    /// Where the member is: the station and the unit.
    place: String,
    /// Whether this viewer sees the 住址 (staff in scope; the assignee while the task is open).
    show_address: bool,
    assignee: String,
    categories: Vec<&'static str>,
    materials: Vec<String>,
    /// The task's books with their stock (name, copies left).
    book_stock: Vec<(String, i64)>,
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

/// "甲村 · 第一支部", or just the unit when its name already says the station.
fn place(task: &Task) -> String {
    match &task.station_name {
        Some(station) if !task.unit_name.starts_with(station.as_str()) => {
            format!("{station} · {}", task.unit_name)
        }
        _ => task.unit_name.clone(),
    }
}

/// The task page with the form as typed and its problems (none on a first look).
pub(super) async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    task: Task,
    input: VisitInput,
    errors: Vec<String>,
) -> AppResult<DetailPage> {
    let today = crate::time::today();
    let visit = match deliveries::visit(&state.db, task.id).await? {
        Some(v) => Some(VisitView::of(v, deliveries::visit_topics(&state.db, task.id).await?)),
        None => None,
    };
    let campaign = campaigns::by_id(&state.db, task.campaign_id).await?;
    let topics = campaigns::topics(&state.db, task.campaign_id)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name, t.compulsory))
        .collect();
    let categories = MemberCategories::from_bits(u32::try_from(task.member_categories).unwrap_or(0)).labels();
    Ok(DetailPage {
        shell: Shell::new(user, format!("送学上门：{}", task.member_name), "deliveries"),
        contact: Contact::masked(&task, user).render()?,
        place: place(&task),
        show_address: user.role.is_admin() || task.status == crate::delivery::TaskStatus::Open,
        assignee: assignee_label(&task.assignee_name, task.assignee_role.label()),
        categories,
        book_stock: deliveries::materials(&state.db)
            .await?
            .into_iter()
            .filter_map(|m| m.stock.map(|n| (m.name, n)))
            .filter(|(name, _)| task.material_names().contains(name))
            .collect(),
        materials: task.material_names(),
        due: task.due_on.format("%Y年%m月%d日").to_string(),
        overdue: task.is_overdue(today),
        visit,
        errors,
        input,
        topics,
        confirmers: Confirmer::choices(),
        minute_choices: vec![30, 45, 60, 90, 120, 150, 180],
        today: today.to_string(),
        min_date: campaign.map(|c| c.starts_on.to_string()).unwrap_or_default(),
        task,
    })
}

/// The form's starting values: today, an hour, the compulsory topics delivered, every planned
/// material handed over.
async fn default_input(state: &AppState, task: &Task) -> AppResult<VisitInput> {
    let compulsory = campaigns::topics(&state.db, task.campaign_id)
        .await?
        .into_iter()
        .filter(|t| t.compulsory)
        .map(|t| t.id.to_string())
        .collect();
    Ok(VisitInput {
        visited_on: crate::time::today().to_string(),
        minutes: "60".into(),
        topic_ids: compulsory,
        books: task.material_names(),
        confirmed_by_kind: Confirmer::Member.code().into(),
        confirmed_by_name: task.member_name.clone(),
        ..VisitInput::default()
    })
}

/// `GET /deliveries/{id}`: the task, and either the visit form or the recorded visit.
pub(in crate::delivery) async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let task = load_task(&state, &user, id).await?;
    let input = default_input(&state, &task).await?;
    Ok(Html(detail_page(&state, &user, task, input, Vec::new()).await?.render()?))
}

/// `POST /deliveries/{id}/phone`: the member's full phone as a `tel:` link, for the visitor to
/// call ahead. Only those who may see the task get it (its assignee, admins in scope), and every
/// reveal is audited like the member page's. htmx swaps in the cell; without script the whole
/// page comes back with the number shown.
pub(in crate::delivery) async fn reveal_phone(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let task = load_task(&state, &user, id).await?;
    if task.member_phone.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(AppError::NotFound);
    }
    let detail = format!("送学任务#{}：党员#{}", task.id, task.member_id);
    audit::record(&state.db, &Actor::user(&user), Action::Unmask, &task.member_name, &detail, true).await?;
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    let contact = Contact::revealed(&task, &user).render()?;
    if headers.contains_key("hx-request") {
        return Ok((no_store, Html(contact)).into_response());
    }
    let input = default_input(&state, &task).await?;
    let mut page = detail_page(&state, &user, task, input, Vec::new()).await?;
    page.contact = contact;
    Ok((no_store, Html(page.render()?)).into_response())
}

/// `GET /deliveries/{id}/photo`: the visit photo, to whoever may see the task.
pub(in crate::delivery) async fn photo(
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

/// `GET /deliveries/photo-input.js`: names the chosen photo under the Chinese picker button. The
/// CSP allows scripts from this app only (no inline ones), so it is served like `app.js`.
pub(in crate::delivery) async fn photo_input_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../photo-input.js"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_whole_hours_and_minutes() {
        assert_eq!(duration_text(45), "45分钟");
        assert_eq!(duration_text(120), "2小时");
        assert_eq!(duration_text(90), "1小时30分钟");
        assert_eq!(duration_text(285), "4小时45分钟");
    }
}
