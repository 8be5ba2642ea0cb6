//! [`CurrentUser`]: the logged-in user of a request, read from the login-session cookie, with the
//! unit subtree every query must stay inside.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};

use super::Role;
use super::login_session::{self, COOKIE, token_hash};
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;
use crate::web::csrf::cookie_value;
use crate::web::shell::Prefs;
use crate::web::{AppError, WebConfig};

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
    /// Their unit's materialised path, e.g. `/0000000001/0000000003/`.
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
    /// This user's subtree: every query they make stays inside it.
    pub fn scope(&self) -> Scope {
        Scope::of_unit(&self.unit_path)
    }

    /// Whether a unit path lies inside this user's subtree.
    pub fn covers(&self, unit_path: &str) -> bool {
        self.scope().covers(unit_path)
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
    role: Role,
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

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    Db: FromRef<S>,
    Arc<WebConfig>: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let db = Db::from_ref(state);
        let config = Arc::<WebConfig>::from_ref(state);
        let unauthenticated = || AppError::Unauthenticated { next: parts.uri.path().to_owned() };
        let token = cookie_value(&parts.headers, COOKIE).ok_or_else(unauthenticated)?;
        let row = live_row(&db, &config, &token).await?.ok_or_else(unauthenticated)?;
        if row.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&parts.uri.path()) {
            // Back to this page once the password is changed (a check-in, with its code).
            let next = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
            return Err(AppError::MustChangePassword { next });
        }
        let ip = client_ip(parts, &config.trusted_proxies);
        Ok(row.into_user(&parts.headers, ip))
    }
}

/// The live login session a cookie's token names, touched when due; an idle one is ended.
async fn live_row(db: &Db, config: &WebConfig, token: &str) -> Result<Option<SessionRow>, AppError> {
    let row: Option<SessionRow> = on_db!(db, pool => {
        sqlx::query_as(SESSION_SQL).bind(token_hash(token)).fetch_optional(pool).await?
    });
    let Some(row) = row else {
        return Ok(None);
    };
    let idle = Utc::now() - row.last_seen_at;
    if idle.to_std().unwrap_or_default() > config.session_idle {
        login_session::end(db, row.session_id).await?;
        return Ok(None);
    }
    if idle.num_seconds() > login_session::TOUCH_AFTER_SECONDS {
        login_session::touch(db, row.session_id).await?;
    }
    Ok(Some(row))
}

impl SessionRow {
    fn into_user(self, headers: &HeaderMap, ip: String) -> CurrentUser {
        CurrentUser {
            user_id: self.user_id,
            session_id: self.session_id,
            name: self.name,
            phone: self.phone,
            role: self.role,
            unit_id: self.unit_id,
            unit_path: self.unit_path,
            unit_name: self.unit_name,
            member_id: self.member_id,
            csrf_token: self.csrf_token,
            prefs: Prefs::from_headers(headers),
            ip,
        }
    }
}

/// Whoever the request's cookies name, to frame a page that no handler renders (an error page):
/// the logged-in user, or nobody. Nothing is refused here.
pub(super) async fn viewer(db: &Db, config: &WebConfig, headers: &HeaderMap) -> Option<CurrentUser> {
    let token = cookie_value(headers, COOKIE)?;
    let row = live_row(db, config, &token).await.ok()??;
    Some(row.into_user(headers, String::new()))
}

impl<S> axum::extract::OptionalFromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    Db: FromRef<S>,
    Arc<WebConfig>: FromRef<S>,
{
    type Rejection = AppError;

    /// Pages open to everyone (check-in) still know a logged-in member; a visitor without a
    /// session is simply anonymous there. Someone logged in with a one-time password is led to
    /// change it and brought back here ([`AppError::MustChangePassword`]): as a visitor they would
    /// be sent a form whose token their login refuses.
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, AppError> {
        match <CurrentUser as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::Unauthenticated { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// The client's address: the peer's, unless the peer is one of the `trusted` proxies, whose
/// `X-Forwarded-For` (the rightmost entry it did not add itself) or `X-Real-IP` names the client.
/// From any other peer those headers are ignored, since anyone can send them.
pub fn client_ip(parts: &Parts, trusted: &[IpAddr]) -> String {
    match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        Some(info) => client_address(info.0.ip(), &parts.headers, trusted).to_string(),
        None => "unknown".to_owned(),
    }
}

/// [`client_ip`] from its parts: the peer and the request headers.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|entry| entry.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    // Walk back through the proxies we trust; the first address they did not vouch for is the client.
    for entry in forwarded.into_iter().rev() {
        match entry {
            Some(ip) if trusted.contains(&ip) => continue,
            Some(ip) => return ip,
            None => break,
        }
    }
    headers.get("x-real-ip").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok()).unwrap_or(peer)
}

/// Whether the request reached us over https: always with `--https`, or when a trusted proxy says
/// so (`X-Forwarded-Proto: https`); from anyone else the header is ignored.
pub fn served_over_https(peer: IpAddr, headers: &HeaderMap, config: &WebConfig) -> bool {
    config.https
        || (config.trusted_proxies.contains(&peer)
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https")))
}
