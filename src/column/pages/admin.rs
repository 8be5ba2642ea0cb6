//! The staff's side of the column (`/column/admin…`): station admins write articles for their
//! station and submit them; the committee reviews, publishes and returns them; either logs the
//! outlets that carried one. Every change is audited in its transaction.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;

use super::article_form::{checked, read_form};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CurrentUser, Role};
use crate::column::model::{self, ArticleInput, ArticleStatus, Step};
use crate::column::store::{self as column, Article, LoggedSyndication, NewArticle, Syndication};
use crate::state::AppState;
use crate::web::extract::{Form, Multipart, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// The station whose articles `user` sees: `None` (all) for the committee.
fn unit_filter(user: &CurrentUser) -> Option<i64> {
    (user.role != Role::CommitteeAdmin).then_some(user.unit_id)
}

/// An article `user` may see, or 404 (another station's is indistinguishable from none).
async fn load(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Article> {
    let article = column::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match unit_filter(user) {
        Some(unit) if article.unit_id != Some(unit) => Err(AppError::NotFound),
        _ => Ok(article),
    }
}

#[derive(Template)]
#[template(path = "column/admin.html")]
struct AdminPage {
    shell: Shell,
    articles: Vec<Article>,
    outlets: Vec<(String, i64)>,
    is_committee: bool,
}

/// `GET /column/admin`: the articles in scope by status, and how often each outlet carried one.
pub(in crate::column) async fn admin_list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let unit = unit_filter(&user);
    let page = AdminPage {
        shell: Shell::new(&user, "冬训专栏管理", "home"),
        articles: column::for_staff(&state.db, unit).await?,
        outlets: column::outlet_counts(&state.db, unit).await?,
        is_committee: user.role == Role::CommitteeAdmin,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "column/edit.html")]
struct EditPage {
    shell: Shell,
    article: Option<Article>,
    input: ArticleInput,
    errors: FieldErrors,
    can_edit: bool,
    steps: Vec<(&'static str, &'static str)>,
    syndications: Vec<LoggedSyndication>,
    synd_outlet: String,
    synd_url: String,
    synd_on: String,
}

impl EditPage {
    fn action(&self) -> String {
        match &self.article {
            Some(a) => format!("/column/admin/{}?csrf={}", a.id, self.shell.csrf),
            None => format!("/column/admin/new?csrf={}", self.shell.csrf),
        }
    }
}

fn input_of(a: &Article) -> ArticleInput {
    ArticleInput {
        title: a.title.clone(),
        author: a.author.clone(),
        categories: a.categories().join("，"),
        summary: a.summary.clone(),
        body: a.body.clone(),
        cover_url: a.cover_url.clone(),
    }
}

async fn edit_page_for(
    state: &AppState,
    user: &CurrentUser,
    article: Option<Article>,
    input: ArticleInput,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let (can_edit, steps, syndications) = match &article {
        None => (model::may_write(user.role), Vec::new(), Vec::new()),
        Some(a) => {
            let steps = [Step::Submit, Step::Publish, Step::Return]
                .into_iter()
                .filter(|s| model::next_status(user.role, a.status, *s).is_some())
                .map(|s| (step_code(s), s.label()))
                .collect();
            (model::may_edit(user.role, a.status), steps, column::syndications(&state.db, a.id).await?)
        }
    };
    let title = if article.is_some() { "编辑文章" } else { "写文章" };
    Ok(EditPage {
        shell: Shell::new(user, title, "home"),
        article,
        input,
        errors,
        can_edit,
        steps,
        syndications,
        synd_outlet: String::new(),
        synd_url: String::new(),
        synd_on: crate::time::today().to_string(),
    })
}

fn step_code(step: Step) -> &'static str {
    match step {
        Step::Submit => "submit",
        Step::Publish => "publish",
        Step::Return => "return",
    }
}

/// `GET /column/admin/new`: an empty article form.
pub(in crate::column) async fn new_page(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let input = ArticleInput { author: user.unit_name.clone(), ..Default::default() };
    Ok(Html(edit_page_for(&state, &user, None, input, FieldErrors::default()).await?.render()?))
}

/// `GET /column/admin/{id}`: an article, its form while it may be edited, its next steps and
/// where it was carried.
pub(in crate::column) async fn edit_page(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Html<String>> {
    let article = load(&state, &user, id).await?;
    let input = input_of(&article);
    Ok(Html(edit_page_for(&state, &user, Some(article), input, FieldErrors::default()).await?.render()?))
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    article: Option<Article>,
    input: ArticleInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = edit_page_for(state, user, article, input, errors).await?;
    Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response())
}

/// `POST /column/admin/new`: stores a new draft for the writer's station.
pub(in crate::column) async fn create(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    multipart: Multipart,
) -> AppResult<Response> {
    let mut posted = read_form(multipart).await?;
    let mut tx = state.db.begin().await?;
    let fields = match checked(&mut posted, &user, &mut tx).await? {
        Ok(fields) => fields,
        Err(errors) => return refused(&state, &user, None, posted.input, errors).await,
    };
    let new = NewArticle {
        fields: &fields,
        comments: false,
        status: ArticleStatus::Draft,
        dated_at: Utc::now(),
        unit_id: unit_filter(&user),
        created_by: Some(user.user_id),
        source_key: None,
    };
    let id =
        column::insert(&mut tx, &new).await?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no id")))?;
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Column,
        &format!("专栏文章#{id}"),
        &format!("新建草稿：{}", fields.title),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/column/admin/{id}"), "草稿已保存"))
}

/// `POST /column/admin/{id}`: saves an article's changes while it may be edited.
pub(in crate::column) async fn update(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> AppResult<Response> {
    let article = load(&state, &user, id).await?;
    if !model::may_edit(user.role, article.status) {
        return Err(AppError::Conflict(format!("文章{}，不能修改", article.status.label())));
    }
    let mut posted = read_form(multipart).await?;
    let mut tx = state.db.begin().await?;
    let fields = match checked(&mut posted, &user, &mut tx).await? {
        Ok(fields) => fields,
        Err(errors) => return refused(&state, &user, Some(article), posted.input, errors).await,
    };
    column::update(&mut tx, id, &fields).await?;
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Column,
        &format!("专栏文章#{id}"),
        &format!("修改：{}", fields.title),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/column/admin/{id}"), "已保存"))
}

#[derive(Deserialize)]
pub(in crate::column) struct StepForm {
    #[serde(default)]
    step: String,
}

#[derive(Deserialize)]
pub(in crate::column) struct SyndicationForm {
    #[serde(default)]
    outlet: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    carried_on: String,
}

labels! {
    StepForm { step: "操作" }
    SyndicationForm { outlet: "转载媒体", url: "链接", carried_on: "刊发日期" }
}

/// `POST /column/admin/{id}/step`: submit, publish or return an article, as the role may.
pub(in crate::column) async fn step(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let article = load(&state, &user, id).await?;
    let step = Step::from_code(&form.step).ok_or_else(|| AppError::BadRequest("未知的操作".into()))?;
    let Some(to) = model::next_status(user.role, article.status, step) else {
        return Err(AppError::Forbidden);
    };
    // A draft written here is dated when it is published; an imported post keeps its own date.
    let dated_at = (to == ArticleStatus::Published && article.source_key.is_none()).then(Utc::now);
    let mut tx = state.db.begin().await?;
    if !column::set_status(&mut tx, id, article.status, to, dated_at).await? {
        return Err(AppError::Conflict("文章状态已被他人改变，请刷新后再试".into()));
    }
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Column,
        &format!("专栏文章#{id}"),
        &format!("{}：{}（{} → {}）", step.label(), article.title, article.status.label(), to.label()),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/column/admin/{id}"), &format!("{}：{}", step.label(), to.label())))
}

/// `POST /column/admin/{id}/syndications`: logs that an outlet carried the article.
pub(in crate::column) async fn add_syndication(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(id): Path<i64>,
    Form(form): Form<SyndicationForm>,
) -> AppResult<Response> {
    let article = load(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let outlet = form.outlet.trim();
    if !(1..=30).contains(&outlet.chars().count()) {
        errors.add("outlet", "请填写转载媒体，如：学习强国（不超过30个字）");
    }
    let url = form.url.trim();
    if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        errors.add("url", "链接应以 http:// 或 https:// 开头");
    }
    let carried_on = errors.check("carried_on", crate::web::form::parse_date(&form.carried_on, "刊发日期"));
    let (true, Some(carried_on)) = (errors.is_empty(), carried_on) else {
        let input = input_of(&article);
        let mut page = edit_page_for(&state, &user, Some(article), input, errors).await?;
        page.synd_outlet = form.outlet.clone();
        page.synd_url = form.url.clone();
        page.synd_on = form.carried_on.clone();
        return Ok((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response());
    };
    let entry = Syndication { outlet: outlet.to_owned(), url: url.to_owned(), carried_on };
    let mut tx = state.db.begin().await?;
    column::add_syndication(&mut tx, id, &entry, Some(user.user_id)).await?;
    audit::record_in(
        &mut tx,
        &Actor::user(&user),
        Action::Column,
        &format!("专栏文章#{id}"),
        &format!("{outlet}转载：{url}"),
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/column/admin/{id}"), &format!("已记录：{outlet}转载")))
}

/// `POST /column/admin/{id}/syndications/{line}/remove`: takes a mistaken line out of the log
/// (audited with what it said), so a wrong outlet or date is corrected by removing and re-adding.
pub(in crate::column) async fn remove_syndication(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path((id, line)): Path<(i64, i64)>,
) -> AppResult<Response> {
    load(&state, &user, id).await?;
    let logged = column::syndications(&state.db, id).await?;
    let Some(entry) = logged.iter().find(|s| s.id == line).map(|s| &s.entry) else {
        return Err(AppError::NotFound);
    };
    let mut tx = state.db.begin().await?;
    if !column::remove_syndication(&mut tx, id, line).await? {
        return Err(AppError::NotFound);
    }
    let what = format!("删除转载记录：{} {} {}", entry.carried_on, entry.outlet, entry.url);
    audit::record_in(&mut tx, &Actor::user(&user), Action::Column, &format!("专栏文章#{id}"), &what, true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(&format!("/column/admin/{id}"), &format!("已删除：{}转载", entry.outlet)))
}
