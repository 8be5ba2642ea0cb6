//! Role extractors: a handler states who may call it in its signature (`AdminUser(user):
//! AdminUser`), so the check cannot be forgotten in its body. Each wraps the [`CurrentUser`] and
//! derefs to it; a logged-in user of another role is refused with [`AppError::Forbidden`], and a
//! visitor without a session is still sent to the login page.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use super::{CurrentUser, Role};
use crate::db::Db;
use crate::web::shell::{NavItem, Prefs, Viewer};
use crate::web::{AppError, WebConfig};

/// The current user, refused unless `allowed` accepts their role.
async fn with_role<S>(
    parts: &mut Parts,
    state: &S,
    allowed: fn(Role) -> bool,
) -> Result<CurrentUser, AppError>
where
    S: Send + Sync,
    Db: FromRef<S>,
    Arc<WebConfig>: FromRef<S>,
{
    let user = <CurrentUser as FromRequestParts<S>>::from_request_parts(parts, state).await?;
    if allowed(user.role) { Ok(user) } else { Err(AppError::Forbidden) }
}

/// Defines a role extractor: a newtype over [`CurrentUser`] admitting the roles `$allowed`
/// accepts.
macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $allowed:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub CurrentUser);

        impl Deref for $name {
            type Target = CurrentUser;

            fn deref(&self) -> &CurrentUser {
                &self.0
            }
        }

        /// Frames a page exactly as for the user inside.
        impl Viewer for $name {
            fn display_name(&self) -> &str {
                self.0.display_name()
            }

            fn role_and_unit(&self) -> String {
                self.0.role_and_unit()
            }

            fn nav(&self, section: &str) -> Vec<NavItem> {
                self.0.nav(section)
            }

            fn prefs(&self) -> &Prefs {
                self.0.prefs()
            }

            fn csrf_token(&self) -> &str {
                self.0.csrf_token()
            }
        }

        impl<S> FromRequestParts<S> for $name
        where
            S: Send + Sync,
            Db: FromRef<S>,
            Arc<WebConfig>: FromRef<S>,
        {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
                with_role(parts, state, $allowed).await.map($name)
            }
        }
    };
}

role_extractor!(
    /// A committee or station admin: administers members, accounts and schedules in their subtree.
    AdminUser,
    Role::is_admin
);

role_extractor!(
    /// A committee (sub-district) admin only: edits the unit tree, campaigns and materials, and
    /// reads the audit log.
    CommitteeUser,
    |role| role == Role::CommitteeAdmin
);
