//! Rounds: drawn once when they start (a daily quiz or an exam attempt named by its key, so a
//! second start finds the first), read back with their answers.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Db, Tx};
use crate::practice::model::{Candidate, RoundKind};
use crate::quiz::model::QuestionKind;
use crate::{on_db, on_tx};

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: i64,
    category: String,
    difficulty: String,
    seen: bool,
}

impl From<CandidateRow> for Candidate {
    fn from(r: CandidateRow) -> Candidate {
        Candidate { id: r.id, category: r.category, difficulty: r.difficulty, seen: r.seen }
    }
}

/// The bank's questions (of one category, or all when `category` is empty), each marked when
/// the member has answered it before.
pub async fn candidates(db: &Db, member_id: i64, category: &str) -> Result<Vec<Candidate>, sqlx::Error> {
    let rows: Vec<CandidateRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT q.id, q.category, q.difficulty, EXISTS (SELECT 1 FROM practice_answers a \
         WHERE a.member_id = $1 AND a.question_id = q.id) AS seen \
         FROM questions q WHERE ($2 = '' OR q.category = $2) ORDER BY q.id",
    ).bind(member_id).bind(category).fetch_all(pool).await?);
    Ok(rows.into_iter().map(Candidate::from).collect())
}

/// The questions of the member's mistakes book, as candidates (none seen: all are drawn alike).
pub async fn mistake_candidates(db: &Db, member_id: i64) -> Result<Vec<Candidate>, sqlx::Error> {
    let rows: Vec<CandidateRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT q.id, q.category, q.difficulty, FALSE AS seen FROM practice_mistakes m \
         JOIN questions q ON q.id = m.question_id WHERE m.member_id = $1 ORDER BY q.id",
    ).bind(member_id).fetch_all(pool).await?);
    Ok(rows.into_iter().map(Candidate::from).collect())
}

/// A round to start.
#[derive(Debug, Clone)]
pub struct NewRound<'a> {
    /// Whose.
    pub member_id: i64,
    /// What for.
    pub kind: RoundKind,
    /// Names a round the member may have only one of (`daily:{member}:{day}`), or none.
    pub key: Option<String>,
    /// The Shanghai day it starts on.
    pub day: NaiveDate,
    /// The category practised, or empty.
    pub category: &'a str,
    /// The exam taken, if any.
    pub exam_id: Option<i64>,
    /// When it starts.
    pub at: DateTime<Utc>,
    /// After this no answer counts (exams).
    pub deadline: Option<DateTime<Utc>>,
    /// The questions drawn, in order.
    pub questions: &'a [i64],
}

/// Starts a round with its questions, or — when a round with its key exists — returns that one
/// unchanged. Returns the round's id and whether it is new.
pub async fn start(tx: &mut Tx, round: &NewRound<'_>) -> Result<(i64, bool), sqlx::Error> {
    let id: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO practice_rounds (member_id, kind, round_key, day, category, exam_id, started_at, deadline) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (round_key) DO NOTHING RETURNING id",
    )
    .bind(round.member_id).bind(round.kind).bind(&round.key).bind(round.day).bind(round.category)
    .bind(round.exam_id).bind(round.at).bind(round.deadline)
    .fetch_optional(&mut *conn).await?);
    let Some(id) = id else {
        let existing: i64 = on_tx!(tx, conn => sqlx::query_scalar("SELECT id FROM practice_rounds WHERE round_key = $1")
            .bind(&round.key).fetch_one(&mut *conn).await?);
        return Ok((existing, false));
    };
    for (i, question) in round.questions.iter().enumerate() {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO practice_items (round_id, position, question_id) VALUES ($1, $2, $3)",
        ).bind(id).bind(i as i64 + 1).bind(question).execute(&mut *conn).await?.rows_affected());
    }
    Ok((id, true))
}

/// A started round.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Round {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub member_id: i64,
    /// What for.
    pub kind: RoundKind,
    /// The Shanghai day it started on.
    pub day: NaiveDate,
    /// The category practised, or empty.
    pub category: String,
    /// The exam taken, if any.
    pub exam_id: Option<i64>,
    /// The exam's title, if any.
    pub exam_title: Option<String>,
    /// The exam's pass mark out of 100, if any.
    pub pass_mark: Option<i64>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// After this no answer counts.
    pub deadline: Option<DateTime<Utc>>,
}

/// The member's round `id`; another member's is not found.
pub async fn round(db: &Db, id: i64, member_id: i64) -> Result<Option<Round>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT r.id, r.member_id, r.kind, r.day, r.category, r.exam_id, e.title AS exam_title, \
         e.pass_mark, r.started_at, r.deadline FROM practice_rounds r \
         LEFT JOIN practice_exams e ON e.id = r.exam_id WHERE r.id = $1 AND r.member_id = $2",
    ).bind(id).bind(member_id).fetch_optional(pool).await)
}

/// The member's round of today's daily quiz, if started.
pub async fn daily_round(db: &Db, member_id: i64, day: NaiveDate) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT id FROM practice_rounds WHERE round_key = $1")
        .bind(daily_key(member_id, day)).fetch_optional(pool).await)
}

/// The key of a member's daily quiz on a day.
pub fn daily_key(member_id: i64, day: NaiveDate) -> String {
    format!("daily:{member_id}:{day}")
}

/// One question of a round, with its answer if given.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Item {
    /// 1-based.
    pub position: i64,
    /// The question.
    pub question_id: i64,
    /// 题型.
    pub kind: QuestionKind,
    /// 题干.
    pub stem: String,
    /// 选项A.
    pub option_a: String,
    /// 选项B.
    pub option_b: String,
    /// 选项C.
    pub option_c: String,
    /// 选项D.
    pub option_d: String,
    /// 选项E.
    pub option_e: String,
    /// 选项F.
    pub option_f: String,
    /// The stored answer.
    pub answer: String,
    /// 解析.
    pub explanation: String,
    /// 分类.
    pub category: String,
    /// What the member answered, if they did.
    pub given: Option<String>,
    /// Whether it was right, if answered.
    pub correct: Option<bool>,
}

impl Item {
    /// The options with their letters (empty ones left out).
    pub fn options(&self) -> Vec<(char, String)> {
        let all =
            [&self.option_a, &self.option_b, &self.option_c, &self.option_d, &self.option_e, &self.option_f];
        crate::quiz::model::LETTERS
            .iter()
            .copied()
            .zip(all)
            .filter(|(_, o)| !o.is_empty())
            .map(|(l, o)| (l, o.clone()))
            .collect()
    }
}

/// A round's questions in order, with the answers given.
pub async fn items(db: &Db, round_id: i64) -> Result<Vec<Item>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT i.position, q.id AS question_id, q.kind, q.stem, q.option_a, q.option_b, q.option_c, \
         q.option_d, q.option_e, q.option_f, q.answer, q.explanation, q.category, \
         a.answer AS given, a.correct FROM practice_items i JOIN questions q ON q.id = i.question_id \
         LEFT JOIN practice_answers a ON a.round_id = i.round_id AND a.position = i.position \
         WHERE i.round_id = $1 ORDER BY i.position",
    ).bind(round_id).fetch_all(pool).await)
}
