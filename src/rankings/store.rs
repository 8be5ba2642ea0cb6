//! The rankings' SQL: the committee's visibility setting, the names behind ranked ids, and the
//! ledger as the export writes it. Rankings themselves come from the index, never from SQL.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::audit::{self, Action, Actor};
use crate::db::{Db, Tx};
use crate::points::PointKind;
use crate::{on_db, on_tx};

/// Whether members may see other members' names in rankings (the committee's setting).
pub async fn members_see_names(db: &Db) -> Result<bool, sqlx::Error> {
    let value: Option<bool> = on_db!(db, pool => {
        sqlx::query_scalar("SELECT members_see_names FROM ranking_settings WHERE id = 1")
            .fetch_optional(pool)
            .await?
    });
    Ok(value.unwrap_or(false))
}

/// Sets what members may see, audited in the same transaction.
pub async fn set_members_see_names(tx: &mut Tx, see: bool, by: &Actor) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE ranking_settings SET members_see_names = $1, updated_at = $2, updated_by = $3 WHERE id = 1",
        )
        .bind(see)
        .bind(Utc::now())
        .bind(by.user_id)
        .execute(&mut *conn)
        .await?;
    });
    let detail = if see {
        "党员可以看到个人排名（含他人姓名）"
    } else {
        "党员只看单位排名和本人积分、名次"
    };
    audit::record_in(tx, by, Action::Points, "排名显示设置", detail, true).await
}

/// A ranked member as a page or export names them.
#[derive(Debug, Clone)]
pub struct Named {
    /// 姓名.
    pub name: String,
    /// 手机号码, if recorded.
    pub phone: Option<String>,
    /// Their own unit's name (a branch or station).
    pub unit_name: String,
}

/// The names of `members` (ids from the index).
pub async fn names(db: &Db, members: &[i64]) -> Result<HashMap<i64, Named>, sqlx::Error> {
    if members.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found = HashMap::new();
    // Ids from the index, formatted here; chunks keep the statement small.
    for chunk in members.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT m.id, m.name, m.phone, u.name FROM members m JOIN units u ON u.id = m.unit_id WHERE m.id IN ({})",
            list.join(",")
        );
        let rows: Vec<(i64, String, Option<String>, String)> =
            on_db!(db, pool => { sqlx::query_as(&sql).fetch_all(pool).await? });
        for (id, name, phone, unit_name) in rows {
            found.insert(id, Named { name, phone, unit_name });
        }
    }
    Ok(found)
}

/// Every unit's name by id.
pub async fn unit_names(db: &Db) -> Result<HashMap<i64, String>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        on_db!(db, pool => { sqlx::query_as("SELECT id, name FROM units").fetch_all(pool).await? });
    Ok(rows.into_iter().collect())
}

/// One ledger entry as the export writes it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerLine {
    /// Entry id.
    pub id: i64,
    /// 姓名.
    pub name: String,
    /// 手机号码.
    pub phone: Option<String>,
    /// The member's unit.
    pub unit_name: String,
    /// Kind of activity.
    pub kind: PointKind,
    /// Points.
    pub points: i64,
    /// The day it counts for.
    pub earned_on: NaiveDate,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// The entry it corrects.
    pub corrects_entry_id: Option<i64>,
    /// Whether the attendance it was earned by was self-declared (自报) by the member.
    pub self_declared: bool,
}

/// The whole ledger, in id order. An attendance's entries (item `session:{id}`) say whether that
/// attendance was self-declared.
pub async fn ledger(db: &Db) -> Result<Vec<LedgerLine>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT e.id, m.name, m.phone, u.name AS unit_name, e.kind, e.points, e.earned_on, e.at, e.reason, \
             e.corrects_entry_id, COALESCE(a.self_declared, FALSE) AS self_declared \
             FROM point_entries e JOIN members m ON m.id = e.member_id JOIN units u ON u.id = m.unit_id \
             LEFT JOIN attendances a ON e.kind = 'attendance' AND a.member_id = e.member_id \
             AND e.item_key = 'session:' || CAST(a.session_id AS TEXT) ORDER BY e.id",
        )
        .fetch_all(pool)
        .await
    })
}

/// The path of a member's unit.
pub async fn member_unit_path(db: &Db, member: i64) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT u.path FROM members m JOIN units u ON u.id = m.unit_id WHERE m.id = $1")
            .bind(member)
            .fetch_optional(pool)
            .await
    })
}
