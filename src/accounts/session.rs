//! Server-side sessions and the [`CurrentUser`] extractor.
//!
//! The cookie holds a random token; the database holds only its SHA-256, so a copied database
//! does not yield live sessions. Logout deletes the row, ending the session on the server.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::Role;
use crate::db::Db;
use crate::on_db;
use crate::web::csrf::cookie_value;
use crate::web::shell::Prefs;
use crate::web::{AppError, AppState};

/// The session cookie's name.
pub const COOKIE: &str = "dx_session";
/// Unsaved activity shorter than this does not rewrite `last_seen_at`, sparing a write per page.
const TOUCH_AFTER_SECONDS: i64 = 60;

/// 32 random bytes as hex: session tokens, CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The logged-in user of a request, with the unit subtree every query must stay inside.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The account id.
    pub user_id: i64,
    /// The session row, to end it on logout.
    pub session_id: i64,
    /// Display name.
    pub name: String,
    /// Login phone number.
    pub phone: String,
    /// What they may do.
    pub role: Role,
    /// Their unit: a committee admin's is the sub-district root.
    pub unit_id: i64,
    /// Their unit's materialised path, e.g. `/1/3/`.
    pub unit_path: String,
    /// Their unit's name.
    pub unit_name: String,
    /// The member record linked to this account, if any.
    pub member_id: Option<i64>,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// Cookie preferences and flash message.
    pub prefs: Prefs,
    /// Where the request came from, for the audit log.
    pub ip: String,
}

impl CurrentUser {
    /// The `LIKE` pattern matching every unit path inside this user's subtree.
    pub fn scope(&self) -> String {
        format!("{}%", self.unit_path)
    }

    /// Refuses roles outside `allowed`.
    pub fn require(&self, allowed: &[Role]) -> Result<(), AppError> {
        if allowed.contains(&self.role) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// Refuses anyone who does not administer members and accounts.
    pub fn require_admin(&self) -> Result<(), AppError> {
        self.require(&[Role::CommitteeAdmin, Role::StationAdmin])
    }

    /// Whether a unit path lies inside this user's subtree.
    pub fn covers(&self, unit_path: &str) -> bool {
        unit_path.starts_with(&self.unit_path)
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    session_id: i64,
    csrf_token: String,
    last_seen_at: DateTime<Utc>,
    user_id: i64,
    name: String,
    phone: String,
    role: String,
    unit_id: i64,
    member_id: Option<i64>,
    must_change_password: bool,
    unit_path: String,
    unit_name: String,
}

const SESSION_SQL: &str = "SELECT s.id AS session_id, s.csrf_token, s.last_seen_at, u.id AS user_id, \
     u.name, u.phone, u.role, u.unit_id, u.member_id, u.must_change_password, \
     un.path AS unit_path, un.name AS unit_name \
     FROM sessions s JOIN users u ON u.id = s.user_id JOIN units un ON un.id = u.unit_id \
     WHERE s.token_hash = $1 AND u.active = TRUE";

/// Pages a user with a one-time password may still reach.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 3] = ["/password", "/logout", "/preferences/font"];

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let unauthenticated = || AppError::Unauthenticated { next: parts.uri.path().to_owned() };
        let token = cookie_value(&parts.headers, COOKIE).ok_or_else(unauthenticated)?;
        let row: Option<SessionRow> = on_db!(&state.db, pool => {
            sqlx::query_as(SESSION_SQL).bind(token_hash(&token)).fetch_optional(pool).await?
        });
        let row = row.ok_or_else(unauthenticated)?;
        let idle = Utc::now() - row.last_seen_at;
        if idle.to_std().unwrap_or_default() > state.config.session_idle {
            end(&state.db, row.session_id).await?;
            return Err(unauthenticated());
        }
        if idle.num_seconds() > TOUCH_AFTER_SECONDS {
            touch(&state.db, row.session_id).await?;
        }
        if row.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&parts.uri.path()) {
            return Err(AppError::MustChangePassword);
        }
        let role = Role::from_code(&row.role).ok_or(AppError::Forbidden)?;
        Ok(CurrentUser {
            user_id: row.user_id,
            session_id: row.session_id,
            name: row.name,
            phone: row.phone,
            role,
            unit_id: row.unit_id,
            unit_path: row.unit_path,
            unit_name: row.unit_name,
            member_id: row.member_id,
            csrf_token: row.csrf_token,
            prefs: Prefs::from_headers(&parts.headers),
            ip: client_ip(parts),
        })
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    /// Pages open to everyone (check-in) still know a logged-in member; a visitor without a
    /// session, or one who has not yet changed a one-time password, is simply anonymous there.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, AppError> {
        match <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::Unauthenticated { .. } | AppError::MustChangePassword) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// The peer address of the request (the server binds to loopback or sits behind one proxy).
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Starts a session for a user; returns the cookie to set.
pub async fn start(db: &Db, user_id: i64, ip: &str) -> Result<HeaderValue, AppError> {
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
    let cookie = Cookie::build((COOKIE, token)).path("/").http_only(true).same_site(SameSite::Lax).build();
    HeaderValue::from_str(&cookie.to_string()).map_err(|e| AppError::Internal(e.into()))
}

/// Ends one session on the server.
pub async fn end(db: &Db, session_id: i64) -> Result<(), AppError> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(pool).await?;
    });
    Ok(())
}

/// Ends every session of a user (password reset, deactivation).
pub async fn end_all_for_user(db: &Db, user_id: i64) -> Result<(), AppError> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(pool).await?;
    });
    Ok(())
}

async fn touch(db: &Db, session_id: i64) -> Result<(), AppError> {
    on_db!(db, pool => {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(Utc::now())
            .bind(session_id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// The CSRF token of the session a cookie names, if it is live.
pub async fn csrf_token_for(db: &Db, token: &str) -> Result<Option<String>, AppError> {
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
