//! Door-to-door study (送学上门): the materials catalogue here; tasks and recorded visits in the
//! submodules, re-exported so callers keep writing `store::deliveries::…`.
//!
//! A task's materials and a visit's books are stored as JSON arrays of material names, so a task
//! keeps saying what it said even if the catalogue is edited later. A book-kind material is a
//! library book (`book_id`, migration 0027) whose stock a visit draws down.

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
use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

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
    /// A book's library item (migration 0027): books are the library's, with a stock.
    pub book_id: Option<i64>,
    /// A book's copies in stock.
    pub stock: Option<i64>,
}

impl Material {
    /// A book with no copy left: not to be chosen for a new task or handed over on a visit.
    pub fn out_of_stock(&self) -> bool {
        self.stock == Some(0)
    }

    /// Its kind, with a book's stock: 书籍 · 库存 12 册.
    pub fn label(&self) -> String {
        match self.stock {
            Some(n) => format!("{} · 库存{n}册", self.kind.label()),
            None => self.kind.label().to_owned(),
        }
    }
}

/// The catalogue, active first, then by name; a book with its library stock.
pub async fn materials(db: &Db) -> Result<Vec<Material>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT m.id, m.name, m.kind, m.active, m.book_id, b.stock FROM delivery_materials m \
             LEFT JOIN library_items b ON b.id = m.book_id ORDER BY m.active DESC, m.kind, m.name",
        )
        .fetch_all(pool)
        .await
    })
}

/// Adds a material in the caller's transaction, a book linked to its library item; `Ok(None)`
/// when one with this name exists already (the caller drops the transaction).
pub async fn insert_material_in(
    tx: &mut Tx,
    name: &str,
    kind: MaterialKind,
    book_id: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO delivery_materials (name, kind, active, book_id) VALUES ($1, $2, TRUE, $3) \
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(kind)
        .bind(book_id)
        .fetch_optional(&mut *conn)
        .await
    })
}

/// Adds a book to the catalogue in the caller's transaction: the library's book (with its first
/// 入库 when it comes with copies) and the material that names it. `Ok(None)` when a material
/// with this name exists already: the caller drops the transaction and nothing is kept.
pub async fn insert_book(
    tx: &mut Tx,
    book: &crate::library::stock::NewBook<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    let book_id = crate::library::stock::insert_book(tx, book).await?;
    insert_material_in(tx, book.title, MaterialKind::Book, Some(book_id)).await
}

/// The library books behind material names (the books a visit hands over), in the caller's
/// transaction: (name, book id) for each name that is a book.
pub async fn books_named(tx: &mut Tx, names: &[String]) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let mut out = Vec::new();
    for name in names {
        let row: Option<i64> = on_tx!(tx, conn => {
            sqlx::query_scalar("SELECT book_id FROM delivery_materials WHERE name = $1 AND book_id IS NOT NULL")
                .bind(name)
                .fetch_optional(&mut *conn)
                .await?
        });
        if let Some(id) = row {
            out.push((name.clone(), id));
        }
    }
    Ok(out)
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
