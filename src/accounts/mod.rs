//! Accounts, roles, passwords, sessions and login (with lockout).

pub mod login;
pub mod pages;
pub mod password;
pub mod session;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::web::AppState;

pub use session::CurrentUser;

/// What a user may do. Stored as its code; shown by its Chinese label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 街道管理员: the whole sub-district.
    CommitteeAdmin,
    /// 村社管理员: their own station's subtree.
    StationAdmin,
    /// 宣讲员.
    Lecturer,
    /// 志愿者.
    Volunteer,
    /// 党员.
    Member,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 5] =
        [Role::CommitteeAdmin, Role::StationAdmin, Role::Lecturer, Role::Volunteer, Role::Member];

    /// The code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::CommitteeAdmin => "committee_admin",
            Role::StationAdmin => "station_admin",
            Role::Lecturer => "lecturer",
            Role::Volunteer => "volunteer",
            Role::Member => "member",
        }
    }

    /// Parses a stored code (or the CLI's short forms).
    pub fn from_code(code: &str) -> Option<Role> {
        match code {
            "committee_admin" | "admin" => Some(Role::CommitteeAdmin),
            "station_admin" | "station" => Some(Role::StationAdmin),
            "lecturer" => Some(Role::Lecturer),
            "volunteer" => Some(Role::Volunteer),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Role::CommitteeAdmin => "街道管理员",
            Role::StationAdmin => "村社管理员",
            Role::Lecturer => "宣讲员",
            Role::Volunteer => "志愿者",
            Role::Member => "党员",
        }
    }

    /// Whether this role administers members and accounts (in its subtree).
    pub fn is_admin(self) -> bool {
        matches!(self, Role::CommitteeAdmin | Role::StationAdmin)
    }

    /// Whether this role may see unmasked phone and ID-card numbers (each time audited).
    pub fn may_unmask(self) -> bool {
        self.is_admin()
    }

    /// Whether an account of this role may grant `other`: nobody grants above their own level.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::CommitteeAdmin => true,
            Role::StationAdmin => other != Role::CommitteeAdmin,
            _ => false,
        }
    }
}

/// Login, logout, password change, account administration.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::login_page).post(login::login))
        .route("/logout", post(login::logout))
        .route("/password", get(login::password_page).post(login::change_password))
        .route("/preferences/font", post(login::toggle_font))
        .route("/", get(pages::home))
        .route("/accounts", get(pages::list).post(pages::create))
        .route("/accounts/new", get(pages::new_form))
        .route("/accounts/{id}/reset-password", post(pages::reset_password))
        .route("/accounts/{id}/role", post(pages::change_role))
        .route("/accounts/{id}/active", post(pages::set_active))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("admin"), Some(Role::CommitteeAdmin));
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn station_admins_cannot_grant_committee_rights() {
        assert!(!Role::StationAdmin.may_grant(Role::CommitteeAdmin));
        assert!(Role::StationAdmin.may_grant(Role::Lecturer));
        assert!(!Role::Member.may_grant(Role::Member));
    }
}
