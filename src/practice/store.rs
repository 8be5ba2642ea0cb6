//! Quiz practice's SQL: rounds and their drawn questions (`rounds.rs`), answers stored once and
//! the mistakes book (here), exams (`exams.rs`).

mod exams;
mod rounds;

use chrono::{DateTime, Utc};

pub use exams::*;
pub use rounds::*;

use crate::db::{Db, Tx};
use crate::quiz::model::QuestionKind;
use crate::{on_db, on_tx};

/// One answer as the member sent it, graded.
#[derive(Debug, Clone)]
pub struct NewAnswer<'a> {
    /// The round.
    pub round_id: i64,
    /// Its position in the round (1-based).
    pub position: i64,
    /// Who answered.
    pub member_id: i64,
    /// The question.
    pub question_id: i64,
    /// What was sent, as one text.
    pub answer: &'a str,
    /// Whether it was right.
    pub correct: bool,
    /// When it was stored.
    pub at: DateTime<Utc>,
}

/// Stores an answer unless its position was answered already; true when this call stored it
/// (a resend of the same answer, or a second answer to the position, stores nothing). A
/// question answered wrong enters the member's mistakes book; answered right, it leaves it.
pub async fn record_answer(tx: &mut Tx, answer: &NewAnswer<'_>) -> Result<bool, sqlx::Error> {
    let stored = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO practice_answers (round_id, position, member_id, question_id, answer, correct, answered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (round_id, position) DO NOTHING",
    )
    .bind(answer.round_id).bind(answer.position).bind(answer.member_id).bind(answer.question_id)
    .bind(answer.answer).bind(answer.correct).bind(answer.at)
    .execute(conn).await?.rows_affected())
        == 1;
    if !stored {
        return Ok(false);
    }
    if answer.correct {
        on_tx!(tx, conn => sqlx::query("DELETE FROM practice_mistakes WHERE member_id = $1 AND question_id = $2")
            .bind(answer.member_id).bind(answer.question_id).execute(conn).await?.rows_affected());
    } else {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO practice_mistakes (member_id, question_id, wrong_at) VALUES ($1, $2, $3) \
             ON CONFLICT (member_id, question_id) DO UPDATE SET wrong_at = excluded.wrong_at",
        )
        .bind(answer.member_id).bind(answer.question_id).bind(answer.at).execute(conn).await?.rows_affected());
    }
    Ok(true)
}

/// A question in the member's mistakes book.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Mistake {
    /// The question.
    pub question_id: i64,
    /// 题型.
    pub kind: QuestionKind,
    /// 题干.
    pub stem: String,
    /// 答案.
    pub answer: String,
    /// 解析.
    pub explanation: String,
    /// 分类.
    pub category: String,
    /// Last answered wrong.
    pub wrong_at: DateTime<Utc>,
}

/// The member's mistakes book, most recent first.
pub async fn mistakes(db: &Db, member_id: i64) -> Result<Vec<Mistake>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT q.id AS question_id, q.kind, q.stem, q.answer, q.explanation, q.category, m.wrong_at \
         FROM practice_mistakes m JOIN questions q ON q.id = m.question_id \
         WHERE m.member_id = $1 ORDER BY m.wrong_at DESC, q.id",
    ).bind(member_id).fetch_all(pool).await)
}
