//! The column's SQL: articles, their pictures, and the syndication log.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{ArticleFields, ArticleStatus};
use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// A stored article.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Article {
    /// Its id (and its public address, `/column/{id}`).
    pub id: i64,
    /// 标题.
    pub title: String,
    /// 作者.
    pub author: String,
    /// 分类, one per line.
    pub categories: String,
    /// 摘要.
    pub summary: String,
    /// The sanitised HTML body.
    pub body: String,
    /// 封面: an absolute URL or this site's `/column/images/…` path; empty when none.
    pub cover_url: String,
    /// Whether comments are open (kept for Hexo).
    pub comments: bool,
    /// 草稿, 待审核 or 已发布.
    pub status: ArticleStatus,
    /// Its date: when it was published (or written, while a draft), or the imported post's.
    pub dated_at: DateTime<Utc>,
    /// The station it was written for; `None` for the sub-district's own.
    pub unit_id: Option<i64>,
    /// The imported file or entry it came from.
    pub source_key: Option<String>,
}

impl Article {
    /// Its categories in order.
    pub fn categories(&self) -> Vec<&str> {
        self.categories.lines().filter(|c| !c.is_empty()).collect()
    }

    /// The category it is listed under.
    pub fn category(&self) -> &str {
        self.categories().first().copied().unwrap_or("")
    }

    /// Its date as shown (Shanghai day).
    pub fn day(&self) -> String {
        self.dated_at.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d").to_string()
    }
}

const SELECT: &str = "SELECT id, title, author, categories, summary, body, cover_url, comments, status, \
                      dated_at, unit_id, source_key FROM column_articles";

/// `WHERE` for published articles, in the category `$1` matches when it is not NULL (a pattern
/// from [`category_pattern`]; `$2` is a new line, bound so both dialects read it alike).
const PUBLISHED_IN: &str = "WHERE status = 'published' AND ($1 IS NULL OR \
                            (CAST($2 AS TEXT) || categories || CAST($2 AS TEXT)) LIKE $1 ESCAPE '!')";

/// The LIKE pattern of a whole line equal to `category` among the stored categories.
fn category_pattern(category: Option<&str>) -> Option<String> {
    category.map(|c| {
        let escaped = c.replace('!', "!!").replace('%', "!%").replace('_', "!_");
        format!("%\n{escaped}\n%")
    })
}

/// Published articles, newest first, in `category` when one is given: `limit` of them from
/// `offset`. `with_body = false` leaves bodies out (a list shows none).
pub async fn published_page(
    db: &Db,
    category: Option<&str>,
    offset: i64,
    limit: i64,
    with_body: bool,
) -> Result<Vec<Article>, sqlx::Error> {
    let columns = if with_body { SELECT.to_owned() } else { SELECT.replace(" body,", " '' AS body,") };
    let sql = format!("{columns} {PUBLISHED_IN} ORDER BY dated_at DESC, id DESC LIMIT $3 OFFSET $4");
    let pattern = category_pattern(category);
    Ok(on_db!(db, pool => sqlx::query_as(&sql)
        .bind(&pattern)
        .bind("\n")
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?))
}

/// How many articles are published (in `category`).
pub async fn published_count(db: &Db, category: Option<&str>) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM column_articles {PUBLISHED_IN}");
    let pattern = category_pattern(category);
    Ok(on_db!(db, pool => sqlx::query_scalar(&sql).bind(&pattern).bind("\n").fetch_one(pool).await?))
}

/// Every published article, newest first, in `category` when one is given.
pub async fn published(db: &Db, category: Option<&str>) -> Result<Vec<Article>, sqlx::Error> {
    published_page(db, category, 0, i64::MAX, true).await
}

/// The published articles' categories with their counts, most used first.
pub async fn categories(db: &Db) -> Result<Vec<(String, usize)>, sqlx::Error> {
    let all: Vec<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT categories FROM column_articles WHERE status = 'published' ORDER BY dated_at DESC, id DESC",
    )
    .fetch_all(pool)
    .await?);
    let mut counts: Vec<(String, usize)> = Vec::new();
    for line in all.iter().flat_map(|c| c.lines()).filter(|c| !c.is_empty()) {
        match counts.iter_mut().find(|(name, _)| name == line) {
            Some((_, n)) => *n += 1,
            None => counts.push((line.to_owned(), 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    Ok(counts)
}

/// One article, whatever its status.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Article>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE id = $1");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// The articles staff see: every one for the committee (`unit = None`), a station's own for
/// its admin. Newest first.
pub async fn for_staff(db: &Db, unit: Option<i64>) -> Result<Vec<Article>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE ($1 IS NULL OR unit_id = $1) ORDER BY dated_at DESC, id DESC");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(unit).fetch_all(pool).await?))
}

/// Every article for the export, oldest first; drafts and those in review only with `all`.
pub async fn for_export(db: &Db, all: bool) -> Result<Vec<Article>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE ($1 OR status = 'published') ORDER BY dated_at, id");
    Ok(on_db!(db, pool => sqlx::query_as(&sql).bind(all).fetch_all(pool).await?))
}

/// A new article.
pub struct NewArticle<'a> {
    /// Its fields.
    pub fields: &'a ArticleFields,
    /// Comments open.
    pub comments: bool,
    /// Its status (imports and writers start as drafts).
    pub status: ArticleStatus,
    /// Its date.
    pub dated_at: DateTime<Utc>,
    /// The station it is written for.
    pub unit_id: Option<i64>,
    /// Who wrote it (`None` from the command line).
    pub created_by: Option<i64>,
    /// What names an imported file or entry.
    pub source_key: Option<&'a str>,
}

/// Stores an article; `None` when its `source_key` was imported already.
pub async fn insert(tx: &mut Tx, new: &NewArticle<'_>) -> Result<Option<i64>, sqlx::Error> {
    let f = new.fields;
    let id = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO column_articles (title, author, categories, summary, body, cover_url, comments, status, \
         dated_at, updated_at, unit_id, created_by, source_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (source_key) DO NOTHING RETURNING id",
    )
    .bind(&f.title)
    .bind(&f.author)
    .bind(&f.categories)
    .bind(&f.summary)
    .bind(&f.body)
    .bind(&f.cover_url)
    .bind(new.comments)
    .bind(new.status)
    .bind(new.dated_at)
    .bind(Utc::now())
    .bind(new.unit_id)
    .bind(new.created_by)
    .bind(new.source_key)
    .fetch_optional(conn)
    .await?);
    Ok(id)
}

/// Replaces an article's fields.
pub async fn update(tx: &mut Tx, id: i64, f: &ArticleFields) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE column_articles SET title = $1, author = $2, categories = $3, summary = $4, body = $5, \
         cover_url = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&f.title)
    .bind(&f.author)
    .bind(&f.categories)
    .bind(&f.summary)
    .bind(&f.body)
    .bind(&f.cover_url)
    .bind(Utc::now())
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Moves an article from `from` to `to` (and to `dated_at` when given); false when it was no
/// longer in `from` (someone else moved it first).
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    from: ArticleStatus,
    to: ArticleStatus,
    dated_at: Option<DateTime<Utc>>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE column_articles SET status = $1, dated_at = COALESCE($2, dated_at), updated_at = $3 \
         WHERE id = $4 AND status = $5",
    )
    .bind(to)
    .bind(dated_at)
    .bind(Utc::now())
    .bind(id)
    .bind(from)
    .execute(conn)
    .await?
    .rows_affected());
    Ok(done == 1)
}

/// Stores an uploaded picture (already re-encoded); its id names it at `/column/images/{id}.jpg`.
pub async fn insert_image(tx: &mut Tx, jpeg: &[u8], created_by: Option<i64>) -> Result<i64, sqlx::Error> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO column_images (jpeg, created_at, created_by) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(jpeg)
    .bind(Utc::now())
    .bind(created_by)
    .fetch_one(conn)
    .await?))
}

/// A stored picture.
pub async fn image(db: &Db, id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    Ok(on_db!(db, pool => sqlx::query_scalar("SELECT jpeg FROM column_images WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// One outlet that carried an article.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Syndication {
    /// 媒体 (微溧水, 学习强国, 新华网, …).
    pub outlet: String,
    /// Where it can be read there.
    pub url: String,
    /// 刊发日期.
    pub carried_on: NaiveDate,
}

/// Records that `outlet` carried an article.
pub async fn add_syndication(
    tx: &mut Tx,
    article_id: i64,
    s: &Syndication,
    created_by: Option<i64>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO column_syndications (article_id, outlet, url, carried_on, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(article_id)
    .bind(&s.outlet)
    .bind(&s.url)
    .bind(s.carried_on)
    .bind(Utc::now())
    .bind(created_by)
    .execute(conn)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A line of an article's syndication log, with its id (so a mistaken line can be removed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoggedSyndication {
    /// The line's id.
    pub id: i64,
    /// What it says.
    #[sqlx(flatten)]
    pub entry: Syndication,
}

/// Removes a mistaken line of an article's log; false when there is no such line on that article.
pub async fn remove_syndication(tx: &mut Tx, article_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query("DELETE FROM column_syndications WHERE id = $1 AND article_id = $2")
        .bind(id)
        .bind(article_id)
        .execute(conn)
        .await?
        .rows_affected());
    Ok(done == 1)
}

/// Where an article was carried, newest first.
pub async fn syndications(db: &Db, article_id: i64) -> Result<Vec<LoggedSyndication>, sqlx::Error> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, outlet, url, carried_on FROM column_syndications WHERE article_id = $1 \
         ORDER BY carried_on DESC, id DESC",
    )
    .bind(article_id)
    .fetch_all(pool)
    .await?))
}

/// How many articles each outlet carried (among those staff see), most first.
pub async fn outlet_counts(db: &Db, unit: Option<i64>) -> Result<Vec<(String, i64)>, sqlx::Error> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT s.outlet, COUNT(*) FROM column_syndications s JOIN column_articles a ON a.id = s.article_id \
         WHERE ($1 IS NULL OR a.unit_id = $1) GROUP BY s.outlet ORDER BY COUNT(*) DESC, s.outlet",
    )
    .bind(unit)
    .fetch_all(pool)
    .await?))
}
