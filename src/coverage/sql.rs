//! Coverage's rules as SQL conditions over `members m` LEFT JOIN `member_progress p`, so the
//! database can count, filter and page members without shipping 100,000 rows to Rust.
//!
//! The completion rule is not written here: [`covered`] translates the rule's clauses
//! ([`CompletionRule::clauses`], the one definition [`CompletionRule::is_met`] also evaluates)
//! criterion by criterion, so SQL and Rust judge alike by construction. [`has_reason`] mirrors
//! [`Reason::for_member`]; the tests below run both sides over the same cases, door-to-door
//! visits (`delivery_visits`, counted in `p.visits`) included.
//! Every number put into the SQL comes from the database or from constants, never from a request.

use super::rollup::{BY_CATEGORY, Reason};
use crate::campaign::model::{CompletionRule, Criterion, Progress};

/// The progress columns as a member without any attendance has them (no `member_progress` row).
const SESSIONS: &str = "COALESCE(p.sessions, 0)";
const MINUTES: &str = "COALESCE(p.minutes, 0)";
const TOPICS: &str = "COALESCE(p.topics, ',')";
const VISITS: &str = "COALESCE(p.visits, 0)";

/// `TRUE` exactly when [`CompletionRule::is_met`] holds for the member's progress row.
pub fn covered(rule: &CompletionRule) -> String {
    // `topics` is ",3,7,": a topic is attended when ",<id>," occurs in it.
    condition(rule, |topic| format!("{TOPICS} LIKE '%,{topic},%'"))
}

/// `TRUE` exactly when [`CompletionRule::is_met`] holds for the member's progress computed from
/// the raw attendances and visits by [`progress_from_credits`] (a subquery aliased `p`).
pub fn covered_from_attendances(rule: &CompletionRule) -> String {
    condition(rule, |topic| format!("COALESCE(p.topic_{topic}, 0) > 0"))
}

/// A query over campaign `$1`'s attendances (`attendances` JOIN `training_sessions`) and
/// door-to-door visits (`delivery_visits` with `delivery_visit_topics`), grouped by member: the
/// same `sessions`, `minutes` and `visits` as a progress row, and a `topic_<id>` column per
/// compulsory topic (1 when attended or delivered). Only what was credited before a cut-off
/// counts: attendances checked in before `$5` (a time), visits made before the day `$6`.
pub fn progress_from_credits(rule: &CompletionRule) -> String {
    let columns = |source: &dyn Fn(i64) -> String| -> String {
        rule.compulsory_topics.iter().map(|t| format!(", {} AS topic_{t}", source(*t))).collect()
    };
    let attended = columns(&|t| format!("CASE WHEN s.topic_id = {t} THEN 1 ELSE 0 END"));
    let delivered = columns(&|t| {
        format!(
            "CASE WHEN EXISTS (SELECT 1 FROM delivery_visit_topics vt \
             WHERE vt.visit_id = v.id AND vt.topic_id = {t}) THEN 1 ELSE 0 END"
        )
    });
    let any: String =
        rule.compulsory_topics.iter().map(|t| format!(", MAX(c.topic_{t}) AS topic_{t}")).collect();
    format!(
        "SELECT c.member_id, COUNT(*) AS sessions, SUM(c.minutes) AS minutes, SUM(c.visit) AS visits{any} \
         FROM (SELECT a.member_id, a.minutes, 0 AS visit{attended} FROM attendances a \
               JOIN training_sessions s ON s.id = a.session_id WHERE s.campaign_id = $1 AND a.checked_in_at < $5 \
               UNION ALL SELECT v.member_id, v.minutes, 1 AS visit{delivered} FROM delivery_visits v \
               WHERE v.campaign_id = $1 AND v.visited_on < $6) c GROUP BY c.member_id"
    )
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
        Criterion::Visited => format!("{VISITS} > 0"),
    }
}

/// `TRUE` exactly when an uncovered member has `reason` among theirs (see
/// [`Reason::for_member`]): the category, or how far they got.
pub fn has_reason(reason: Reason) -> String {
    match BY_CATEGORY.iter().find(|(_, r)| *r == reason) {
        Some((category, _)) => format!("((m.categories & {}) <> 0)", category.bits()),
        None if reason == Reason::NotReached => format!("({SESSIONS} = 0)"),
        None => format!("({SESSIONS} > 0)"),
    }
}

/// A derived table `r` with one row per reason (`r.code`) and its condition, to join uncovered
/// members to each reason they have and count them per reason in one pass.
pub fn reasons_table() -> String {
    let rows: Vec<String> = Reason::ALL.iter().map(|r| format!("SELECT '{}' AS code", r.code())).collect();
    format!("({}) r", rows.join(" UNION ALL "))
}

/// `TRUE` when the member of a row joined to [`reasons_table`] has that row's reason.
pub fn has_reason_of_row() -> String {
    let arms: String = Reason::ALL
        .iter()
        .map(|r| format!(" WHEN r.code = '{}' THEN {}", r.code(), has_reason(*r)))
        .collect();
    format!("(CASE{arms} ELSE 1 = 0 END)")
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
    use crate::campaign::model::VisitCredit;
    use crate::people::model::MemberCategories;

    /// A progress row (sessions, minutes, topics, visits among the sessions) or none, and
    /// category bits.
    type Case = (Option<(i64, i64, &'static str, i64)>, u32);

    /// Progress cases: none, a little, enough by sessions, by minutes, with and without topics,
    /// with and without door-to-door visits (delivering a topic or not).
    fn cases() -> Vec<Case> {
        let progress = [
            None,
            Some((1, 60, ",", 0)),
            Some((4, 240, ",3,", 0)),
            Some((2, 720, ",7,", 0)),
            Some((5, 300, ",3,7,", 0)),
            Some((9, 900, ",17,", 0)),
            Some((1, 60, ",", 1)),
            Some((1, 90, ",7,", 1)),
            Some((2, 120, ",3,7,", 1)),
            Some((3, 100, ",17,", 2)),
        ];
        let categories = [0, 1, 2, 4, 8, 16, 1 | 8, 2 | 4, 4 | 16, 8 | 16];
        progress.iter().flat_map(|p| categories.iter().map(move |c| (*p, *c))).collect()
    }

    /// Every shape of rule: both routes, either, neither, with none, one or several topics; a
    /// visit counting as complete or as one session.
    fn rules() -> Vec<CompletionRule> {
        let rule = |s, m, t: &[i64]| CompletionRule {
            required_sessions: s,
            required_minutes: m,
            compulsory_topics: t.to_vec(),
            visit_credit: VisitCredit::Complete,
        };
        let shapes = vec![
            rule(4, 720, &[7]),
            rule(4, 720, &[]),
            rule(4, 0, &[]),
            rule(4, 0, &[7]),
            rule(0, 720, &[]),
            rule(0, 720, &[3, 7]),
            rule(2, 300, &[3, 7, 17]),
            rule(0, 0, &[]),
            rule(0, 0, &[7]),
        ];
        let one_session =
            shapes.iter().map(|r| CompletionRule { visit_credit: VisitCredit::OneSession, ..r.clone() });
        shapes.clone().into_iter().chain(one_session).collect()
    }

    fn progress_of(case: &Case) -> Progress {
        match case.0 {
            None => Progress::default(),
            Some((sessions, minutes, topics, visits)) => {
                Progress { sessions, minutes, visits, ..parse_topics(topics) }
            }
        }
    }

    /// Each case as a member, its progress row, and attendances and visits that add up to the same
    /// progress (the first carries all the minutes; the first few carry the topics; the first
    /// `visits` are visits).
    async fn fill(pool: &sqlx::SqlitePool) {
        let setup = "CREATE TABLE members (id INTEGER PRIMARY KEY, categories INTEGER NOT NULL); \
                     CREATE TABLE member_progress (member_id INTEGER PRIMARY KEY, sessions INTEGER, \
                     minutes INTEGER, topics TEXT, visits INTEGER); \
                     CREATE TABLE training_sessions (id INTEGER PRIMARY KEY, campaign_id INTEGER, topic_id INTEGER); \
                     CREATE TABLE attendances (session_id INTEGER, member_id INTEGER, minutes INTEGER, \
                     checked_in_at TEXT DEFAULT '2021-01-10T00:00:00+00:00'); \
                     CREATE TABLE delivery_visits (id INTEGER PRIMARY KEY, campaign_id INTEGER, member_id INTEGER, \
                     minutes INTEGER, visited_on TEXT DEFAULT '2021-01-10'); \
                     CREATE TABLE delivery_visit_topics (visit_id INTEGER, topic_id INTEGER)";
        sqlx::raw_sql(setup).execute(pool).await.unwrap();
        for (id, case) in cases().iter().enumerate() {
            let id = id as i64;
            let insert = "INSERT INTO members VALUES ($1, $2)";
            sqlx::query(insert).bind(id).bind(case.1).execute(pool).await.unwrap();
            let Some((sessions, minutes, topics, visits)) = case.0 else { continue };
            let insert = "INSERT INTO member_progress VALUES ($1, $2, $3, $4, $5)";
            let row = sqlx::query(insert).bind(id).bind(sessions).bind(minutes).bind(topics).bind(visits);
            row.execute(pool).await.unwrap();
            let topics = parse_topics(topics).topics;
            for k in 0..sessions {
                let key = id * 100 + k;
                let topic = topics.get(k as usize).copied();
                let credited = if k == 0 { minutes } else { 0 };
                if k < visits {
                    let insert = "INSERT INTO delivery_visits (id, campaign_id, member_id, minutes) VALUES ($1, 1, $2, $3)";
                    sqlx::query(insert).bind(key).bind(id).bind(credited).execute(pool).await.unwrap();
                    let insert = "INSERT INTO delivery_visit_topics VALUES ($1, $2)";
                    if topic.is_some() {
                        sqlx::query(insert).bind(key).bind(topic).execute(pool).await.unwrap();
                    }
                    continue;
                }
                let insert = "INSERT INTO training_sessions VALUES ($1, 1, $2)";
                sqlx::query(insert).bind(key).bind(topic).execute(pool).await.unwrap();
                let insert = "INSERT INTO attendances (session_id, member_id, minutes) VALUES ($1, $2, $3)";
                sqlx::query(insert).bind(key).bind(id).bind(credited).execute(pool).await.unwrap();
            }
        }
    }

    #[tokio::test]
    async fn sql_conditions_agree_with_the_rust_rules() {
        let pool = SqlitePoolOptions::new().connect("sqlite::memory:").await.unwrap();
        fill(&pool).await;
        let flags: Vec<String> = Reason::ALL
            .iter()
            .map(|r| format!("(CASE WHEN {} THEN 'Y' ELSE 'n' END)", has_reason(*r)))
            .collect();
        for rule in rules() {
            let from_rows = format!(
                "SELECT m.id, {} AS covered, {} AS reasons FROM members m \
                 LEFT JOIN member_progress p ON p.member_id = m.id ORDER BY m.id",
                covered(&rule),
                flags.join(" || ")
            );
            let from_credits = format!(
                "SELECT m.id, {} FROM members m LEFT JOIN ({}) p ON p.member_id = m.id ORDER BY m.id",
                covered_from_attendances(&rule),
                progress_from_credits(&rule)
            );
            let rows: Vec<(i64, bool, String)> = sqlx::query_as(&from_rows).fetch_all(&pool).await.unwrap();
            // $1 the campaign; $2–$4 unused here; $5, $6 the cut-off (none: far ahead).
            let raw: Vec<(i64, bool)> = sqlx::query_as(&from_credits)
                .bind(1)
                .bind(0)
                .bind(0)
                .bind(0)
                .bind("9999-12-31T00:00:00+00:00")
                .bind("9999-12-31")
                .fetch_all(&pool)
                .await
                .unwrap();
            for (((id, is_covered, reasons), (_, raw_covered)), case) in
                rows.into_iter().zip(raw).zip(cases())
            {
                let p = progress_of(&case);
                assert_eq!(is_covered, rule.is_met(&p), "member {id} under {rule:?}");
                assert_eq!(raw_covered, rule.is_met(&p), "member {id} from attendances under {rule:?}");
                let expected = Reason::for_member(MemberCategories::from_bits(case.1), &p);
                let expected: String =
                    Reason::ALL.iter().map(|r| if expected.contains(r) { 'Y' } else { 'n' }).collect();
                assert_eq!(reasons, expected, "member {id}");
            }
        }
    }

    #[test]
    fn a_member_without_a_smartphone_is_found_under_that_reason_whatever_else_they_are() {
        let bit = MemberCategories::NO_SMARTPHONE.bits();
        assert_eq!(has_reason(Reason::NoSmartphone), format!("((m.categories & {bit}) <> 0)"));
        assert_eq!(has_reason_of_row().matches(" WHEN ").count(), Reason::ALL.len());
        assert!(reasons_table().ends_with(") r"));
    }

    #[test]
    fn topic_lists_parse_sorted_and_distinct() {
        assert_eq!(parse_topics(",7,3,7,").topics, vec![3, 7]);
        assert!(parse_topics(",").topics.is_empty());
    }
}
