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

/// What throttling needs to know about recent failures, counted after the attempt being judged
/// was recorded (so it counts itself and every attempt that raced it).
#[derive(Debug, Clone, Copy)]
pub struct Failures {
    /// Failures from this address since the address window began, at any account.
    pub by_address: i64,
    /// The oldest of those.
    pub oldest_by_address: Option<DateTime<Utc>>,
    /// Failures from this address at this account since the address window began.
    pub by_address_at_account: i64,
    /// The oldest of those.
    pub oldest_by_address_at_account: Option<DateTime<Utc>>,
    /// Failures for this phone since the account window began and after its last success.
    pub by_account: i64,
    /// The oldest of those.
    pub oldest_by_account: Option<DateTime<Utc>>,
    /// Whether this account has logged in successfully from this address lately.
    pub known_address: bool,
}

/// Counts recent failures for an address and an account; `*_since` start the windows.
pub async fn failures(
    db: &Db,
    phone: &str,
    ip: &str,
    address_since: DateTime<Utc>,
    account_since: DateTime<Utc>,
    known_since: DateTime<Utc>,
) -> Result<Failures, sqlx::Error> {
    let by_address_sql =
        "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE ip = $1 AND at > $2 AND succeeded = FALSE";
    let pair_sql = "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE ip = $1 AND phone = $2 AND at > $3 \
         AND succeeded = FALSE";
    let by_account_sql = "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE phone = $1 AND at > $2 \
         AND succeeded = FALSE AND at > COALESCE((SELECT MAX(at) FROM login_attempts \
         WHERE phone = $1 AND succeeded = TRUE), $2)";
    let known_sql = "SELECT COUNT(*) FROM login_attempts WHERE phone = $1 AND ip = $2 AND at > $3 \
         AND succeeded = TRUE";
    on_db!(db, pool => {
        let (by_address, oldest_by_address): (i64, Option<DateTime<Utc>>) =
            sqlx::query_as(by_address_sql).bind(ip).bind(address_since).fetch_one(pool).await?;
        let (by_address_at_account, oldest_by_address_at_account): (i64, Option<DateTime<Utc>>) =
            sqlx::query_as(pair_sql).bind(ip).bind(phone).bind(address_since).fetch_one(pool).await?;
        let (by_account, oldest_by_account): (i64, Option<DateTime<Utc>>) =
            sqlx::query_as(by_account_sql).bind(phone).bind(account_since).fetch_one(pool).await?;
        let (known,): (i64,) =
            sqlx::query_as(known_sql).bind(phone).bind(ip).bind(known_since).fetch_one(pool).await?;
        Ok(Failures {
            by_address,
            oldest_by_address,
            by_address_at_account,
            oldest_by_address_at_account,
            by_account,
            oldest_by_account,
            known_address: known > 0,
        })
    })
}

/// Records a login attempt as failed, before anything is checked, and returns its id: counting
/// after recording is what keeps parallel guesses from all passing one check.
pub async fn record_attempt(db: &Db, phone: &str, ip: &str) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO login_attempts (phone, ip, succeeded, at) VALUES ($1, $2, FALSE, $3) RETURNING id",
        )
        .bind(phone)
        .bind(ip)
        .bind(Utc::now())
        .fetch_one(pool)
        .await?;
        Ok(id)
    })
}

/// Marks a recorded attempt as the success it turned out to be.
pub async fn attempt_succeeded(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE login_attempts SET succeeded = TRUE WHERE id = $1").bind(id).execute(pool).await?;
    });
    Ok(())
}

/// Forgets an account's failed logins: an admin's password reset unlocks the account.
pub async fn clear_failures(tx: &mut Tx, phone: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM login_attempts WHERE phone = $1 AND succeeded = FALSE")
            .bind(phone)
            .execute(conn)
            .await?;
    });
    Ok(())
}
