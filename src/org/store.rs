//! The organisation tree's SQL. Reads take the caller's subtree, a [`Scope`].

use chrono::{DateTime, Utc};

use super::Scope;
pub use super::model::Unit;
use super::model::{UnitKind, child_path};
use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

const UNIT_COLUMNS: &str = "id, parent_id, kind, name, path, sort_order, retired_at, created_at";

/// Every unit (retired too) inside the scope, in tree order.
pub async fn units_in_scope(db: &Db, scope: &Scope) -> Result<Vec<Unit>, sqlx::Error> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE path LIKE $1 ORDER BY path");
    let mut units: Vec<Unit> = on_db!(db, pool => sqlx::query_as(&sql).bind(scope).fetch_all(pool).await?);
    sort_as_tree(&mut units);
    Ok(units)
}

/// Units still in use inside the scope, in tree order.
pub async fn active_units_in_scope(db: &Db, scope: &Scope) -> Result<Vec<Unit>, sqlx::Error> {
    let mut units = units_in_scope(db, scope).await?;
    units.retain(|u| u.retired_at.is_none());
    Ok(units)
}

/// Orders units so each follows its parent, siblings by `sort_order` then name. Paths alone sort
/// `/1/10/` before `/1/2/`, so sort by the chain of (sort_order, name) keys instead.
fn sort_as_tree(units: &mut [Unit]) {
    use std::collections::HashMap;
    let keys: HashMap<i64, (i64, String)> =
        units.iter().map(|u| (u.id, (u.sort_order, u.name.clone()))).collect();
    let chain = |u: &Unit| -> Vec<(i64, String)> {
        u.path
            .split('/')
            .filter_map(|s| s.parse::<i64>().ok())
            .map(|id| keys.get(&id).cloned().unwrap_or((0, String::new())))
            .collect()
    };
    units.sort_by_cached_key(chain);
}

/// Counts units still in use inside the scope.
pub async fn count_in_scope(db: &Db, scope: &Scope) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_db!(db, pool => {
        sqlx::query_as("SELECT COUNT(*) FROM units WHERE path LIKE $1 AND retired_at IS NULL")
            .bind(scope)
            .fetch_one(pool)
            .await?
    });
    Ok(n)
}

/// One unit, only if inside the scope.
pub async fn unit_in_scope(db: &Db, id: i64, scope: &Scope) -> Result<Option<Unit>, sqlx::Error> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1 AND path LIKE $2");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(scope).fetch_optional(pool).await)
}

/// The root unit (the sub-district), if the tree exists yet.
pub async fn root(db: &Db) -> Result<Option<Unit>, sqlx::Error> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1");
    on_db!(db, pool => sqlx::query_as(&sql).fetch_optional(pool).await)
}

/// Adds a unit under `parent` (or the root when `parent` is none); returns it.
pub async fn insert(
    tx: &mut Tx,
    parent: Option<&Unit>,
    kind: UnitKind,
    name: &str,
    sort_order: i64,
) -> Result<Unit, sqlx::Error> {
    let now = Utc::now();
    let sql = format!(
        "INSERT INTO units (parent_id, kind, name, path, sort_order, created_at) \
         VALUES ($1, $2, $3, '', $4, $5) RETURNING {UNIT_COLUMNS}"
    );
    let parent_path = parent.map(|p| p.path.clone()).unwrap_or_else(|| "/".to_owned());
    on_tx!(tx, conn => {
        let mut unit: Unit = sqlx::query_as(&sql)
            .bind(parent.map(|p| p.id))
            .bind(kind)
            .bind(name)
            .bind(sort_order)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
        unit.path = child_path(&parent_path, unit.id);
        sqlx::query("UPDATE units SET path = $1 WHERE id = $2")
            .bind(&unit.path)
            .bind(unit.id)
            .execute(&mut *conn)
            .await?;
        Ok(unit)
    })
}

/// Renames a unit.
pub async fn rename(tx: &mut Tx, id: i64, name: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE units SET name = $1 WHERE id = $2").bind(name).bind(id).execute(conn).await?;
    });
    Ok(())
}

/// Moves a unit (and its whole subtree) under a new parent, rewriting every path in the
/// caller's transaction so the tree is never half-moved.
pub async fn move_under(tx: &mut Tx, unit: &Unit, new_parent: &Unit) -> Result<(), sqlx::Error> {
    let new_path = child_path(&new_parent.path, unit.id);
    let old_len = unit.path.chars().count() as i64;
    let moved = Scope::of_unit(&unit.path);
    on_tx!(tx, conn => {
        sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2")
            .bind(new_parent.id)
            .bind(unit.id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE units SET path = $1 || substr(path, CAST($2 AS INTEGER)) WHERE path LIKE $3")
            .bind(&new_path)
            .bind(old_len + 1)
            .bind(&moved)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// Members (of any status but gone ones) and units still in use under a unit, itself excluded.
pub async fn dependants(db: &Db, unit: &Unit) -> Result<(i64, i64), sqlx::Error> {
    let subtree = Scope::of_unit(&unit.path);
    on_db!(db, pool => {
        let (members,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id \
             WHERE u.path LIKE $1 AND m.status = 'active'",
        )
        .bind(&subtree)
        .fetch_one(pool)
        .await?;
        let (children,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM units WHERE path LIKE $1 AND id <> $2 AND retired_at IS NULL",
        )
        .bind(&subtree)
        .bind(unit.id)
        .fetch_one(pool)
        .await?;
        Ok((members, children))
    })
}

/// Retires or restores a unit.
pub async fn set_retired(tx: &mut Tx, id: i64, retired_at: Option<DateTime<Utc>>) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE units SET retired_at = $1 WHERE id = $2").bind(retired_at).bind(id).execute(conn).await?;
    });
    Ok(())
}

/// Active member counts per unit inside the scope (direct members only).
pub async fn member_counts(db: &Db, scope: &Scope) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT m.unit_id, COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id \
             WHERE u.path LIKE $1 AND m.status = 'active' GROUP BY m.unit_id",
        )
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// A station's brand profile (S7).
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct StationProfile {
    /// 志愿服务品牌.
    pub service_brand: String,
    /// 冬训品牌, e.g. 口袋冬训.
    pub training_brand: String,
    /// 口号.
    pub slogan: String,
    /// 品牌故事.
    pub story: String,
}

/// The profile of a unit (empty when never filled in).
pub async fn profile(db: &Db, unit_id: i64) -> Result<StationProfile, sqlx::Error> {
    let found: Option<StationProfile> = on_db!(db, pool => {
        sqlx::query_as("SELECT service_brand, training_brand, slogan, story FROM station_profiles WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(found.unwrap_or_default())
}

/// Saves a unit's profile (insert or update).
pub async fn save_profile(tx: &mut Tx, unit_id: i64, p: &StationProfile) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO station_profiles (unit_id, service_brand, training_brand, slogan, story, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unit_id) DO UPDATE SET \
             service_brand = excluded.service_brand, training_brand = excluded.training_brand, \
             slogan = excluded.slogan, story = excluded.story, updated_at = excluded.updated_at",
        )
        .bind(unit_id)
        .bind(&p.service_brand)
        .bind(&p.training_brand)
        .bind(&p.slogan)
        .bind(&p.story)
        .bind(Utc::now())
        .execute(conn)
        .await?;
    });
    Ok(())
}
