//! Coverage's rules as SQL conditions over `members m` LEFT JOIN `member_progress p`, so the
//! database can count, filter and page members without shipping 100,000 rows to Rust.
//!
//! The Rust rules stay the source of truth ([`CompletionRule::is_met`], [`Reason::for_member`]);
//! these builders mirror them and the tests below run both over the same cases in SQLite.
//! Every number put into the SQL comes from the database or from constants, never from a request.

use super::rollup::{BY_CATEGORY, Reason};
use crate::campaign::model::{CompletionRule, Progress};

/// The progress columns as a member without any attendance has them (no `member_progress` row).
const SESSIONS: &str = "COALESCE(p.sessions, 0)";
const MINUTES: &str = "COALESCE(p.minutes, 0)";
const TOPICS: &str = "COALESCE(p.topics, ',')";

/// `TRUE` exactly when [`CompletionRule::is_met`] holds for the member's progress row.
pub fn covered(rule: &CompletionRule) -> String {
    let mut routes = Vec::new();
    if rule.required_sessions > 0 {
        routes.push(format!("{SESSIONS} >= {}", rule.required_sessions));
    }
    if rule.required_minutes > 0 {
        routes.push(format!("{MINUTES} >= {}", rule.required_minutes));
    }
    let mut condition =
        if routes.is_empty() { "1 = 1".to_owned() } else { format!("({})", routes.join(" OR ")) };
    for topic in &rule.compulsory_topics {
        // `topics` is ",3,7,": a topic is attended when ",<id>," occurs in it.
        condition.push_str(&format!(" AND {TOPICS} LIKE '%,{topic},%'"));
    }
    format!("({condition})")
}

/// `TRUE` exactly when an uncovered member's reason is `reason` (see [`Reason::for_member`]):
/// the first of their categories in [`BY_CATEGORY`] order, else whether they attended anything.
pub fn has_reason(reason: Reason) -> String {
    let category_bits = |upto: usize| BY_CATEGORY[..upto].iter().fold(0, |bits, (c, _)| bits | c.bits());
    let all = category_bits(BY_CATEGORY.len());
    match BY_CATEGORY.iter().position(|(_, r)| *r == reason) {
        Some(at) => {
            let (own, earlier) = (BY_CATEGORY[at].0.bits(), category_bits(at));
            format!("((m.categories & {own}) <> 0 AND (m.categories & {earlier}) = 0)")
        }
        None if reason == Reason::NotReached => format!("((m.categories & {all}) = 0 AND {SESSIONS} = 0)"),
        None => format!("((m.categories & {all}) = 0 AND {SESSIONS} > 0)"),
    }
}

/// The reason code of an uncovered member as one SQL `CASE` (for counting per reason).
pub fn reason_code() -> String {
    let arms: String =
        Reason::ALL.iter().map(|r| format!(" WHEN {} THEN '{}'", has_reason(*r), r.code())).collect();
    format!("(CASE{arms} END)")
}

/// Reads a progress row's topic list (",3,7,") into sorted, distinct ids.
pub fn parse_topics(text: &str) -> Progress {
    let mut topics: Vec<i64> = text.split(',').filter_map(|t| t.parse().ok()).collect();
    topics.sort_unstable();
    topics.dedup();
    Progress { topics, ..Progress::default() }
}

#[cfg(test)]
mod tests {
    use sqlx::sqlite::SqlitePoolOptions;

    use super::*;
    use crate::people::model::MemberCategories;

    /// A progress row (sessions, minutes, topics) or none, and category bits.
    type Case = (Option<(i64, i64, &'static str)>, u32);

    /// Progress cases: none, a little, enough by sessions, by minutes, with and without topics.
    fn cases() -> Vec<Case> {
        let progress = [
            None,
            Some((1, 60, ",")),
            Some((4, 240, ",3,")),
            Some((2, 720, ",7,")),
            Some((5, 300, ",3,7,")),
            Some((9, 900, ",17,")),
        ];
        let categories = [0, 1, 2, 4, 8, 16, 1 | 8, 2 | 4, 4 | 16, 8 | 16];
        progress.iter().flat_map(|p| categories.iter().map(move |c| (*p, *c))).collect()
    }

    fn rules() -> Vec<CompletionRule> {
        let rule = |s, m, t: &[i64]| CompletionRule {
            required_sessions: s,
            required_minutes: m,
            compulsory_topics: t.to_vec(),
        };
        vec![rule(4, 720, &[7]), rule(4, 0, &[]), rule(0, 720, &[3, 7]), rule(0, 0, &[]), rule(0, 0, &[7])]
    }

    #[tokio::test]
    async fn sql_conditions_agree_with_the_rust_rules() {
        let pool = SqlitePoolOptions::new().connect("sqlite::memory:").await.unwrap();
        let setup = "CREATE TABLE members (id INTEGER PRIMARY KEY, categories INTEGER NOT NULL); \
                     CREATE TABLE member_progress (member_id INTEGER PRIMARY KEY, sessions INTEGER, \
                     minutes INTEGER, topics TEXT)";
        sqlx::raw_sql(setup).execute(&pool).await.unwrap();
        for (id, (progress, categories)) in cases().into_iter().enumerate() {
            sqlx::query("INSERT INTO members VALUES ($1, $2)")
                .bind(id as i64)
                .bind(categories)
                .execute(&pool)
                .await
                .unwrap();
            if let Some((sessions, minutes, topics)) = progress {
                sqlx::query("INSERT INTO member_progress VALUES ($1, $2, $3, $4)")
                    .bind(id as i64)
                    .bind(sessions)
                    .bind(minutes)
                    .bind(topics)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
        }
        for rule in rules() {
            let sql = format!(
                "SELECT m.id, {} AS covered, {} AS reason FROM members m \
                 LEFT JOIN member_progress p ON p.member_id = m.id ORDER BY m.id",
                covered(&rule),
                reason_code()
            );
            let rows: Vec<(i64, bool, String)> = sqlx::query_as(&sql).fetch_all(&pool).await.unwrap();
            for ((id, is_covered, reason), (progress, categories)) in rows.into_iter().zip(cases()) {
                let p = match progress {
                    None => Progress::default(),
                    Some((sessions, minutes, topics)) => {
                        Progress { sessions, minutes, ..parse_topics(topics) }
                    }
                };
                assert_eq!(is_covered, rule.is_met(&p), "member {id} under {rule:?}");
                let expected = Reason::for_member(MemberCategories::from_bits(categories), &p);
                assert_eq!(reason, expected.code(), "member {id}");
            }
        }
    }

    #[test]
    fn topic_lists_parse_sorted_and_distinct() {
        assert_eq!(parse_topics(",7,3,7,").topics, vec![3, 7]);
        assert!(parse_topics(",").topics.is_empty());
    }
}
