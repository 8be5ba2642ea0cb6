//! Coverage's rules as SQL conditions over `members m` LEFT JOIN `member_progress p`, so the
//! database can count, filter and page members without shipping 100,000 rows to Rust.
//!
//! The completion rule is not written here: [`covered`] translates the rule's clauses
//! ([`CompletionRule::clauses`], the one definition [`CompletionRule::is_met`] also evaluates)
//! criterion by criterion, so SQL and Rust judge alike by construction. [`has_reason`] mirrors
//! [`Reason::for_member`]; the tests below run both sides over the same cases.
//! Every number put into the SQL comes from the database or from constants, never from a request.

use super::rollup::{BY_CATEGORY, Reason};
use crate::campaign::model::{CompletionRule, Criterion, Progress};

/// The progress columns as a member without any attendance has them (no `member_progress` row).
const SESSIONS: &str = "COALESCE(p.sessions, 0)";
const MINUTES: &str = "COALESCE(p.minutes, 0)";
const TOPICS: &str = "COALESCE(p.topics, ',')";

/// `TRUE` exactly when [`CompletionRule::is_met`] holds for the member's progress row.
pub fn covered(rule: &CompletionRule) -> String {
    // `topics` is ",3,7,": a topic is attended when ",<id>," occurs in it.
    condition(rule, |topic| format!("{TOPICS} LIKE '%,{topic},%'"))
}

/// `TRUE` exactly when [`CompletionRule::is_met`] holds for the member's progress computed from
/// the raw attendances by [`progress_from_attendances`] (a subquery aliased `p`).
pub fn covered_from_attendances(rule: &CompletionRule) -> String {
    condition(rule, |topic| format!("COALESCE(p.topic_{topic}, 0) > 0"))
}

/// The select list of a subquery over `attendances a` JOIN `training_sessions s` grouped by
/// member: the same `sessions` and `minutes` as a progress row, and a `topic_<id>` column per
/// compulsory topic (1 when attended).
pub fn progress_from_attendances(rule: &CompletionRule) -> String {
    let topics: String = rule
        .compulsory_topics
        .iter()
        .map(|t| format!(", MAX(CASE WHEN s.topic_id = {t} THEN 1 ELSE 0 END) AS topic_{t}"))
        .collect();
    format!("a.member_id, COUNT(*) AS sessions, SUM(a.minutes) AS minutes{topics}")
}

/// Every clause of the rule, each true when any of its criteria holds; `attended` says where a
/// topic attended is found.
fn condition(rule: &CompletionRule, attended: fn(i64) -> String) -> String {
    let clauses: Vec<String> = rule
        .clauses()
        .iter()
        .map(|clause| {
            let any: Vec<String> = clause.iter().map(|c| criterion(*c, attended)).collect();
            format!("({})", any.join(" OR "))
        })
        .collect();
    if clauses.is_empty() { "(1 = 1)".to_owned() } else { format!("({})", clauses.join(" AND ")) }
}

/// One criterion as SQL: the same comparison [`Criterion::holds`] makes.
fn criterion(criterion: Criterion, attended: fn(i64) -> String) -> String {
    match criterion {
        Criterion::Sessions(n) => format!("{SESSIONS} >= {n}"),
        Criterion::Minutes(n) => format!("{MINUTES} >= {n}"),
        Criterion::Topic(topic) => attended(topic),
    }
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

    /// Every shape of rule: both routes, either, neither, with none, one or several topics.
    fn rules() -> Vec<CompletionRule> {
        let rule = |s, m, t: &[i64]| CompletionRule {
            required_sessions: s,
            required_minutes: m,
            compulsory_topics: t.to_vec(),
        };
        vec![
            rule(4, 720, &[7]),
            rule(4, 720, &[]),
            rule(4, 0, &[]),
            rule(4, 0, &[7]),
            rule(0, 720, &[]),
            rule(0, 720, &[3, 7]),
            rule(2, 300, &[3, 7, 17]),
            rule(0, 0, &[]),
            rule(0, 0, &[7]),
        ]
    }

    fn progress_of(case: &Case) -> Progress {
        match case.0 {
            None => Progress::default(),
            Some((sessions, minutes, topics)) => Progress { sessions, minutes, ..parse_topics(topics) },
        }
    }

    /// Each case as a member, its progress row, and attendances that add up to the same progress
    /// (the first carries all the minutes; the first few carry the topics).
    async fn fill(pool: &sqlx::SqlitePool) {
        let setup = "CREATE TABLE members (id INTEGER PRIMARY KEY, categories INTEGER NOT NULL); \
                     CREATE TABLE member_progress (member_id INTEGER PRIMARY KEY, sessions INTEGER, \
                     minutes INTEGER, topics TEXT); \
                     CREATE TABLE training_sessions (id INTEGER PRIMARY KEY, topic_id INTEGER); \
                     CREATE TABLE attendances (session_id INTEGER, member_id INTEGER, minutes INTEGER)";
        sqlx::raw_sql(setup).execute(pool).await.unwrap();
        for (id, case) in cases().iter().enumerate() {
            let id = id as i64;
            let insert = "INSERT INTO members VALUES ($1, $2)";
            sqlx::query(insert).bind(id).bind(case.1).execute(pool).await.unwrap();
            let Some((sessions, minutes, topics)) = case.0 else { continue };
            let insert = "INSERT INTO member_progress VALUES ($1, $2, $3, $4)";
            sqlx::query(insert)
                .bind(id)
                .bind(sessions)
                .bind(minutes)
                .bind(topics)
                .execute(pool)
                .await
                .unwrap();
            let topics = parse_topics(topics).topics;
            for k in 0..sessions {
                let session = id * 100 + k;
                let topic = topics.get(k as usize).copied();
                let insert = "INSERT INTO training_sessions VALUES ($1, $2)";
                sqlx::query(insert).bind(session).bind(topic).execute(pool).await.unwrap();
                let insert = "INSERT INTO attendances VALUES ($1, $2, $3)";
                let credited = if k == 0 { minutes } else { 0 };
                sqlx::query(insert).bind(session).bind(id).bind(credited).execute(pool).await.unwrap();
            }
        }
    }

    #[tokio::test]
    async fn sql_conditions_agree_with_the_rust_rules() {
        let pool = SqlitePoolOptions::new().connect("sqlite::memory:").await.unwrap();
        fill(&pool).await;
        for rule in rules() {
            let from_rows = format!(
                "SELECT m.id, {} AS covered, {} AS reason FROM members m \
                 LEFT JOIN member_progress p ON p.member_id = m.id ORDER BY m.id",
                covered(&rule),
                reason_code()
            );
            let from_attendances = format!(
                "SELECT m.id, {} FROM members m LEFT JOIN (SELECT {} FROM attendances a \
                 JOIN training_sessions s ON s.id = a.session_id GROUP BY a.member_id) p \
                 ON p.member_id = m.id ORDER BY m.id",
                covered_from_attendances(&rule),
                progress_from_attendances(&rule)
            );
            let rows: Vec<(i64, bool, String)> = sqlx::query_as(&from_rows).fetch_all(&pool).await.unwrap();
            let raw: Vec<(i64, bool)> = sqlx::query_as(&from_attendances).fetch_all(&pool).await.unwrap();
            for (((id, is_covered, reason), (_, raw_covered)), case) in rows.into_iter().zip(raw).zip(cases())
            {
                let p = progress_of(&case);
                assert_eq!(is_covered, rule.is_met(&p), "member {id} under {rule:?}");
                assert_eq!(raw_covered, rule.is_met(&p), "member {id} from attendances under {rule:?}");
                let expected = Reason::for_member(MemberCategories::from_bits(case.1), &p);
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
