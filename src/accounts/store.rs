//! Accounts' SQL. Every query that lists or changes accounts takes the acting admin's subtree,
//! so ids from other villages are simply not found.

use chrono::Utc;

use crate::auth::Role;
pub use crate::auth::store::{User, set_password};
use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::{on_db, on_tx};

/// An account as listed for admins, with its unit's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountListing {
    /// Id.
    pub id: i64,
    /// Login phone.
    pub phone: String,
    /// Name.
    pub name: String,
    /// What the account may do.
    pub role: Role,
    /// Unit name.
    pub unit_name: String,
    /// Still holds a one-time password.
    pub must_change_password: bool,
    /// May log in.
    pub active: bool,
}

/// A new account.
pub struct NewUser<'a> {
    /// Login phone (already validated).
    pub phone: &'a str,
    /// Name.
    pub name: &'a str,
    /// Argon2id hash.
    pub password_hash: &'a str,
    /// Role.
    pub role: Role,
    /// Unit.
    pub unit_id: i64,
    /// Linked member.
    pub member_id: Option<i64>,
    /// Whether the password is one-time.
    pub must_change_password: bool,
}

/// Finds an account by id, only inside the scope.
pub async fn by_id_in_scope(db: &Db, id: i64, scope: &Scope) -> Result<Option<User>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT users.* FROM users JOIN units ON units.id = users.unit_id \
             WHERE users.id = $1 AND units.path LIKE $2",
        )
        .bind(id)
        .bind(scope)
        .fetch_optional(pool)
        .await
    })
}

/// Lists the accounts inside the scope, by unit then name.
pub async fn list_in_scope(db: &Db, scope: &Scope) -> Result<Vec<AccountListing>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT users.id, users.phone, users.name, users.role, units.name AS unit_name, \
             users.must_change_password, users.active \
             FROM users JOIN units ON units.id = users.unit_id \
             WHERE units.path LIKE $1 ORDER BY units.path, CASE users.role WHEN 'committee_admin' THEN 0 \
             WHEN 'station_admin' THEN 1 WHEN 'lecturer' THEN 2 WHEN 'volunteer' THEN 3 ELSE 4 END, users.name",
        )
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// Counts the accounts inside the scope.
pub async fn count_in_scope(db: &Db, scope: &Scope) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT COUNT(*) FROM users JOIN units ON units.id = users.unit_id WHERE units.path LIKE $1",
        )
        .bind(scope)
        .fetch_one(pool)
        .await?
    });
    Ok(count)
}

/// Inserts an account; returns its id.
pub async fn insert(tx: &mut Tx, user: &NewUser<'_>) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO users (phone, name, password_hash, role, unit_id, member_id, \
             must_change_password, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8) RETURNING id",
        )
        .bind(user.phone)
        .bind(user.name)
        .bind(user.password_hash)
        .bind(user.role)
        .bind(user.unit_id)
        .bind(user.member_id)
        .bind(user.must_change_password)
        .bind(Utc::now())
        .fetch_one(conn)
        .await?
    });
    Ok(id)
}

/// Changes role and unit.
pub async fn set_role(tx: &mut Tx, id: i64, role: Role, unit_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE users SET role = $1, unit_id = $2 WHERE id = $3")
            .bind(role)
            .bind(unit_id)
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Enables or disables login.
pub async fn set_active(tx: &mut Tx, id: i64, active: bool) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id)
            .execute(conn)
            .await?;
    });
    Ok(())
}
