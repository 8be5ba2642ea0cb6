//! Accounts' SQL. Every query that lists or changes accounts takes the acting admin's subtree
//! pattern, so ids from other villages are simply not found.

use chrono::{DateTime, Utc};

use super::Role;
use crate::db::Db;
use crate::on_db;

/// One row of `users`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Login phone number.
    pub phone: String,
    /// Display name.
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role code.
    pub role: String,
    /// The unit the account belongs to (its subtree is what it administers).
    pub unit_id: i64,
    /// Linked member record.
    pub member_id: Option<i64>,
    /// Holds a one-time password.
    pub must_change_password: bool,
    /// May log in.
    pub active: bool,
    /// Created (UTC).
    pub created_at: DateTime<Utc>,
}

/// An account as listed for admins, with its unit's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountListing {
    /// Id.
    pub id: i64,
    /// Login phone.
    pub phone: String,
    /// Name.
    pub name: String,
    /// Role code.
    pub role: String,
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

/// Finds an account by login phone (any unit: used by login).
pub async fn by_phone(db: &Db, phone: &str) -> Result<Option<User>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT * FROM users WHERE phone = $1").bind(phone).fetch_optional(pool).await
    })
}

/// Finds an account by id, only inside the scope pattern.
pub async fn by_id_in_scope(db: &Db, id: i64, scope: &str) -> Result<Option<User>, sqlx::Error> {
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

/// Lists the accounts inside the scope pattern, by unit then name.
pub async fn list_in_scope(db: &Db, scope: &str) -> Result<Vec<AccountListing>, sqlx::Error> {
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

/// Counts the accounts inside the scope pattern.
pub async fn count_in_scope(db: &Db, scope: &str) -> Result<i64, sqlx::Error> {
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
pub async fn insert(db: &Db, user: &NewUser<'_>) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = on_db!(db, pool => {
        sqlx::query_as(
            "INSERT INTO users (phone, name, password_hash, role, unit_id, member_id, \
             must_change_password, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8) RETURNING id",
        )
        .bind(user.phone)
        .bind(user.name)
        .bind(user.password_hash)
        .bind(user.role.code())
        .bind(user.unit_id)
        .bind(user.member_id)
        .bind(user.must_change_password)
        .bind(Utc::now())
        .fetch_one(pool)
        .await?
    });
    Ok(id)
}

/// Replaces a password; `one_time` forces a change at next login.
pub async fn set_password(db: &Db, id: i64, hash: &str, one_time: bool) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
            .bind(hash)
            .bind(one_time)
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Changes role and unit.
pub async fn set_role(db: &Db, id: i64, role: Role, unit_id: i64) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE users SET role = $1, unit_id = $2 WHERE id = $3")
            .bind(role.code())
            .bind(unit_id)
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Enables or disables login.
pub async fn set_active(db: &Db, id: i64, active: bool) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Counts failed logins since `since` for a phone (after its last success) and for an address.
pub async fn recent_failures(
    db: &Db,
    phone: &str,
    ip: &str,
    since: DateTime<Utc>,
) -> Result<(i64, i64, Option<DateTime<Utc>>), sqlx::Error> {
    let by_phone_sql = "SELECT COUNT(*) FROM login_attempts WHERE phone = $1 AND at > $2 \
         AND succeeded = FALSE AND at > COALESCE((SELECT MAX(at) FROM login_attempts \
         WHERE phone = $1 AND succeeded = TRUE), $2)";
    let by_ip_sql =
        "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE ip = $1 AND at > $2 AND succeeded = FALSE";
    let oldest_sql = "SELECT MIN(at) FROM login_attempts WHERE (phone = $1 OR ip = $2) \
         AND at > $3 AND succeeded = FALSE";
    on_db!(db, pool => {
        let (by_phone,): (i64,) =
            sqlx::query_as(by_phone_sql).bind(phone).bind(since).fetch_one(pool).await?;
        let (by_ip, _): (i64, Option<DateTime<Utc>>) =
            sqlx::query_as(by_ip_sql).bind(ip).bind(since).fetch_one(pool).await?;
        let (oldest,): (Option<DateTime<Utc>>,) = sqlx::query_as(oldest_sql)
            .bind(phone)
            .bind(ip)
            .bind(since)
            .fetch_one(pool)
            .await?;
        Ok((by_phone, by_ip, oldest))
    })
}

/// Records a login attempt.
pub async fn record_attempt(db: &Db, phone: &str, ip: &str, succeeded: bool) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("INSERT INTO login_attempts (phone, ip, succeeded, at) VALUES ($1, $2, $3, $4)")
            .bind(phone)
            .bind(ip)
            .bind(succeeded)
            .bind(Utc::now())
            .execute(pool)
            .await?;
    });
    Ok(())
}
