//! How the shell frames a page for a logged-in user: their label and their role's navigation.

use super::{CurrentUser, Role};
use crate::web::shell::{NavItem, Prefs, Viewer};

impl Viewer for CurrentUser {
    fn display_name(&self) -> &str {
        &self.name
    }

    fn role_and_unit(&self) -> String {
        format!("{} · {}", self.role.label(), self.unit_name)
    }

    fn nav(&self, section: &str) -> Vec<NavItem> {
        nav_for(self.role, section)
    }

    fn prefs(&self) -> &Prefs {
        &self.prefs
    }

    fn csrf_token(&self) -> &str {
        &self.csrf_token
    }
}

fn nav_for(role: Role, section: &str) -> Vec<NavItem> {
    // Five tabs fit a 360 px phone; everything else is one tap away on the home page.
    let entries: &[(&str, &'static str, &'static str)] = match role {
        Role::CommitteeAdmin | Role::StationAdmin => &[
            ("home", "/", "首页"),
            ("sessions", "/sessions", "场次"),
            ("coverage", "/coverage", "覆盖"),
            ("deliveries", "/deliveries", "送学"),
            ("members", "/members", "党员"),
        ],
        Role::Lecturer | Role::Volunteer => &[
            ("home", "/", "首页"),
            ("sessions", "/sessions", "场次"),
            ("deliveries", "/deliveries", "送学"),
            ("rankings", "/rankings", "排名"),
            ("me", "/me", "我的"),
        ],
        Role::Member => &[
            ("home", "/", "首页"),
            ("sessions", "/sessions", "场次"),
            ("rankings", "/rankings", "排名"),
            ("me", "/me", "我的"),
        ],
    };
    let section = if entries.iter().any(|(key, _, _)| *key == section) { section } else { "home" };
    entries.iter().map(|&(key, href, label)| NavItem { href, label, active: key == section }).collect()
}
