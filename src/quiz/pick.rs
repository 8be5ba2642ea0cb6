//! Questions picked from the bank for other rooms (the live contest): by id, or a random few of
//! a category.

use super::store::StoredQuestion;
use crate::db::Db;
use crate::on_db;

const COLUMNS: &str = "id, kind, stem, option_a, option_b, option_c, option_d, option_e, option_f, \
                       answer, explanation, category, difficulty, source";

/// The questions with these ids that exist, in the order the ids are given.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<StoredQuestion>, sqlx::Error> {
    let mut found = Vec::with_capacity(ids.len());
    let sql = format!("SELECT {COLUMNS} FROM questions WHERE id = $1");
    for id in ids {
        let row: Option<StoredQuestion> =
            on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?);
        found.extend(row);
    }
    Ok(found)
}

/// The ids of `count` questions drawn at random from `category` (any category when empty).
pub async fn random_ids(db: &Db, category: &str, count: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT id FROM questions WHERE ($1 = '' OR category = $1) ORDER BY RANDOM() LIMIT $2"
    ).bind(category).bind(count).fetch_all(pool).await)
}
