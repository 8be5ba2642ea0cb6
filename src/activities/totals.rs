//! Per-village sums of 冬训+ activities, for pages outside this room.

use chrono::NaiveDate;

use crate::db::Db;
use crate::on_db;

/// What one village (a station or the hub, with every unit under it) did in a stretch of days.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VillageActivityTotals {
    /// The station's (or hub's) unit id.
    pub unit_id: i64,
    /// Activities held.
    pub activities: i64,
    /// Approved volunteer minutes on those activities.
    pub volunteer_minutes: i64,
    /// People served, all categories together.
    pub people_served: i64,
}

/// Sums activities held from `from` to `to` (both included) by each station and the hub,
/// counting an activity of a branch under its station. Villages with nothing are left out.
pub async fn village_totals(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<VillageActivityTotals>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT v.id AS unit_id, COUNT(a.id) AS activities, \
                    CAST(COALESCE(SUM((SELECT COALESCE(SUM(av.minutes_approved), 0) FROM activity_volunteers av \
                         WHERE av.activity_id = a.id AND av.status = 'approved')), 0) AS BIGINT) AS volunteer_minutes, \
                    CAST(COALESCE(SUM(a.served_elderly + a.served_low_income + a.served_disabled + a.served_left_behind \
                         + a.served_children + a.served_others), 0) AS BIGINT) AS people_served \
             FROM units v JOIN units u ON u.path LIKE v.path || '%' JOIN activities a ON a.unit_id = u.id \
             WHERE v.kind IN ('station', 'hub') AND a.held_on >= $1 AND a.held_on <= $2 \
             GROUP BY v.id ORDER BY v.id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    })
}
