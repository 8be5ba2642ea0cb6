//! The practice pages: the member's hub and mistakes book (`hub.rs`), a round's questions and
//! answers (`round.rs`), and exams (`exams.rs`: staff set and read them, members start them).

pub mod exams;
pub mod hub;
pub mod round;

use chrono::{DateTime, Datelike, Utc};

use super::model::{RoundKind, draw, seed};
use super::store::{self, NewRound};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::web::{AppError, AppResult};

/// The member record behind this account; staff accounts without one cannot answer.
fn member_of(user: &CurrentUser) -> AppResult<i64> {
    user.member_id.ok_or_else(|| {
        AppError::BadRequest("此账号没有关联党员信息，不能答题；如需答题，请联系本村管理员关联".into())
    })
}

/// What a round to start is.
struct Start<'a> {
    kind: RoundKind,
    key: Option<String>,
    category: &'a str,
    exam_id: Option<i64>,
    count: usize,
    minutes: Option<i64>,
}

/// Draws and starts a round (or finds the one its key names: today's daily quiz, an exam
/// attempt); returns its id.
async fn start_round(db: &Db, member_id: i64, start: Start<'_>, now: DateTime<Utc>) -> AppResult<i64> {
    let pool = match start.kind {
        RoundKind::Mistakes => store::mistake_candidates(db, member_id).await?,
        _ => store::candidates(db, member_id, start.category).await?,
    };
    let day = crate::time::today();
    let salt = now.timestamp_subsec_nanos() as u64 ^ now.timestamp() as u64;
    let salt = if start.kind == RoundKind::Daily { 0 } else { salt };
    let questions = draw(&pool, start.count, seed(member_id, day.num_days_from_ce().into(), salt));
    if questions.is_empty() {
        return Err(AppError::Conflict(match start.kind {
            RoundKind::Mistakes => "错题本是空的，没有要重练的题".into(),
            _ => "题库里还没有题目，请稍后再来".into(),
        }));
    }
    let round = NewRound {
        member_id,
        kind: start.kind,
        key: start.key.clone(),
        day,
        category: start.category,
        exam_id: start.exam_id,
        at: now,
        deadline: start.minutes.map(|m| now + chrono::Duration::minutes(m)),
        questions: &questions,
    };
    let mut tx = db.begin().await?;
    let (id, _) = store::start(&mut tx, &round).await?;
    tx.commit().await?;
    Ok(id)
}
