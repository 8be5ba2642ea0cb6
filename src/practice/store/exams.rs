//! Exams: set by committee or station staff for their subtree, taken once by each member below.

use chrono::{DateTime, Utc};

use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::{on_db, on_tx};

/// An exam as staff set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExam {
    /// The unit whose members take it (the setter's).
    pub unit_id: i64,
    /// 考试名称.
    pub title: String,
    /// The bank's category drawn from.
    pub category: String,
    /// How many questions.
    pub question_count: i64,
    /// Time allowed.
    pub minutes: i64,
    /// Pass mark out of 100.
    pub pass_mark: i64,
}

/// Stores an exam; returns its id.
pub async fn insert_exam(tx: &mut Tx, exam: &NewExam, user_id: i64) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO practice_exams (unit_id, title, category, question_count, minutes, pass_mark, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(exam.unit_id).bind(&exam.title).bind(&exam.category).bind(exam.question_count)
    .bind(exam.minutes).bind(exam.pass_mark).bind(user_id).bind(Utc::now())
    .fetch_one(conn).await)
}

/// A stored exam.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Exam {
    /// Its id.
    pub id: i64,
    /// 考试名称.
    pub title: String,
    /// The category drawn from.
    pub category: String,
    /// How many questions.
    pub question_count: i64,
    /// Time allowed.
    pub minutes: i64,
    /// Pass mark out of 100.
    pub pass_mark: i64,
    /// The unit whose members take it.
    pub unit_name: String,
    /// When it was set.
    pub created_at: DateTime<Utc>,
}

const EXAM: &str = "SELECT e.id, e.title, e.category, e.question_count, e.minutes, e.pass_mark, \
                    u.name AS unit_name, e.created_at FROM practice_exams e JOIN units u ON u.id = e.unit_id";

/// The exams set inside `scope`, newest first.
pub async fn exams_in_scope(db: &Db, scope: &Scope) -> Result<Vec<Exam>, sqlx::Error> {
    let sql = format!("{EXAM} WHERE u.path LIKE $1 ORDER BY e.id DESC");
    on_db!(db, pool => sqlx::query_as(&sql).bind(scope).fetch_all(pool).await)
}

/// Exam `id` if it was set inside `scope`.
pub async fn exam_in_scope(db: &Db, id: i64, scope: &Scope) -> Result<Option<Exam>, sqlx::Error> {
    let sql = format!("{EXAM} WHERE e.id = $1 AND u.path LIKE $2");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(scope).fetch_optional(pool).await)
}

/// Exam `id` if the member's unit lies below the unit it was set for.
pub async fn exam_for_member(db: &Db, id: i64, member_id: i64) -> Result<Option<Exam>, sqlx::Error> {
    let sql = format!(
        "{EXAM} JOIN members m ON m.id = $2 JOIN units mu ON mu.id = m.unit_id \
         WHERE e.id = $1 AND mu.path LIKE u.path || '%'"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(member_id).fetch_optional(pool).await)
}

/// An exam open to a member, with their attempt if they started one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenExam {
    /// The exam.
    pub id: i64,
    /// 考试名称.
    pub title: String,
    /// The category.
    pub category: String,
    /// How many questions.
    pub question_count: i64,
    /// Time allowed.
    pub minutes: i64,
    /// Pass mark out of 100.
    pub pass_mark: i64,
    /// The member's attempt, if started.
    pub round_id: Option<i64>,
}

/// The exams set for units above (or at) the member's, newest first.
pub async fn exams_for_member(db: &Db, member_id: i64) -> Result<Vec<OpenExam>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT e.id, e.title, e.category, e.question_count, e.minutes, e.pass_mark, r.id AS round_id \
         FROM practice_exams e JOIN units u ON u.id = e.unit_id \
         JOIN members m ON m.id = $1 JOIN units mu ON mu.id = m.unit_id \
         LEFT JOIN practice_rounds r ON r.exam_id = e.id AND r.member_id = m.id \
         WHERE mu.path LIKE u.path || '%' ORDER BY e.id DESC",
    ).bind(member_id).fetch_all(pool).await)
}

/// One member's attempt at an exam, for staff.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Attempt {
    /// 姓名.
    pub name: String,
    /// 所在单位.
    pub unit_name: String,
    /// Answers right.
    pub correct: i64,
    /// Answers given.
    pub answered: i64,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Time up.
    pub deadline: Option<DateTime<Utc>>,
}

/// The attempts at exam `id` by members inside `scope`.
pub async fn attempts(db: &Db, exam_id: i64, scope: &Scope) -> Result<Vec<Attempt>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT m.name, u.name AS unit_name, \
         COALESCE(SUM(CASE WHEN a.correct THEN 1 ELSE 0 END), 0) AS correct, COUNT(a.position) AS answered, \
         r.started_at, r.deadline FROM practice_rounds r JOIN members m ON m.id = r.member_id \
         JOIN units u ON u.id = m.unit_id LEFT JOIN practice_answers a ON a.round_id = r.id \
         WHERE r.exam_id = $1 AND u.path LIKE $2 \
         GROUP BY r.id, m.name, u.name, r.started_at, r.deadline ORDER BY u.name, m.name",
    ).bind(exam_id).bind(scope).fetch_all(pool).await)
}

/// The bank's categories with how many questions each holds.
pub async fn bank_categories(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT category, COUNT(*) FROM questions WHERE category <> '' GROUP BY category ORDER BY category",
    ).fetch_all(pool).await)
}
