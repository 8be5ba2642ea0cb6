//! Who is asking and what they may do: the current user and their role, the unit subtree every
//! query must stay inside, login sessions, passwords, login and lockout.

mod current_user;
mod extract;
mod hash_gate;
pub mod login_session;
mod nav;
mod pages;
pub mod password;
pub mod store;
pub mod throttle;

use axum::Router;
use axum::routing::{get, post};

use crate::coded_enum;
use crate::state::AppState;

pub use current_user::{CurrentUser, client_address, client_ip, served_over_https};
pub use extract::{AdminUser, CommitteeUser};
pub use login_session::LoginSessions;

coded_enum! {
    /// What a user may do. Stored as its code; shown by its Chinese label.
    Role {
        /// 街道管理员: the whole sub-district.
        CommitteeAdmin = ("committee_admin", "街道管理员"),
        /// 村社管理员: their own station's subtree.
        StationAdmin = ("station_admin", "村社管理员"),
        /// 宣讲员.
        Lecturer = ("lecturer", "宣讲员"),
        /// 志愿者.
        Volunteer = ("volunteer", "志愿者"),
        /// 党员.
        Member = ("member", "党员"),
    }
}

impl Role {
    /// Parses a role as typed on the command line: a stored code or a short form (`admin`,
    /// `station`).
    pub fn from_cli(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::CommitteeAdmin),
            "station" => Some(Role::StationAdmin),
            other => Role::from_code(other),
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

    /// Whether an account of this role may reset, change or disable an account of role `other`:
    /// only accounts below its own level, so a station admin cannot take over another station
    /// admin's (or the secretary's) account; the committee manages everyone.
    pub fn may_manage(self, other: Role) -> bool {
        match self {
            Role::CommitteeAdmin => true,
            Role::StationAdmin => !other.is_admin(),
            _ => false,
        }
    }
}

/// Login, logout, password change and the large-font switch.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/password", get(pages::password_page).post(pages::change_password))
        .route("/preferences/font", post(pages::toggle_font))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(*role));
        }
        assert_eq!(Role::from_cli("admin"), Some(Role::CommitteeAdmin));
        assert_eq!(Role::from_cli("station_admin"), Some(Role::StationAdmin));
        assert_eq!(Role::from_code("admin"), None);
        assert_eq!(Role::from_cli("root"), None);
    }

    #[test]
    fn station_admins_cannot_grant_committee_rights() {
        assert!(!Role::StationAdmin.may_grant(Role::CommitteeAdmin));
        assert!(Role::StationAdmin.may_grant(Role::Lecturer));
        assert!(!Role::Member.may_grant(Role::Member));
    }

    #[test]
    fn station_admins_manage_only_accounts_below_them() {
        assert!(!Role::StationAdmin.may_manage(Role::StationAdmin));
        assert!(!Role::StationAdmin.may_manage(Role::CommitteeAdmin));
        assert!(Role::StationAdmin.may_manage(Role::Volunteer));
        assert!(Role::CommitteeAdmin.may_manage(Role::StationAdmin));
    }
}
