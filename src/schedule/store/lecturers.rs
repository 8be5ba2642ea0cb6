//! The lecturer pool and venues.

use chrono::Utc;

use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::schedule::model::LecturerKind;
use crate::{on_db, on_tx};

/// One row of `lecturers`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Lecturer {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// What kind of lecturer.
    pub kind: LecturerKind,
    /// Contact phone.
    pub phone: Option<String>,
    /// Home unit: the committee's pool sits at the root, a village's own at its station.
    pub unit_id: i64,
    /// Linked account, if the lecturer logs in.
    pub user_id: Option<i64>,
    /// Topics they lecture on, free text.
    pub topics: String,
    /// When they are available, free text ("周末", "1月上旬").
    pub availability: String,
    /// Still in the pool.
    pub active: bool,
}

/// What an admin fills in for a lecturer.
#[derive(Debug, Clone)]
pub struct LecturerFields {
    /// Name.
    pub name: String,
    /// What kind of lecturer.
    pub kind: LecturerKind,
    /// Contact phone.
    pub phone: Option<String>,
    /// Home unit.
    pub unit_id: i64,
    /// Topics.
    pub topics: String,
    /// Availability.
    pub availability: String,
}

/// One row of `venues`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Venue {
    /// Id.
    pub id: i64,
    /// The unit the room belongs to.
    pub unit_id: i64,
    /// e.g. 蟹塘社区新时代文明实践站会议室.
    pub name: String,
    /// Seats allowed (epidemic limits included).
    pub capacity: i64,
}

/// The lecturers every admin may book: the whole pool (the committee's and every village's).
pub async fn active(db: &Db) -> Result<Vec<Lecturer>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, name, kind, phone, unit_id, user_id, topics, availability, active FROM lecturers \
             WHERE active = TRUE ORDER BY kind, name",
        )
        .fetch_all(pool)
        .await
    })
}

/// One lecturer.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Lecturer>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, name, kind, phone, unit_id, user_id, topics, availability, active FROM lecturers WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

/// The lecturer linked to an account.
pub async fn by_user(db: &Db, user_id: i64) -> Result<Option<Lecturer>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT id, name, kind, phone, unit_id, user_id, topics, availability, active FROM lecturers WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await
    })
}

/// Adds a lecturer; links the account with the same phone, if there is one.
pub async fn insert(tx: &mut Tx, f: &LecturerFields) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO lecturers (name, kind, phone, unit_id, user_id, topics, availability, active, created_at) \
             VALUES ($1, $2, $3, $4, (SELECT id FROM users WHERE phone = $3), $5, $6, TRUE, $7) RETURNING id",
        )
        .bind(&f.name)
        .bind(f.kind)
        .bind(&f.phone)
        .bind(f.unit_id)
        .bind(&f.topics)
        .bind(&f.availability)
        .bind(Utc::now())
        .fetch_one(conn)
        .await?
    });
    Ok(id)
}

/// Venues inside a scope.
pub async fn venues_in_scope(db: &Db, scope: &Scope) -> Result<Vec<Venue>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT v.id, v.unit_id, v.name, v.capacity FROM venues v JOIN units u ON u.id = v.unit_id \
             WHERE u.path LIKE $1 AND v.retired_at IS NULL ORDER BY u.path, v.name",
        )
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// One venue.
pub async fn venue(db: &Db, id: i64) -> Result<Option<Venue>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT id, unit_id, name, capacity FROM venues WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// Adds a venue.
pub async fn insert_venue(tx: &mut Tx, unit_id: i64, name: &str, capacity: i64) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = on_tx!(tx, conn => {
        sqlx::query_as("INSERT INTO venues (unit_id, name, capacity) VALUES ($1, $2, $3) RETURNING id")
            .bind(unit_id)
            .bind(name)
            .bind(capacity)
            .fetch_one(conn)
            .await?
    });
    Ok(id)
}
