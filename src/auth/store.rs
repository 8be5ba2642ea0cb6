//! Authentication's SQL: finding an account to log in, changing its password, and the login
//! attempts that lockout counts.

use chrono::{DateTime, Utc};

use super::Role;
use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

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
    /// What the account may do.
    pub role: Role,
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

/// Finds an account by login phone (any unit: used by login).
pub async fn by_phone(db: &Db, phone: &str) -> Result<Option<User>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT * FROM users WHERE phone = $1").bind(phone).fetch_optional(pool).await
    })
}

/// Replaces a password; `one_time` forces a change at next login.
pub async fn set_password(tx: &mut Tx, id: i64, hash: &str, one_time: bool) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
            .bind(hash)
            .bind(one_time)
            .bind(id)
            .execute(conn)
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
