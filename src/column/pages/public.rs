//! What anyone reads without logging in: `/column` (by category), `/column/{id}`, the RSS and
//! Atom feeds, and the column's pictures. Pages carry share tags (WeChat reads `og:*`).

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::base_url;
use crate::auth::CurrentUser;
use crate::column::feed_write::{self, FeedInfo, absolute};
use crate::column::model::ArticleStatus;
use crate::column::store::{self as column, Article};
use crate::db::Db;
use crate::web::extract::{Path, Query, labels};
use crate::web::{AppError, AppResult, Shell, WebConfig};

/// Public pages may show pictures from the outlets an article came from (imported bodies keep
/// their images where they are); everything else stays as strict as the rest of the site.
const PUBLIC_CSP: &str = "default-src 'self'; img-src 'self' data: https: http:; style-src 'self' 'unsafe-inline'; \
                          script-src 'self'; base-uri 'none'; form-action 'self'";

fn public_page(html: String) -> Response {
    let mut response = Html(html).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PUBLIC_CSP));
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// One article as a list shows it.
pub(in crate::column) struct Card {
    id: i64,
    title: String,
    summary: String,
    day: String,
    category: String,
    cover: String,
}

impl Card {
    fn of(a: &Article) -> Self {
        Self {
            id: a.id,
            title: a.title.clone(),
            summary: a.summary.clone(),
            day: a.day(),
            category: a.category().to_owned(),
            cover: a.cover_url.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "column/index.html")]
struct IndexPage {
    shell: Shell,
    base: String,
    category: Option<String>,
    categories: Vec<(String, usize)>,
    cards: Vec<Card>,
    page: usize,
    pages: usize,
}

impl IndexPage {
    /// The address of another page of this list.
    fn page_link(&self, page: usize) -> String {
        match &self.category {
            Some(c) => format!("/column?category={}&page={page}", crate::web::error::urlencode(c)),
            None => format!("/column?page={page}"),
        }
    }
}

/// Articles on one page of the list.
const PAGE_SIZE: usize = 20;

#[derive(Deserialize, Default)]
pub(in crate::column) struct CategoryQuery {
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    page: Option<usize>,
}

labels! {
    CategoryQuery { category: "分类", page: "页码" }
}

fn chosen(query: &CategoryQuery) -> Option<String> {
    query.category.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned)
}

/// `GET /column`: the published articles, newest first, all or in one category.
pub(in crate::column) async fn index(
    State(db): State<Db>,
    State(config): State<Arc<WebConfig>>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Query(query): Query<CategoryQuery>,
) -> AppResult<Response> {
    let category = chosen(&query);
    let count = column::published_count(&db, category.as_deref()).await? as usize;
    let pages = count.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let offset = ((page - 1) * PAGE_SIZE) as i64;
    let articles = column::published_page(&db, category.as_deref(), offset, PAGE_SIZE as i64, false).await?;
    let cards = articles.iter().map(Card::of).collect();
    let title = category.as_deref().map_or("冬训专栏".to_owned(), |c| format!("冬训专栏 · {c}"));
    let page = IndexPage {
        shell: Shell::for_visitor(user.as_ref(), title, "home", &headers),
        base: base_url(&config, &headers),
        categories: column::categories(&db).await?,
        category,
        cards,
        page,
        pages,
    };
    Ok(public_page(page.render()?))
}

#[derive(Template)]
#[template(path = "column/article.html")]
struct ArticlePage {
    shell: Shell,
    url: String,
    image: Option<String>,
    article: Article,
    categories: Vec<String>,
}

/// `GET /column/{id}`: a published article. Anything else is not found, to anyone.
pub(in crate::column) async fn article(
    State(db): State<Db>,
    State(config): State<Arc<WebConfig>>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let article = column::by_id(&db, id).await?.filter(|a| a.status == ArticleStatus::Published);
    let article = article.ok_or(AppError::NotFound)?;
    let base = base_url(&config, &headers);
    let image = match article.cover_url.as_str() {
        "" => first_image(&article.body).map(|src| absolute(&base, src)),
        cover => Some(absolute(&base, cover)),
    };
    let page = ArticlePage {
        shell: Shell::for_visitor(user.as_ref(), article.title.clone(), "home", &headers),
        url: feed_write::article_url(&base, article.id),
        image,
        categories: article.categories().into_iter().map(str::to_owned).collect(),
        article,
    };
    Ok(public_page(page.render()?))
}

/// The first picture of a body, for the share card of an article without a cover.
fn first_image(body: &str) -> Option<&str> {
    let rest = &body[body.find("<img")?..];
    let rest = &rest[rest.find("src=\"")? + 5..];
    rest.split('"').next().filter(|s| !s.is_empty())
}

fn xml(content_type: &'static str, body: String) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

async fn feed(
    db: &Db,
    config: &WebConfig,
    headers: &HeaderMap,
    category: Option<&str>,
    atom: bool,
) -> AppResult<Response> {
    let articles = column::published_page(db, category, 0, feed_write::FEED_LENGTH as i64, true).await?;
    let base = base_url(config, headers);
    let info = FeedInfo { base: &base, category };
    if atom {
        let self_url = match category {
            Some(c) => format!("{base}/column/category/{}/atom.xml", crate::web::error::urlencode(c)),
            None => format!("{base}/column/atom.xml"),
        };
        Ok(xml("application/atom+xml; charset=utf-8", feed_write::atom(&info, &articles, &self_url)))
    } else {
        Ok(xml("application/rss+xml; charset=utf-8", feed_write::rss(&info, &articles)))
    }
}

/// `GET /column/rss.xml[?category=…]`: RSS 2.0, newest first.
pub(in crate::column) async fn rss_feed(
    State(db): State<Db>,
    State(config): State<Arc<WebConfig>>,
    headers: HeaderMap,
    Query(query): Query<CategoryQuery>,
) -> AppResult<Response> {
    feed(&db, &config, &headers, chosen(&query).as_deref(), false).await
}

/// `GET /column/atom.xml[?category=…]`: Atom, newest first.
pub(in crate::column) async fn atom_feed(
    State(db): State<Db>,
    State(config): State<Arc<WebConfig>>,
    headers: HeaderMap,
    Query(query): Query<CategoryQuery>,
) -> AppResult<Response> {
    feed(&db, &config, &headers, chosen(&query).as_deref(), true).await
}

/// `GET /column/category/{category}/rss.xml`.
pub(in crate::column) async fn category_rss(
    State(db): State<Db>,
    State(config): State<Arc<WebConfig>>,
    headers: HeaderMap,
    Path(category): Path<String>,
) -> AppResult<Response> {
    feed(&db, &config, &headers, Some(&category), false).await
}

/// `GET /column/category/{category}/atom.xml`.
pub(in crate::column) async fn category_atom(
    State(db): State<Db>,
    State(config): State<Arc<WebConfig>>,
    headers: HeaderMap,
    Path(category): Path<String>,
) -> AppResult<Response> {
    feed(&db, &config, &headers, Some(&category), true).await
}

/// `GET /column/images/{id}.jpg`: an uploaded picture (a re-encoded JPEG), for anyone.
pub(in crate::column) async fn image(State(db): State<Db>, Path(name): Path<String>) -> AppResult<Response> {
    let id: i64 = name.strip_suffix(".jpg").and_then(|n| n.parse().ok()).ok_or(AppError::NotFound)?;
    let jpeg = column::image(&db, id).await?.ok_or(AppError::NotFound)?;
    let headers = [
        (header::CONTENT_TYPE, "image/jpeg"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_DISPOSITION, "inline"),
        (header::CACHE_CONTROL, "public, max-age=86400"),
    ];
    Ok((headers, jpeg).into_response())
}
