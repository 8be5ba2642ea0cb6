//! [`Scope`]: a unit's subtree, the rule the whole security model rests on — every query an
//! account makes stays inside the subtree of its own unit.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Encode, Type};

/// A unit and everything below it in the tree.
///
/// Built only from a unit's materialised path ([`Scope::of_unit`]), so a scope can never be
/// widened by hand. In SQL it is the `LIKE` pattern `<path>%`, and this is the one place that
/// pattern is built: a `Scope` binds as that pattern directly (`.bind(&scope)` against
/// `u.path LIKE $1`, on either backend) rather than handing out a string, so no caller can
/// forget the `%` or build the pattern from the wrong path.
///
/// Paths hold only ASCII digits and slashes (`/0000000001/0000000003/`, see
/// [`super::model::child_path`]), so they contain neither `LIKE` wildcard (`%`, `_`) nor an escape
/// character, and the pattern needs no escaping; [`Scope::of_unit`] checks this rather than trusts
/// it, because a stray wildcard would silently widen what an account can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The unit's path, always ending in `/`.
    path: String,
}

impl Scope {
    /// The subtree of the unit at `path`.
    ///
    /// # Panics
    /// When `path` is not a materialised unit path (`/`, digits and `/`, ending in `/`): that is
    /// a broken invariant of the unit tree, and refusing beats matching the wrong units.
    pub fn of_unit(path: &str) -> Scope {
        assert!(is_unit_path(path), "not a unit path: {path:?}");
        Scope { path: path.to_owned() }
    }

    /// The whole tree: every unit's path starts with `/`. For what no viewer's subtree limits —
    /// a campaign's own audience, the committee's campaign set-up, the command line.
    pub fn whole_tree() -> Scope {
        Scope::of_unit("/")
    }

    /// Whether the unit at `unit_path` lies inside this subtree (the unit itself included).
    pub fn covers(&self, unit_path: &str) -> bool {
        unit_path.starts_with(&self.path)
    }

    /// The path of the unit at the top of this subtree.
    pub fn unit_path(&self) -> &str {
        &self.path
    }

    /// The `LIKE` pattern matching every unit path inside this subtree.
    fn like_pattern(&self) -> String {
        format!("{}%", self.path)
    }
}

/// Whether `path` is `/`, or slash-separated digit runs between a leading and a trailing `/`.
fn is_unit_path(path: &str) -> bool {
    path.starts_with('/')
        && path.ends_with('/')
        && path.bytes().all(|b| b == b'/' || b.is_ascii_digit())
        && !path.contains("//")
}

/// A scope is stored nowhere; it is only ever bound, as text, on either backend.
impl<DB: Database> Type<DB> for Scope
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

/// Binds the scope as its `LIKE` pattern.
impl<'q, DB: Database> Encode<'q, DB> for Scope
where
    String: Encode<'q, DB>,
{
    fn encode_by_ref(&self, buf: &mut <DB as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, DB>>::encode(self.like_pattern(), buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VILLAGE: &str = "/0000000001/0000000001/";

    #[test]
    fn covers_its_own_subtree() {
        let scope = Scope::of_unit(VILLAGE);
        assert!(scope.covers(VILLAGE));
        assert!(scope.covers("/0000000001/0000000001/0000000017/"));
        assert!(!scope.covers("/0000000001/"), "not its parent");
    }

    #[test]
    fn does_not_cover_a_sibling_sharing_a_prefix() {
        assert!(!Scope::of_unit("/1/1/").covers("/1/10/"));
        assert!(!Scope::of_unit("/0001/0001/").covers("/0001/0010/"));
        assert!(!Scope::of_unit("/0001/0010/").covers("/0001/0001/"));
    }

    #[test]
    fn the_root_covers_everything() {
        assert!(Scope::of_unit("/0000000001/").covers(VILLAGE));
        assert!(Scope::whole_tree().covers(VILLAGE));
        assert_eq!(Scope::whole_tree().like_pattern(), "/%");
    }

    #[test]
    fn binds_as_the_path_followed_by_a_wildcard() {
        assert_eq!(Scope::of_unit(VILLAGE).like_pattern(), "/0000000001/0000000001/%");
        assert_eq!(Scope::of_unit(VILLAGE).unit_path(), VILLAGE);
    }

    #[test]
    fn only_unit_paths_make_a_scope() {
        for path in ["/1/", "/", "/0000000001/0000000003/"] {
            assert!(is_unit_path(path), "{path}");
        }
        for path in ["", "%", "/1/%", "/1_/", "1/", "/1", "//", "/1//2/", "/a/"] {
            assert!(!is_unit_path(path), "{path}");
        }
    }

    #[test]
    #[should_panic(expected = "not a unit path")]
    fn a_wildcard_in_a_path_is_refused() {
        Scope::of_unit("/1/%");
    }
}
