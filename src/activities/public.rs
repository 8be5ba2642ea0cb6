//! What a village's public brand page shows of its 冬训+ activities: read-only, counts only —
//! no volunteer's or served person's name ever leaves through here.

use chrono::NaiveDate;

use crate::db::Db;
use crate::on_db;

/// One activity as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PublicActivity {
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Its kind's name (春联义写, 走访慰问 …).
    pub kind: String,
    /// Its title.
    pub title: String,
    /// People served, all categories together.
    pub people_served: i64,
}

/// The newest activities held by a village — the unit at `village_path` or any unit under it —
/// at most `limit`, newest first.
pub async fn recent(db: &Db, village_path: &str, limit: i64) -> Result<Vec<PublicActivity>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT a.held_on, k.name AS kind, a.title, \
                    CAST(a.served_elderly + a.served_low_income + a.served_disabled + a.served_left_behind \
                         + a.served_children + a.served_others AS BIGINT) AS people_served \
             FROM activities a JOIN activity_kinds k ON k.id = a.kind_id JOIN units u ON u.id = a.unit_id \
             WHERE u.path LIKE $1 ORDER BY a.held_on DESC, a.id DESC LIMIT $2",
        )
        .bind(format!("{village_path}%"))
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}
