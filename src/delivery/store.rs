//! Door-to-door study (送学上门): the materials catalogue here; tasks and recorded visits in the
//! submodules, re-exported so callers keep writing `store::deliveries::…`.
//!
//! A task's materials and a visit's books are stored as JSON arrays of material names, so a task
//! keeps saying what it said even if the catalogue is edited later.

mod tasks;
mod visits;

pub use tasks::{
    Created, NewTask, Task, TaskFilter, create_tasks, open_member_ids, overdue_count, task, tasks,
};
pub use visits::{
    NewVisit, Visit, VisitError, of_member as visits_of_member, record_visit, visit, visit_photo,
    visit_topics, visited_member_ids,
};

use super::MaterialKind;
use crate::db::Db;
use crate::on_db;

/// One row of `delivery_materials`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Material {
    /// Id.
    pub id: i64,
    /// e.g. 《习近平谈治国理政》第三卷.
    pub name: String,
    /// What it is.
    pub kind: MaterialKind,
    /// Still offered for new tasks.
    pub active: bool,
}

/// The catalogue, active first, then by name.
pub async fn materials(db: &Db) -> Result<Vec<Material>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, name, kind, active FROM delivery_materials ORDER BY active DESC, kind, name",
        )
        .fetch_all(pool)
        .await
    })
}

/// Adds a material; `Ok(None)` when one with this name exists already.
pub async fn insert_material(db: &Db, name: &str, kind: MaterialKind) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = on_db!(db, pool => {
        sqlx::query_as(
            "INSERT INTO delivery_materials (name, kind, active) VALUES ($1, $2, TRUE) \
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(kind)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(|(id,)| id))
}

/// Offers a material for new tasks again, or stops offering it. Returns whether it exists.
pub async fn set_material_active(db: &Db, id: i64, active: bool) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query("UPDATE delivery_materials SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(done > 0)
}

/// Names from a JSON array ('' and garbage read as none).
pub fn names_from_json(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Names as a JSON array.
pub fn names_to_json(names: &[String]) -> String {
    serde_json::to_string(names).unwrap_or_else(|_| "[]".to_owned())
}
