//! The library's items: the list by category, adding one (the committee), an article read with
//! heartbeats, and the heartbeat that sums the reading and, once it counts, awards points.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Action, Actor};
use crate::auth::{CommitteeUser, CurrentUser, Role};
use crate::library::model::{self, ItemKind};
use crate::library::store::{self, Item, NewItem, Reading};
use crate::points::{self, Award, PointKind};
use crate::state::AppState;
use crate::web::extract::{Form, Path, Query, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

#[derive(Template)]
#[template(path = "library/index.html")]
struct IndexPage {
    shell: Shell,
    items: Vec<Item>,
    categories: Vec<String>,
    category: String,
    can_add: bool,
    is_admin: bool,
}

#[derive(Deserialize, Default)]
pub(in crate::library) struct CategoryQuery {
    #[serde(default)]
    category: String,
}

/// `GET /library`: every item, or one category's.
pub(in crate::library) async fn index(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CategoryQuery>,
) -> AppResult<Html<String>> {
    let page = IndexPage {
        shell: Shell::new(&user, "学习资料", "library"),
        items: store::list(&state.db, q.category.trim()).await?,
        categories: store::categories(&state.db).await?,
        category: q.category.trim().to_owned(),
        can_add: user.role == Role::CommitteeAdmin,
        is_admin: user.role.is_admin(),
    };
    Ok(Html(page.render()?))
}

/// What the add form holds (kept as typed when refused).
#[derive(Deserialize, Default, Clone)]
pub(in crate::library) struct ItemForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) category: String,
    #[serde(default)]
    pub(super) tags: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    min_seconds: String,
}

impl ItemForm {
    /// The add form before anything is typed.
    pub(super) fn blank() -> Self {
        Self { min_seconds: "60".into(), ..Default::default() }
    }
}

#[derive(Template)]
#[template(path = "library/new.html")]
pub(super) struct NewPage {
    shell: Shell,
    form: ItemForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
    /// The PDF upload form, as typed, and its problems.
    pub(super) pdf: ItemForm,
    pub(super) pdf_errors: FieldErrors,
}

pub(super) fn new_page(user: &CurrentUser, form: ItemForm, errors: FieldErrors) -> NewPage {
    NewPage {
        shell: Shell::new(user, "添加学习资料", "library"),
        form,
        errors,
        kinds: model::written_kinds(),
        pdf: ItemForm::default(),
        pdf_errors: FieldErrors::default(),
    }
}

/// `GET /library/new`: the add form (committee).
pub(in crate::library) async fn new(CommitteeUser(user): CommitteeUser) -> AppResult<Html<String>> {
    Ok(Html(new_page(&user, ItemForm::blank(), FieldErrors::default()).render()?))
}

/// `POST /library`: adds an article (its HTML sanitised) or a link, audited.
pub(in crate::library) async fn create(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let kind = ItemKind::from_code(&form.kind).filter(|k| matches!(k, ItemKind::Article | ItemKind::Link));
    if kind.is_none() {
        errors.add("kind", "请选择资料类型");
    }
    let title = form.title.trim();
    if !(2..=80).contains(&title.chars().count()) {
        errors.add("title", "标题应为2到80个字");
    }
    let category = form.category.trim();
    if category.chars().count() > 20 {
        errors.add("category", "分类不超过20个字");
    }
    let body = model::sanitize(&form.body);
    let url = form.url.trim();
    match kind {
        Some(ItemKind::Article) if body.trim().is_empty() => errors.add("body", "请填写文章正文"),
        Some(ItemKind::Article) if form.body.len() > 200_000 => {
            errors.add("body", "正文过长（不超过20万字节）")
        }
        Some(ItemKind::Link) if !model::is_link(url) => {
            errors.add("url", "请填写以 https:// 或 http:// 开头的链接")
        }
        _ => {}
    }
    let min_seconds =
        form.min_seconds.trim().parse::<i64>().ok().filter(|s| model::MIN_SECONDS_RANGE.contains(s));
    if min_seconds.is_none() {
        errors.add("min_seconds", "最短阅读时间应为10到1800秒");
    }
    let (true, Some(kind), Some(min_seconds)) = (errors.is_empty(), kind, min_seconds) else {
        return Ok((StatusCode::BAD_REQUEST, Html(new_page(&user, form, errors).render()?)).into_response());
    };
    let tags = model::parse_tags(&form.tags).join(",");
    let item = NewItem {
        kind,
        title,
        category,
        tags: &tags,
        body: if kind == ItemKind::Article { &body } else { "" },
        url: if kind == ItemKind::Link { url } else { "" },
        min_seconds,
        created_by: Some(user.user_id),
        file_name: "",
        size_bytes: 0,
    };
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, &item).await?;
    audit::record_in(&mut tx, &Actor::user(&user), Action::Library, &format!("library:{id}"), title, true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/library/{id}"), &format!("已添加：{title}")))
}

#[derive(Template)]
#[template(path = "library/item.html")]
struct ItemPage {
    shell: Shell,
    item: Item,
    tags: Vec<String>,
    /// The viewer is a member: the page beats.
    reads: bool,
    beat_seconds: i64,
}

/// `GET /library/{id}`: an article to read (a member's page sends heartbeats), a link, a PDF, or
/// a book with its stock.
pub(in crate::library) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let item = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if item.kind == ItemKind::Book {
        let page = super::books::book_page(&state, &user, item, Default::default(), FieldErrors::default());
        return Ok(Html(page.await?.render()?));
    }
    let page = ItemPage {
        shell: Shell::new(&user, item.title.clone(), "library"),
        tags: item.tags.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        reads: user.member_id.is_some() && item.kind == ItemKind::Article,
        beat_seconds: model::BEAT_SECONDS,
        item,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub(in crate::library) struct BeatForm {
    /// "1" once the end of the article has been on screen.
    #[serde(default)]
    at_end: String,
}

labels! {
    CategoryQuery { category: "分类" }
    ItemForm { kind: "类型", title: "标题", category: "分类", tags: "标签", body: "正文", url: "链接", min_seconds: "最短阅读时间" }
    BeatForm { at_end: "读到末尾" }
}

/// The answer to a heartbeat.
#[derive(Serialize)]
pub(in crate::library) struct BeatAnswer {
    seconds: i64,
    min_seconds: i64,
    reached_end: bool,
    counted: bool,
    message: String,
}

/// `POST /library/{id}/beat`: the reading page's heartbeat. The time since the previous beat
/// (capped) is added to today's reading; when it reaches the article's minimum with the end
/// reached, the reading counts once and earns 阅读文章 points in the same transaction.
pub(in crate::library) async fn beat(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<BeatForm>,
) -> AppResult<Json<BeatAnswer>> {
    let member_id =
        user.member_id.ok_or_else(|| AppError::BadRequest("只有党员本人的账号计入阅读学习".into()))?;
    let item = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if item.kind != ItemKind::Article {
        return Err(AppError::NotFound);
    }
    let now = Utc::now();
    let day = now.with_timezone(&Shanghai).date_naive();
    let key = (id, member_id, day);
    let at_end = form.at_end == "1";
    let campaign_id = crate::campaign::store::current(&state.db).await?.map(|c| c.id);
    let mut tx = state.db.begin().await?;
    let after = match store::reading(&mut tx, id, member_id, day).await? {
        None => {
            store::start_reading(&mut tx, key, at_end, now).await?;
            Reading { seconds: 0, reached_end: at_end, counted: false, last_beat_at: now }
        }
        Some(before) => {
            let seconds = before.seconds + model::credit(Some(before.last_beat_at), now);
            let reached_end = before.reached_end || at_end;
            let counted = before.counted || model::counts(seconds, item.min_seconds, reached_end);
            let after = Reading { seconds, reached_end, counted, last_beat_at: now };
            if !store::save_beat(&mut tx, key, &before, &after).await? {
                before
            } else {
                if counted && !before.counted {
                    let award = Award {
                        member_id,
                        kind: PointKind::Reading,
                        item_key: format!("article:{id}"),
                        idempotency_key: format!("reading:{id}:{member_id}:{day}"),
                        at: now,
                        quantity: 1,
                        reason: String::new(),
                        recorded_by: None,
                        campaign_id,
                    };
                    points::award(&mut tx, &award).await?;
                }
                after
            }
        }
    };
    tx.commit().await?;
    let message = if after.counted {
        "本篇已计入阅读学习".to_owned()
    } else if after.seconds < item.min_seconds {
        format!("已阅读{}秒，读满{}秒并读到末尾计入学习", after.seconds, item.min_seconds)
    } else {
        "请读到文章末尾".to_owned()
    };
    Ok(Json(BeatAnswer {
        seconds: after.seconds,
        min_seconds: item.min_seconds,
        reached_end: after.reached_end,
        counted: after.counted,
        message,
    }))
}
