//! The bank's pages: the list (committee and station staff read), import with a preview of what
//! was understood and a confirm step (committee only), and the export.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::import::{ReadFailure, Refusal, Stored, store_understood, understand_file};
use super::model::QuestionKind;
use super::parse::Understood;
use super::store::{self, Filter, StoredQuestion};
use crate::audit::{self, Action, Actor};
use crate::auth::{AdminUser, CommitteeUser, CurrentUser};
use crate::state::AppState;
use crate::web::extract::{Form, Multipart, Query, labels};
use crate::web::{AppError, AppResult, Shell};

/// Questions per page of the list.
pub const PAGE_SIZE: i64 = 20;

/// The list's filter as the form sends it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BankQuery {
    q: String,
    category: String,
    kind: String,
    page: String,
}

labels! {
    BankQuery { q: "搜索", category: "分类", kind: "题型", page: "页码" }
    ConfirmForm { token: "上传凭据" }
}

#[derive(Template)]
#[template(path = "quiz/bank.html")]
struct BankPage {
    shell: Shell,
    questions: Vec<StoredQuestion>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    category: String,
    kind: String,
    categories: Vec<String>,
    kinds: &'static [QuestionKind],
    may_edit: bool,
    /// The query string without the page, for the paging links.
    query: String,
}

/// The bank, filtered and paged.
pub(super) async fn bank(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Query(query): Query<BankQuery>,
) -> AppResult<Html<String>> {
    let page = query.page.trim().parse::<i64>().ok().filter(|p| *p > 0).unwrap_or(1);
    let kind = QuestionKind::from_code(query.kind.trim());
    let filter = Filter {
        category: Some(query.category.trim().to_owned()).filter(|c| !c.is_empty()),
        kind,
        search: Some(query.q.trim().to_owned()).filter(|q| !q.is_empty()),
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let (questions, total) = store::list(&state.db, &filter).await?;
    let encode = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    let page_query = format!(
        "q={}&category={}&kind={}",
        encode(query.q.trim()),
        encode(query.category.trim()),
        kind.map_or("", |k| k.code())
    );
    let page_view = BankPage {
        shell: Shell::new(&user, "题库", "home"),
        questions,
        total,
        page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        q: query.q.trim().to_owned(),
        category: query.category.trim().to_owned(),
        kind: kind.map_or(String::new(), |k| k.code().to_owned()),
        categories: store::categories(&state.db).await?,
        kinds: QuestionKind::ALL,
        may_edit: user.role == crate::auth::Role::CommitteeAdmin,
        query: page_query,
    };
    Ok(Html(page_view.render()?))
}

#[derive(Template)]
#[template(path = "quiz/import.html")]
struct ImportPage {
    shell: Shell,
    file_name: String,
    error: Option<String>,
    understood: Option<Understood>,
    token: String,
    stored: Option<Stored>,
}

impl ImportPage {
    fn new(user: &CurrentUser) -> Self {
        ImportPage {
            shell: Shell::new(user, "导入题库", "home"),
            file_name: String::new(),
            error: None,
            understood: None,
            token: String::new(),
            stored: None,
        }
    }
}

/// The upload form.
pub(super) async fn import_form(CommitteeUser(user): CommitteeUser) -> AppResult<Html<String>> {
    Ok(Html(ImportPage::new(&user).render()?))
}

fn too_large_or_bad(limit: usize) -> AppError {
    AppError::PayloadTooLarge(format!("文件太大或上传不完整：题库文件不能超过{}MB", limit / 1024 / 1024))
}

/// Receives a bank and shows what was understood; the file waits (in memory) for the confirm.
pub(super) async fn upload(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let limit = state.config.max_upload_bytes;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| too_large_or_bad(limit))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("题库.txt").to_owned();
            let bytes = field.bytes().await.map_err(|_| too_large_or_bad(limit))?;
            file = Some((name, bytes.to_vec())).filter(|(_, b)| !b.is_empty());
        }
    }
    let (file_name, bytes) = file.ok_or_else(|| AppError::BadRequest("请选择要上传的题库文件".into()))?;
    let mut page = ImportPage::new(&user);
    page.file_name = file_name.clone();
    let status = match understand_file(&state.db, &file_name, bytes.clone()).await {
        Ok(understood) => {
            if !understood.questions.is_empty() {
                page.token = state.quiz_staging.put(user.session_id, &file_name, bytes);
            }
            page.understood = Some(understood);
            StatusCode::OK
        }
        Err(ReadFailure::Unreadable(message)) => {
            page.error = Some(message);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(busy @ ReadFailure::Busy) => {
            page.error = Some(busy.to_string());
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(ReadFailure::Database(e)) => return Err(e.into()),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The confirm form: the staged file's token.
#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    token: String,
}

/// Stores what the preview showed: the understood questions, the rest left out (a file with the
/// template's header only when every row was understood).
pub(super) async fn confirm(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let (file_name, bytes) = state
        .quiz_staging
        .take(user.session_id, form.token.trim())
        .ok_or_else(|| AppError::BadRequest("上传的题库已过期（只保留15分钟）或已导入，请重新上传".into()))?;
    let mut page = ImportPage::new(&user);
    page.file_name = file_name.clone();
    let understood = match understand_file(&state.db, &file_name, bytes).await {
        Ok(understood) => understood,
        Err(ReadFailure::Database(e)) => return Err(e.into()),
        Err(other) => return Err(AppError::BadRequest(other.to_string())),
    };
    let status = match store_understood(&state.db, &Actor::user(&user), &file_name, &understood, true).await {
        Ok(stored) => {
            page.stored = Some(stored);
            StatusCode::OK
        }
        Err(refused @ Refusal::NotUnderstood(_)) => {
            page.error = Some(format!("{refused}。带表头的题库要每一行都正确才导入，请改正后重新上传。"));
            page.understood = Some(understood);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(Refusal::Database(e)) => return Err(e.into()),
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// Downloads the bank in the import's header shape; audited.
pub(super) async fn export(State(state): State<AppState>, AdminUser(user): AdminUser) -> AppResult<Response> {
    let questions = store::all(&state.db).await?;
    let count = questions.len();
    let bytes = tokio::task::spawn_blocking(move || super::xlsx::write_questions_xlsx(&questions))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
    audit::record(&state.db, &Actor::user(&user), Action::Export, "题库", &format!("{count}题"), true)
        .await?;
    Ok(crate::web::download::xlsx("questions.xlsx", "题库.xlsx", bytes))
}
