//! Login sessions, kept on the server. ("Session" alone means a training session in this code.)
//!
//! The cookie holds a random token; the database holds only its SHA-256, so a copied database
//! does not yield live logins. Logout deletes the row, ending the login on the server.

use axum::http::{HeaderMap, HeaderValue};
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::db::{Db, Tx};
use crate::web::csrf::{SessionCsrf, cookie_value, random_token};
use crate::web::shell::ShellSource;
use crate::web::{AppError, Shell};
use crate::{on_db, on_tx};

/// The login cookie's name.
pub const COOKIE: &str = "dx_session";
/// Unsaved activity shorter than this does not rewrite `last_seen_at`, sparing a write per page.
pub(super) const TOUCH_AFTER_SECONDS: i64 = 60;

pub(super) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a login session for a user; returns the cookie to set (`Secure` when served over https).
pub async fn start(db: &Db, user_id: i64, ip: &str, secure: bool) -> Result<HeaderValue, AppError> {
    let token = random_token();
    let now = Utc::now();
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, ip, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(random_token())
        .bind(ip)
        .bind(now)
        .execute(pool)
        .await?;
    });
    let cookie = Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build();
    HeaderValue::from_str(&cookie.to_string()).map_err(|e| AppError::Internal(e.into()))
}

/// Ends one session on the server.
pub async fn end(db: &Db, session_id: i64) -> Result<(), AppError> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(pool).await?;
    });
    Ok(())
}

/// Ends every session of a user (password reset, role change, deactivation), in the same
/// transaction as the change that calls for it.
pub async fn end_all_for_user(tx: &mut Tx, user_id: i64) -> Result<(), AppError> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(conn).await?;
    });
    Ok(())
}

/// Ends every session of a user but `keep` (the one changing the password), in the change's
/// transaction.
pub async fn end_others(tx: &mut Tx, user_id: i64, keep: i64) -> Result<(), AppError> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(conn)
            .await?;
    });
    Ok(())
}

pub(super) async fn touch(db: &Db, session_id: i64) -> Result<(), AppError> {
    on_db!(db, pool => {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(Utc::now())
            .bind(session_id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Login sessions as the shell asks about them: the CSRF middleware (which token?) and error
/// pages (whose frame?).
#[derive(Clone)]
pub struct LoginSessions(pub Db, pub std::sync::Arc<crate::web::WebConfig>);

impl ShellSource for LoginSessions {
    async fn shell(&self, headers: &HeaderMap, title: &str) -> Shell {
        match super::current_user::viewer(&self.0, &self.1, headers).await {
            Some(user) => Shell::new(&user, title, ""),
            None => Shell::anonymous(title, headers),
        }
    }
}

impl SessionCsrf for LoginSessions {
    async fn session_token(&self, headers: &HeaderMap) -> Result<Option<String>, AppError> {
        match cookie_value(headers, COOKIE) {
            Some(token) => csrf_token_for(&self.0, &token).await,
            None => Ok(None),
        }
    }
}

/// The CSRF token of the login session a cookie names, if it is live.
async fn csrf_token_for(db: &Db, token: &str) -> Result<Option<String>, AppError> {
    let found: Option<(String,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT csrf_token FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(pool)
            .await?
    });
    Ok(found.map(|(t,)| t))
}

/// The cookie that removes the session cookie from the browser.
pub fn clearing_cookie() -> HeaderValue {
    let cookie =
        Cookie::build((COOKIE, "")).path("/").http_only(true).max_age(cookie::time::Duration::ZERO).build();
    HeaderValue::from_str(&cookie.to_string()).expect("ASCII cookie")
}

/// Whether the request carries any session cookie at all.
pub fn has_cookie(headers: &HeaderMap) -> bool {
    cookie_value(headers, COOKIE).is_some()
}
