//! The organisation tree's types and rules (no I/O).

use chrono::{DateTime, Utc};

use super::Scope;
use crate::coded_enum;

coded_enum! {
    /// What a unit is.
    UnitKind {
        /// 街道党工委: the root.
        Subdistrict = ("subdistrict", "街道"),
        /// 新时代文明实践所: the hub.
        Hub = ("hub", "实践所"),
        /// 村社新时代文明实践站: a village or community station.
        Station = ("station", "实践站（村社）"),
        /// 党支部: a branch.
        Branch = ("branch", "党支部"),
    }
}

impl UnitKind {
    /// Which kinds may sit directly under this one.
    pub fn allowed_children(self) -> &'static [UnitKind] {
        match self {
            UnitKind::Subdistrict => &[UnitKind::Hub, UnitKind::Station],
            UnitKind::Hub | UnitKind::Station | UnitKind::Branch => &[UnitKind::Branch],
        }
    }

    /// Whether this kind carries a brand profile (S7).
    pub fn has_profile(self) -> bool {
        matches!(self, UnitKind::Hub | UnitKind::Station)
    }
}

/// One row of `units`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unit {
    /// Id.
    pub id: i64,
    /// Parent, none for the root.
    pub parent_id: Option<i64>,
    /// What it is.
    pub kind: UnitKind,
    /// Name.
    pub name: String,
    /// Materialised path of ids, `/1/3/`.
    pub path: String,
    /// Order among siblings.
    pub sort_order: i64,
    /// When retired, if it is.
    pub retired_at: Option<DateTime<Utc>>,
    /// Created (UTC).
    pub created_at: DateTime<Utc>,
}

impl Unit {
    /// Depth below the root (root = 0).
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }

    /// The name indented by depth, for `<select>` lists.
    pub fn indented_name(&self) -> String {
        format!("{}{}", "　".repeat(self.depth()), self.name)
    }

    /// This unit's subtree.
    pub fn scope(&self) -> Scope {
        Scope::of_unit(&self.path)
    }

    /// Whether `other` lies inside this unit's subtree (itself included).
    pub fn contains(&self, other: &Unit) -> bool {
        self.scope().covers(&other.path)
    }
}

/// The path a child of `parent_path` with `id` gets. Ids are zero-padded to a fixed width so
/// that `ORDER BY path` in SQL lists a parent before its children and siblings in the order they
/// were created (`/0000000002/` sorts before `/0000000010/`, unlike `/2/` and `/10/`).
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id:010}/")
}

/// Checks a unit name: 2–40 characters after trimming, no slashes (names join into paths).
pub fn check_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    let length = name.chars().count();
    if !(2..=40).contains(&length) {
        return Err("单位名称应为2到40个字");
    }
    if name.contains('/') {
        return Err("单位名称不能包含“/”");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(path: &str) -> Unit {
        Unit {
            id: 1,
            parent_id: None,
            kind: UnitKind::Branch,
            name: "第一支部".into(),
            path: path.into(),
            sort_order: 0,
            retired_at: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn depth_follows_the_path() {
        assert_eq!(unit("/1/").depth(), 0);
        assert_eq!(unit("/1/3/").depth(), 1);
        assert_eq!(unit("/1/3/17/").depth(), 2);
        assert_eq!(unit("/1/3/17/").indented_name(), "　　第一支部");
    }

    #[test]
    fn subtree_membership_is_by_path_prefix() {
        assert!(unit("/1/3/").contains(&unit("/1/3/17/")));
        assert!(!unit("/1/3/").contains(&unit("/1/31/")));
        assert_eq!(child_path("/1/3/", 17), "/1/3/0000000017/");
        assert!(child_path("/", 2) < child_path("/", 10), "paths sort as the tree");
    }

    #[test]
    fn kinds_nest_as_the_campaign_does() {
        assert!(UnitKind::Subdistrict.allowed_children().contains(&UnitKind::Station));
        assert!(!UnitKind::Station.allowed_children().contains(&UnitKind::Station));
        assert!(UnitKind::Station.has_profile());
        assert!(!UnitKind::Branch.has_profile());
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(check_name("  蟹塘社区 "), Ok("蟹塘社区".into()));
        assert!(check_name("蟹").is_err());
        assert!(check_name("a/b社区").is_err());
    }
}
