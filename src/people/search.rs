//! Member search: by name fragment, pinyin initials or pinyin prefix ("zs" finds 张三), phone
//! prefix, or a phone's last four digits; filtered by unit subtree, category, status and the
//! 数据存疑 flag; sorted by pinyin.
//!
//! The WHERE clause holds only the filters that are set, and pinyin and phone queries become
//! index range scans (`x >= 'zs' AND x < 'zt'`): a catch-all `($2 = '' OR … LIKE …)` form kept
//! both databases off their indexes and made the list 50× slower at 100,000 members (see
//! `bench/README.md`). The last four digits are compared as `substr(m.phone, 8)`, the very
//! expression of the `members_phone_tail` index (migration 0009), so they are a lookup too.

use super::model::MemberStatus;
use super::store::{MEMBER_SELECT, Member};
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;

/// A search over the members inside a scope.
#[derive(Debug, Clone)]
pub struct MemberQuery {
    /// The subtree the results must lie in (already intersected with the user's scope).
    pub scope: Scope,
    /// Name fragment, pinyin initials or prefix, or phone prefix.
    pub text: String,
    /// Members having any of these categories (0 = any).
    pub categories: u32,
    /// Only members of this status.
    pub status: Option<MemberStatus>,
    /// Only members flagged 数据存疑.
    pub doubtful: bool,
}

impl MemberQuery {
    /// Every member inside `scope`: no other filter set.
    pub fn inside(scope: Scope) -> Self {
        Self { scope, text: String::new(), categories: 0, status: None, doubtful: false }
    }
}

/// A bound value of the generated SQL.
#[derive(Debug, Clone, PartialEq)]
enum Param {
    Scope(Scope),
    Status(MemberStatus),
    Text(String),
    Int(i64),
}

/// The WHERE clause and its parameters, numbered from `$1`.
#[derive(Debug, Default, PartialEq)]
struct Filter {
    conditions: Vec<String>,
    params: Vec<Param>,
}

impl Filter {
    fn bind(&mut self, param: Param) -> String {
        self.params.push(param);
        format!("${}", self.params.len())
    }

    fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }
}

/// The exclusive upper bound of all strings starting with `prefix` (ASCII), if one exists:
/// "zs" → "zt"; "az" → "b"; "zz" → none.
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last < b'z' && last.is_ascii_alphanumeric() {
            bytes.push(last + 1);
            return String::from_utf8(bytes).ok();
        }
    }
    None
}

/// `column >= prefix AND column < bound`, an index range on either database.
fn prefix_range(filter: &mut Filter, column: &str, prefix: &str) -> String {
    let low = filter.bind(Param::Text(prefix.to_owned()));
    match prefix_upper_bound(prefix) {
        Some(high) => {
            let high = filter.bind(Param::Text(high));
            format!("({column} >= {low} AND {column} < {high})")
        }
        None => format!("{column} >= {low}"),
    }
}

fn build_filter(q: &MemberQuery) -> Filter {
    let mut f = Filter::default();
    let scope = f.bind(Param::Scope(q.scope.clone()));
    f.conditions.push(format!("m.unit_id IN (SELECT id FROM units WHERE path LIKE {scope})"));
    let text = q.text.trim().to_lowercase();
    let letters: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if letters.chars().all(|c| c.is_ascii_lowercase()) && !letters.is_empty() {
        let text = letters;
        let initials = prefix_range(&mut f, "m.name_initials", &text);
        let full = prefix_range(&mut f, "m.name_pinyin", &text);
        f.conditions.push(format!("({initials} OR {full})"));
    } else if text.len() == 4 && text.chars().all(|c| c.is_ascii_digit()) {
        // Four digits are what people remember of a number: its end (or, as before, its start).
        let prefix = prefix_range(&mut f, "m.phone", &text);
        let tail = f.bind(Param::Text(text));
        f.conditions.push(format!("({prefix} OR substr(m.phone, 8) = {tail})"));
    } else if text.len() >= 3 && text.chars().all(|c| c.is_ascii_digit()) {
        let phone = prefix_range(&mut f, "m.phone", &text);
        f.conditions.push(phone);
    } else if !text.is_empty() {
        let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = f.bind(Param::Text(format!("%{escaped}%")));
        f.conditions.push(format!("m.name LIKE {pattern} ESCAPE '\\'"));
    }
    if q.categories != 0 {
        let bits = f.bind(Param::Int(i64::from(q.categories)));
        f.conditions.push(format!("(m.categories & {bits}) <> 0"));
    }
    if let Some(status) = q.status {
        let status = f.bind(Param::Status(status));
        f.conditions.push(format!("m.status = {status}"));
    }
    if q.doubtful {
        f.conditions.push("m.doubt IS NOT NULL".to_owned());
    }
    f
}

/// Binds the generated parameters in order onto a query of either backend.
macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Scope(scope) => query.bind(scope.clone()),
                Param::Status(status) => query.bind(*status),
                Param::Text(text) => query.bind(text.clone()),
                Param::Int(number) => query.bind(*number),
            };
        }
        query
    }};
}

/// One page of search results, sorted by pinyin, and the total count.
pub async fn search(
    db: &Db,
    q: &MemberQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Member>, i64), sqlx::Error> {
    let filter = build_filter(q);
    let n = filter.params.len();
    let list_sql = format!(
        "{MEMBER_SELECT}{} ORDER BY m.name_pinyin, m.id LIMIT ${} OFFSET ${}",
        filter.sql(),
        n + 1,
        n + 2
    );
    let count_sql = format!("SELECT COUNT(*) FROM members m{}", filter.sql());
    on_db!(db, pool => {
        let rows: Vec<Member> = bind_all!(sqlx::query_as(&list_sql), &filter.params)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
        let (total,): (i64,) = bind_all!(sqlx::query_as(&count_sql), &filter.params).fetch_one(pool).await?;
        Ok((rows, total))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_bounds_close_the_prefix_range() {
        assert_eq!(prefix_upper_bound("zs").as_deref(), Some("zt"));
        assert_eq!(prefix_upper_bound("az").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("zz"), None);
        assert_eq!(prefix_upper_bound("1380").as_deref(), Some("1381"));
    }

    #[test]
    fn only_the_filters_that_are_set_reach_the_sql() {
        let q = MemberQuery::inside(Scope::of_unit("/1/"));
        assert_eq!(build_filter(&q).sql(), " WHERE m.unit_id IN (SELECT id FROM units WHERE path LIKE $1)");
        let q = MemberQuery {
            scope: Scope::of_unit("/1/"),
            text: "ZS".into(),
            categories: 3,
            status: Some(MemberStatus::Active),
            doubtful: false,
        };
        let f = build_filter(&q);
        assert!(f.sql().contains(
            "(m.name_initials >= $2 AND m.name_initials < $3) OR (m.name_pinyin >= $4 AND m.name_pinyin < $5)"
        ));
        assert!(f.sql().contains("(m.categories & $6) <> 0") && f.sql().contains("m.status = $7"));
        assert_eq!(f.params[1], Param::Text("zs".into()));
    }

    #[test]
    fn chinese_text_matches_names_and_digits_match_phones() {
        let everyone = || MemberQuery::inside(Scope::whole_tree());
        let f = build_filter(&MemberQuery { text: "张_".into(), ..everyone() });
        assert_eq!(f.params[1], Param::Text("%张\\_%".into()));
        let f = build_filter(&MemberQuery { text: "138".into(), ..everyone() });
        assert!(f.sql().contains("m.phone >= $2 AND m.phone < $3"));
        let f = build_filter(&MemberQuery { text: "5678".into(), ..everyone() });
        assert!(
            f.sql().contains("(m.phone >= $2 AND m.phone < $3) OR substr(m.phone, 8) = $4"),
            "{}",
            f.sql()
        );
        let f = build_filter(&MemberQuery { doubtful: true, ..everyone() });
        assert!(f.sql().ends_with("AND m.doubt IS NOT NULL"));
    }
}
