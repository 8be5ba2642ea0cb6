//! The contest's SQL: contests in a scope, their questions, entrants and their phones (by token
//! hash), answers stored once per (contest, question, entrant), totals without skipped questions.

use chrono::{DateTime, Utc};

use super::model::{Mode, Status};
use crate::db::{Db, Tx, rows};
use crate::org::Scope;
use crate::{on_db, on_tx};

/// A contest as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contest {
    /// Its id.
    pub id: i64,
    /// 竞赛名称.
    pub title: String,
    /// The unit that runs it; its subtree's staff may host it, its children are the teams.
    pub unit_id: i64,
    /// That unit's path.
    pub unit_path: String,
    /// Individual or team.
    pub mode: Mode,
    /// Seconds each question runs.
    pub seconds_per_question: i64,
    /// The six-digit code phones join with.
    pub join_code: String,
    /// Where it is in its life.
    pub status: Status,
    /// When it was set up.
    pub created_at: DateTime<Utc>,
    /// When it was finished.
    pub finished_at: Option<DateTime<Utc>>,
}

const CONTEST: &str = "SELECT id, title, unit_id, unit_path, mode, seconds_per_question, join_code, status, \
                       created_at, finished_at FROM contests";

/// What staff set up.
#[derive(Debug, Clone)]
pub struct NewContest {
    /// 竞赛名称.
    pub title: String,
    /// The unit running it.
    pub unit_id: i64,
    /// Its path.
    pub unit_path: String,
    /// Individual or team.
    pub mode: Mode,
    /// Seconds per question.
    pub seconds_per_question: i64,
    /// The join code (unique among contests not finished).
    pub join_code: String,
    /// The bank's question ids, in order.
    pub question_ids: Vec<i64>,
}

/// Stores a contest and its questions; returns its id.
pub async fn create(tx: &mut Tx, new: &NewContest, user_id: Option<i64>) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO contests (title, unit_id, unit_path, mode, seconds_per_question, join_code, status, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8) RETURNING id")
        .bind(&new.title).bind(new.unit_id).bind(&new.unit_path).bind(new.mode).bind(new.seconds_per_question)
        .bind(&new.join_code).bind(Utc::now()).bind(user_id)
        .fetch_one(conn).await?);
    for (i, question_id) in new.question_ids.iter().enumerate() {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO contest_questions (contest_id, position, question_id) VALUES ($1, $2, $3)")
            .bind(id).bind(i as i64 + 1).bind(question_id).execute(conn).await?.rows_affected());
    }
    Ok(id)
}

/// Whether a contest not yet finished uses this join code.
pub async fn code_in_use(db: &Db, code: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM contests WHERE join_code = $1 AND status <> 'finished'")
        .bind(code).fetch_one(pool).await?);
    Ok(n > 0)
}

/// Contests inside the scope, newest first.
pub async fn list_in_scope(db: &Db, scope: &Scope) -> Result<Vec<Contest>, sqlx::Error> {
    let sql = format!("{CONTEST} WHERE unit_path LIKE $1 ORDER BY id DESC LIMIT 200");
    on_db!(db, pool => sqlx::query_as(&sql).bind(scope).fetch_all(pool).await)
}

/// A contest inside the scope (another village's is simply not found).
pub async fn in_scope(db: &Db, id: i64, scope: &Scope) -> Result<Option<Contest>, sqlx::Error> {
    let sql = format!("{CONTEST} WHERE id = $1 AND unit_path LIKE $2");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(scope).fetch_optional(pool).await)
}

/// The contest not yet finished that this code opens.
pub async fn by_open_code(db: &Db, code: &str) -> Result<Option<Contest>, sqlx::Error> {
    let sql = format!("{CONTEST} WHERE join_code = $1 AND status <> 'finished'");
    on_db!(db, pool => sqlx::query_as(&sql).bind(code).fetch_optional(pool).await)
}

/// Sets the status (`running` on start, `finished` with its time on finish).
pub async fn set_status(tx: &mut Tx, id: i64, status: Status) -> Result<(), sqlx::Error> {
    let finished = (status == Status::Finished).then(Utc::now);
    on_tx!(tx, conn => sqlx::query("UPDATE contests SET status = $1, finished_at = $2 WHERE id = $3")
        .bind(status).bind(finished).bind(id).execute(conn).await?.rows_affected());
    Ok(())
}

/// One question of a contest: its place, whether it was skipped, and the bank's id.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Slot {
    /// 1, 2, …
    pub position: i64,
    /// The bank question.
    pub question_id: i64,
    /// Skipped by the host: its answers do not count.
    pub skipped: bool,
}

/// The contest's questions in order.
pub async fn slots(db: &Db, contest_id: i64) -> Result<Vec<Slot>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT position, question_id, skipped FROM contest_questions WHERE contest_id = $1 ORDER BY position")
        .bind(contest_id).fetch_all(pool).await)
}

/// Marks a question skipped.
pub async fn skip(tx: &mut Tx, contest_id: i64, position: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE contest_questions SET skipped = TRUE WHERE contest_id = $1 AND position = $2")
        .bind(contest_id).bind(position).execute(conn).await?.rows_affected());
    Ok(())
}

/// Who joins: a person (matched to a member or not) or, in team mode, for a team.
#[derive(Debug, Clone)]
pub struct Joining {
    /// The name typed, or the member's.
    pub name: String,
    /// The member matched, if any.
    pub member_id: Option<i64>,
    /// Team mode: the team's unit and name.
    pub team: Option<(i64, String)>,
    /// The phone's token, hashed.
    pub token_hash: String,
}

/// Adds a phone to the contest: to its team's entrant, the member's own entrant (joining again
/// from another phone), or a new entrant. Returns the entrant's id and name.
pub async fn join(tx: &mut Tx, contest_id: i64, who: &Joining) -> Result<(i64, String), sqlx::Error> {
    let now = Utc::now();
    let existing: Option<(i64, String)> = match (&who.team, who.member_id) {
        (Some((team, _)), _) => on_tx!(tx, conn => sqlx::query_as(
            "SELECT id, name FROM contest_entrants WHERE contest_id = $1 AND team_unit_id = $2")
            .bind(contest_id).bind(team).fetch_optional(conn).await?),
        (None, Some(member)) => on_tx!(tx, conn => sqlx::query_as(
            "SELECT id, name FROM contest_entrants WHERE contest_id = $1 AND member_id = $2 AND team_unit_id IS NULL")
            .bind(contest_id).bind(member).fetch_optional(conn).await?),
        (None, None) => None,
    };
    let entrant = match existing {
        Some(found) => found,
        None => {
            let (name, member, team) = match &who.team {
                Some((team, team_name)) => (team_name.clone(), None, Some(*team)),
                None => (who.name.clone(), who.member_id, None),
            };
            let id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
                "INSERT INTO contest_entrants (contest_id, name, member_id, team_unit_id, joined_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(contest_id).bind(&name).bind(member).bind(team).bind(now).fetch_one(conn).await?);
            (id, name)
        }
    };
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO contest_devices (entrant_id, token_hash, name, member_id, joined_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(entrant.0).bind(&who.token_hash).bind(&who.name).bind(who.member_id).bind(now)
        .execute(conn).await?.rows_affected());
    Ok(entrant)
}

/// A phone that joined: its device, its entrant, and the names to show.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Device {
    /// The device row.
    pub id: i64,
    /// Who scores.
    pub entrant_id: i64,
    /// The person holding the phone.
    pub name: String,
    /// The entrant's name (the person's, or the team's).
    pub entrant_name: String,
}

/// The phone with this token hash in this contest.
pub async fn device(db: &Db, contest_id: i64, token_hash: &str) -> Result<Option<Device>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT d.id, d.entrant_id, d.name, e.name AS entrant_name FROM contest_devices d \
         JOIN contest_entrants e ON e.id = d.entrant_id WHERE d.token_hash = $1 AND e.contest_id = $2")
        .bind(token_hash).bind(contest_id).fetch_optional(pool).await)
}

/// An answer as the phone sent it, graded.
#[derive(Debug, Clone)]
pub struct NewAnswer {
    /// The contest.
    pub contest_id: i64,
    /// Which question.
    pub position: i64,
    /// Who scores.
    pub entrant_id: i64,
    /// Which phone.
    pub device_id: i64,
    /// The normalised answer.
    pub answer: String,
    /// Whether it is right.
    pub correct: bool,
    /// Its score.
    pub score: i64,
}

/// What storing an answer did: the answer that counts (this one or the one stored first), its
/// score, and whether this one is new.
pub type Stored = (String, i64, bool);

/// Rows per multi-row INSERT: 8 parameters each stays far below both backends' limits.
const CHUNK: usize = 500;

/// Stores an answer unless the entrant answered this question already (see [`answer_batch`]).
/// Committed when it returns.
pub async fn answer(db: &Db, a: &NewAnswer) -> Result<Stored, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut done = answer_batch(&mut tx, std::slice::from_ref(a)).await?;
    tx.commit().await?;
    Ok(done.remove(0))
}

/// Stores many answers in the caller's transaction as if one at a time in order: the first
/// answer per (contest, question, entrant) is stored, a repeat (in the batch or already stored)
/// stores nothing and gets the stored one back. Multi-row INSERTs of [`CHUNK`] rows.
pub async fn answer_batch(tx: &mut Tx, answers: &[NewAnswer]) -> Result<Vec<Stored>, sqlx::Error> {
    let key = |a: &NewAnswer| (a.contest_id, a.position, a.entrant_id);
    // A key's first answer in the batch is tried; later ones are repeats whatever happens.
    let mut first = std::collections::HashSet::new();
    let tried: Vec<usize> = (0..answers.len()).filter(|&i| first.insert(key(&answers[i]))).collect();
    let now = Utc::now();
    let mut inserted = std::collections::HashSet::new();
    for chunk in tried.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO contest_answers (contest_id, position, entrant_id, device_id, answer, correct, score, answered_at) \
             VALUES {} ON CONFLICT (contest_id, position, entrant_id) DO NOTHING RETURNING contest_id, position, entrant_id",
            rows::tuples(chunk.len(), 8, "")
        );
        // Anonymous `?` on SQLite: a 4,000-parameter statement spent most of a burst's batch
        // looking up `$n` names (bench/README.md §10).
        let sql = rows::positional(tx, sql);
        let rows: Vec<(i64, i64, i64)> = on_tx!(tx, conn => {
            let mut q = sqlx::query_as(&sql);
            for &i in chunk {
                let a = &answers[i];
                q = q.bind(a.contest_id).bind(a.position).bind(a.entrant_id).bind(a.device_id).bind(&a.answer)
                    .bind(a.correct).bind(a.score).bind(now);
            }
            q.fetch_all(conn).await?
        });
        inserted.extend(rows);
    }
    let mut done = Vec::with_capacity(answers.len());
    let mut claimed = std::collections::HashSet::new();
    for a in answers {
        if inserted.contains(&key(a)) && claimed.insert(key(a)) {
            done.push((a.answer.clone(), a.score, true));
            continue;
        }
        let (answer, score): (String, i64) = on_tx!(tx, conn => sqlx::query_as(
            "SELECT answer, score FROM contest_answers WHERE contest_id = $1 AND position = $2 AND entrant_id = $3")
            .bind(a.contest_id).bind(a.position).bind(a.entrant_id).fetch_one(conn).await?);
        done.push((answer, score, false));
    }
    Ok(done)
}

/// One stored answer: question, entrant, answer, score.
pub type AnswerRow = (i64, i64, String, i64);

/// Every answer of a contest (to rebuild its live state after a restart).
pub async fn answers(db: &Db, contest_id: i64) -> Result<Vec<AnswerRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT position, entrant_id, answer, score FROM contest_answers WHERE contest_id = $1 ORDER BY id")
        .bind(contest_id).fetch_all(pool).await)
}

/// Every entrant with their total (skipped questions not counted).
pub async fn totals(db: &Db, contest_id: i64) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT e.id, e.name, CAST(COALESCE(SUM(CASE WHEN q.skipped THEN 0 ELSE a.score END), 0) AS BIGINT) \
         FROM contest_entrants e \
         LEFT JOIN contest_answers a ON a.entrant_id = e.id \
         LEFT JOIN contest_questions q ON q.contest_id = a.contest_id AND q.position = a.position \
         WHERE e.contest_id = $1 GROUP BY e.id, e.name")
        .bind(contest_id).fetch_all(pool).await)
}

/// The members an entrant's placing earns points for: the member who entered, or every member
/// who answered for the team on a phone of their own.
pub async fn members_of(db: &Db, entrant_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT member_id FROM contest_entrants WHERE id = $1 AND member_id IS NOT NULL \
         UNION SELECT member_id FROM contest_devices WHERE entrant_id = $1 AND member_id IS NOT NULL")
        .bind(entrant_id).fetch_all(pool).await)
}
