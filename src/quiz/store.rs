//! The question bank's SQL: store questions once each (by their duplicate key), list them with
//! filters and pages, read them all for the export.

use std::collections::HashSet;

use chrono::Utc;

use super::model::{Question, QuestionKind};
use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// A stored question.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredQuestion {
    /// Its id.
    pub id: i64,
    /// 题型.
    pub kind: QuestionKind,
    /// 题干.
    pub stem: String,
    /// 选项A.
    pub option_a: String,
    /// 选项B.
    pub option_b: String,
    /// 选项C.
    pub option_c: String,
    /// 选项D.
    pub option_d: String,
    /// 选项E.
    pub option_e: String,
    /// 选项F.
    pub option_f: String,
    /// 答案.
    pub answer: String,
    /// 解析.
    pub explanation: String,
    /// 分类.
    pub category: String,
    /// 难度.
    pub difficulty: String,
    /// 来源.
    pub source: String,
}

impl StoredQuestion {
    /// The question as imported and exported.
    pub fn question(&self) -> Question {
        let options =
            [&self.option_a, &self.option_b, &self.option_c, &self.option_d, &self.option_e, &self.option_f];
        let mut options: Vec<String> = options.iter().map(|o| (*o).clone()).collect();
        while options.last().is_some_and(String::is_empty) {
            options.pop();
        }
        Question {
            kind: Some(self.kind),
            stem: self.stem.clone(),
            options,
            answer: self.answer.clone(),
            explanation: self.explanation.clone(),
            category: self.category.clone(),
            difficulty: self.difficulty.clone(),
            source: self.source.clone(),
        }
    }

    /// The options with their letters, for the list page.
    pub fn lettered_options(&self) -> Vec<(char, String)> {
        self.question().lettered()
    }
}

const SELECT: &str = "SELECT id, kind, stem, option_a, option_b, option_c, option_d, option_e, option_f, \
                      answer, explanation, category, difficulty, source FROM questions";

/// The duplicate keys of every stored question.
pub async fn keys(db: &Db) -> Result<HashSet<String>, sqlx::Error> {
    let keys: Vec<String> =
        on_db!(db, pool => sqlx::query_scalar("SELECT stem_key FROM questions").fetch_all(pool).await?);
    Ok(keys.into_iter().collect())
}

/// Stores each question unless one with its key is stored already; returns how many were new.
pub async fn insert_all(
    tx: &mut Tx,
    questions: &[Question],
    user_id: Option<i64>,
) -> Result<usize, sqlx::Error> {
    let now = Utc::now();
    let mut inserted = 0;
    for q in questions {
        let option = |i: usize| q.options.get(i).cloned().unwrap_or_default();
        let done = on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO questions (kind, stem, stem_key, option_a, option_b, option_c, option_d, \
                 option_e, option_f, answer, explanation, category, difficulty, source, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                 ON CONFLICT (stem_key) DO NOTHING",
            )
            .bind(q.kind())
            .bind(&q.stem)
            .bind(q.key())
            .bind(option(0))
            .bind(option(1))
            .bind(option(2))
            .bind(option(3))
            .bind(option(4))
            .bind(option(5))
            .bind(&q.answer)
            .bind(&q.explanation)
            .bind(&q.category)
            .bind(&q.difficulty)
            .bind(&q.source)
            .bind(now)
            .bind(user_id)
            .execute(conn)
            .await?
            .rows_affected()
        });
        inserted += done as usize;
    }
    Ok(inserted)
}

/// What the bank list shows: a category, a kind, words in the stem; a page.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Exact category, or all.
    pub category: Option<String>,
    /// One kind, or all.
    pub kind: Option<QuestionKind>,
    /// Words the stem contains.
    pub search: Option<String>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to show.
    pub limit: i64,
}

/// A page of questions matching `filter`, and how many match in all.
pub async fn list(db: &Db, filter: &Filter) -> Result<(Vec<StoredQuestion>, i64), sqlx::Error> {
    let condition =
        "WHERE ($1 = '' OR category = $1) AND ($2 = '' OR kind = $2) AND ($3 = '' OR stem LIKE $3)";
    let category = filter.category.clone().unwrap_or_default();
    let kind = filter.kind.map(|k| k.code().to_owned()).unwrap_or_default();
    let search =
        filter.search.as_ref().map(|s| format!("%{}%", s.replace(['%', '_'], ""))).unwrap_or_default();
    let rows_sql = format!("{SELECT} {condition} ORDER BY id LIMIT $4 OFFSET $5");
    let count_sql = format!("SELECT COUNT(*) FROM questions {condition}");
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, StoredQuestion>(&rows_sql)
            .bind(&category).bind(&kind).bind(&search).bind(filter.limit).bind(filter.offset)
            .fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(&category).bind(&kind).bind(&search)
            .fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// The categories in use, sorted.
pub async fn categories(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT category FROM questions WHERE category <> '' ORDER BY category"
    ).fetch_all(pool).await)
}

/// Every question, in the order stored.
pub async fn all(db: &Db) -> Result<Vec<Question>, sqlx::Error> {
    let sql = format!("{SELECT} ORDER BY id");
    let rows: Vec<StoredQuestion> = on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await?);
    Ok(rows.iter().map(StoredQuestion::question).collect())
}

/// Question `id`.
pub async fn one(db: &Db, id: i64) -> Result<Option<StoredQuestion>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Replaces question `id` with `q` (its duplicate key too); false, changing nothing, when
/// another question already has that key.
pub async fn update(tx: &mut Tx, id: i64, q: &Question) -> Result<bool, sqlx::Error> {
    let taken: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT id FROM questions WHERE stem_key = $1 AND id <> $2",
    ).bind(q.key()).bind(id).fetch_optional(&mut *conn).await?);
    if taken.is_some() {
        return Ok(false);
    }
    let option = |i: usize| q.options.get(i).cloned().unwrap_or_default();
    on_tx!(tx, conn => sqlx::query(
        "UPDATE questions SET kind = $1, stem = $2, stem_key = $3, option_a = $4, option_b = $5, option_c = $6, \
         option_d = $7, option_e = $8, option_f = $9, answer = $10, explanation = $11, category = $12, \
         difficulty = $13 WHERE id = $14",
    )
    .bind(q.kind()).bind(&q.stem).bind(q.key()).bind(option(0)).bind(option(1)).bind(option(2))
    .bind(option(3)).bind(option(4)).bind(option(5)).bind(&q.answer).bind(&q.explanation)
    .bind(&q.category).bind(&q.difficulty).bind(id)
    .execute(&mut *conn).await?.rows_affected());
    Ok(true)
}
