//! Speech contests' SQL: contests in a scope, their rounds and judges, entries (one per round and
//! member), judges' scores (one per entry and judge, revised in place), votes (one per entry and
//! member, `ON CONFLICT DO NOTHING`), and each round's tallies.

use chrono::{DateTime, Utc};

use super::model::{ContestStatus, RoundStatus, Tally};
use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::{on_db, on_tx};

/// A speech contest as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contest {
    /// Its id.
    pub id: i64,
    /// 比赛名称.
    pub title: String,
    /// The unit that runs it; members below it may enter and vote.
    pub unit_id: i64,
    /// That unit's path.
    pub unit_path: String,
    /// The rubric as stored ("内容:40,表达:30,…").
    pub rubric: String,
    /// Running or finished.
    pub status: ContestStatus,
    /// When it was set up.
    pub created_at: DateTime<Utc>,
    /// When it was finished.
    pub finished_at: Option<DateTime<Utc>>,
}

const CONTEST: &str =
    "SELECT id, title, unit_id, unit_path, rubric, status, created_at, finished_at FROM speech_contests";

/// What staff set up.
#[derive(Debug, Clone)]
pub struct NewContest {
    /// 比赛名称.
    pub title: String,
    /// The unit running it.
    pub unit_id: i64,
    /// Its path.
    pub unit_path: String,
    /// The rubric as stored.
    pub rubric: String,
    /// The rounds' names, in order.
    pub rounds: Vec<String>,
    /// The judges' account ids.
    pub judges: Vec<i64>,
}

/// Stores a contest with its rounds (in order, all pending) and judges; returns its id.
pub async fn create(tx: &mut Tx, new: &NewContest, user_id: Option<i64>) -> Result<i64, sqlx::Error> {
    let NewContest { title, unit_id, unit_path, rubric, rounds, judges } = new;
    let id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO speech_contests (title, unit_id, unit_path, rubric, status, created_at, created_by) \
         VALUES ($1, $2, $3, $4, 'running', $5, $6) RETURNING id")
        .bind(title).bind(unit_id).bind(unit_path).bind(rubric).bind(Utc::now()).bind(user_id)
        .fetch_one(conn).await?);
    for (i, name) in rounds.iter().enumerate() {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO speech_rounds (contest_id, position, name, status) VALUES ($1, $2, $3, 'pending')")
            .bind(id).bind(i as i64 + 1).bind(name).execute(conn).await?.rows_affected());
    }
    for judge in judges {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO speech_judges (contest_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id).bind(judge).execute(conn).await?.rows_affected());
    }
    Ok(id)
}

/// Contests inside the scope, newest first.
pub async fn list_in_scope(db: &Db, scope: &Scope) -> Result<Vec<Contest>, sqlx::Error> {
    let sql = format!("{CONTEST} WHERE unit_path LIKE $1 ORDER BY id DESC LIMIT 200");
    on_db!(db, pool => sqlx::query_as(&sql).bind(scope).fetch_all(pool).await)
}

/// Contests a person below a unit may take part in (run by their unit or one above it), and
/// those they judge, newest first.
pub async fn list_for(db: &Db, unit_path: &str, user_id: i64) -> Result<Vec<Contest>, sqlx::Error> {
    let sql = format!(
        "{CONTEST} WHERE $1 LIKE unit_path || '%' \
         OR id IN (SELECT contest_id FROM speech_judges WHERE user_id = $2) ORDER BY id DESC LIMIT 200"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(unit_path).bind(user_id).fetch_all(pool).await)
}

/// A contest by id, whoever asks (callers decide who may see it).
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Contest>, sqlx::Error> {
    let sql = format!("{CONTEST} WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Marks a contest finished.
pub async fn finish(tx: &mut Tx, id: i64) -> Result<u64, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE speech_contests SET status = 'finished', finished_at = $1 WHERE id = $2 AND status = 'running'")
        .bind(Utc::now()).bind(id).execute(conn).await.map(|r| r.rows_affected()))
}

/// A round as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Round {
    /// Its id.
    pub id: i64,
    /// Its contest.
    pub contest_id: i64,
    /// 1, 2, …
    pub position: i64,
    /// 初赛, 决赛…
    pub name: String,
    /// Pending, open or closed.
    pub status: RoundStatus,
}

/// A contest's rounds in order.
pub async fn rounds(db: &Db, contest_id: i64) -> Result<Vec<Round>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT id, contest_id, position, name, status FROM speech_rounds WHERE contest_id = $1 ORDER BY position")
        .bind(contest_id).fetch_all(pool).await)
}

/// Sets a round's status.
pub async fn set_round_status(tx: &mut Tx, round_id: i64, status: RoundStatus) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query("UPDATE speech_rounds SET status = $1 WHERE id = $2")
        .bind(status).bind(round_id).execute(conn).await?.rows_affected());
    Ok(())
}

/// The contest's judges: account id and name.
pub async fn judges(db: &Db, contest_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT u.id, u.name FROM speech_judges j JOIN users u ON u.id = j.user_id \
         WHERE j.contest_id = $1 ORDER BY u.id")
        .bind(contest_id).fetch_all(pool).await)
}

/// The account ids of enabled accounts with these phones: (phone, id).
pub async fn accounts_by_phone(db: &Db, phones: &[String]) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let mut found = Vec::new();
    for phone in phones {
        let row: Option<(String, i64)> = on_db!(db, pool => sqlx::query_as(
            "SELECT phone, id FROM users WHERE phone = $1 AND active = TRUE")
            .bind(phone).fetch_optional(pool).await?);
        found.extend(row);
    }
    Ok(found)
}

/// Whether the member's unit is inside the subtree at `unit_path`.
pub async fn member_below(db: &Db, member_id: i64, unit_path: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id WHERE m.id = $1 AND u.path LIKE $2 || '%'")
        .bind(member_id).bind(unit_path).fetch_one(pool).await?);
    Ok(n > 0)
}

/// An entry as shown.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    /// Its id.
    pub id: i64,
    /// Its round.
    pub round_id: i64,
    /// The member who speaks.
    pub member_id: i64,
    /// Their name.
    pub name: String,
    /// Their unit's name.
    pub unit_name: String,
    /// 演讲题目.
    pub title: String,
    /// 演讲稿.
    pub script: String,
    /// The video's address.
    pub video_url: String,
    /// The uploaded video's stored name in the media directory ('' when it is a link).
    pub video_file: String,
    /// The uploaded video's MIME type.
    pub video_mime: String,
    /// When it was entered.
    pub created_at: DateTime<Utc>,
}

const ENTRY: &str = "SELECT e.id, e.round_id, e.member_id, m.name, u.name AS unit_name, e.title, e.script, \
                     e.video_url, e.video_file, e.video_mime, e.created_at FROM speech_entries e JOIN members m ON m.id = e.member_id \
                     JOIN units u ON u.id = m.unit_id";

/// What a member (or staff for them) enters.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The round.
    pub round_id: i64,
    /// The member.
    pub member_id: i64,
    /// 演讲题目.
    pub title: String,
    /// 演讲稿.
    pub script: String,
    /// The video's address.
    pub video_url: String,
}

/// Stores an entry; `None` when the member already entered this round.
pub async fn enter(tx: &mut Tx, new: &NewEntry, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO speech_entries (round_id, member_id, title, script, video_url, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (round_id, member_id) DO NOTHING RETURNING id")
        .bind(new.round_id).bind(new.member_id).bind(&new.title).bind(&new.script).bind(&new.video_url)
        .bind(Utc::now()).bind(user_id).fetch_optional(conn).await)
}

/// Makes an uploaded file the entry's video (its address becomes the entry's own video route);
/// returns the file it replaces, if any, for the caller to remove once this has committed.
pub async fn attach_video(
    tx: &mut Tx,
    entry_id: i64,
    file: &str,
    mime: &str,
) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, conn => {
        let previous: String = sqlx::query_scalar("SELECT video_file FROM speech_entries WHERE id = $1")
            .bind(entry_id).fetch_one(&mut *conn).await?;
        sqlx::query("UPDATE speech_entries SET video_file = $1, video_mime = $2, video_url = $3 WHERE id = $4")
            .bind(file).bind(mime).bind(format!("/speech/entries/{entry_id}/video")).bind(entry_id)
            .execute(&mut *conn).await?;
        Ok(Some(previous).filter(|p| !p.is_empty()))
    })
}

/// A round's entries, in the order they came.
pub async fn entries(db: &Db, round_id: i64) -> Result<Vec<Entry>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.round_id = $1 ORDER BY e.created_at, e.id");
    on_db!(db, pool => sqlx::query_as(&sql).bind(round_id).fetch_all(pool).await)
}

/// One entry.
pub async fn entry(db: &Db, id: i64) -> Result<Option<Entry>, sqlx::Error> {
    let sql = format!("{ENTRY} WHERE e.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// A round by id.
pub async fn round(db: &Db, id: i64) -> Result<Option<Round>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT id, contest_id, position, name, status FROM speech_rounds WHERE id = $1")
        .bind(id).fetch_optional(pool).await)
}

/// A judge's marks of an entry, as stored, if any.
pub async fn score(db: &Db, entry_id: i64, judge_id: i64) -> Result<Option<(String, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT marks, total FROM speech_scores WHERE entry_id = $1 AND judge_id = $2")
        .bind(entry_id).bind(judge_id).fetch_optional(pool).await)
}

/// Stores a judge's marks of an entry, replacing their earlier ones; returns whether it revised.
pub async fn put_score(
    tx: &mut Tx,
    entry_id: i64,
    judge_id: i64,
    marks: &str,
    total: i64,
) -> Result<bool, sqlx::Error> {
    let revised: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM speech_scores WHERE entry_id = $1 AND judge_id = $2")
        .bind(entry_id).bind(judge_id).fetch_one(conn).await?);
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO speech_scores (entry_id, judge_id, marks, total, scored_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (entry_id, judge_id) DO UPDATE SET marks = excluded.marks, total = excluded.total, \
         scored_at = excluded.scored_at")
        .bind(entry_id).bind(judge_id).bind(marks).bind(total).bind(Utc::now())
        .execute(conn).await?.rows_affected());
    Ok(revised > 0)
}

/// Records a vote; false when this member already voted for this entry.
pub async fn vote(tx: &mut Tx, entry_id: i64, member_id: i64, user_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO speech_votes (entry_id, member_id, user_id, voted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (entry_id, member_id) DO NOTHING")
        .bind(entry_id).bind(member_id).bind(user_id).bind(Utc::now()).execute(conn).await?.rows_affected());
    Ok(n > 0)
}

/// Whether this member voted for this entry.
pub async fn has_voted(db: &Db, entry_id: i64, member_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM speech_votes WHERE entry_id = $1 AND member_id = $2")
        .bind(entry_id).bind(member_id).fetch_one(pool).await?);
    Ok(n > 0)
}

/// Each entry of a round with its judges' totals and votes.
pub async fn tallies(db: &Db, round_id: i64) -> Result<Vec<Tally>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        entry_id: i64,
        member_id: i64,
        name: String,
        unit_name: String,
        title: String,
        created_at: DateTime<Utc>,
        score_sum: i64,
        judges: i64,
        votes: i64,
    }
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(
        "SELECT e.id AS entry_id, e.member_id, m.name, u.name AS unit_name, e.title, e.created_at, \
         CAST(COALESCE((SELECT SUM(s.total) FROM speech_scores s WHERE s.entry_id = e.id), 0) AS BIGINT) AS score_sum, \
         (SELECT COUNT(*) FROM speech_scores s WHERE s.entry_id = e.id) AS judges, \
         (SELECT COUNT(*) FROM speech_votes v WHERE v.entry_id = e.id) AS votes \
         FROM speech_entries e JOIN members m ON m.id = e.member_id JOIN units u ON u.id = m.unit_id \
         WHERE e.round_id = $1")
        .bind(round_id).fetch_all(pool).await?);
    Ok(rows
        .into_iter()
        .map(|r| Tally {
            entry_id: r.entry_id,
            member_id: r.member_id,
            name: r.name,
            unit_name: r.unit_name,
            title: r.title,
            created_at: r.created_at,
            score_sum: r.score_sum,
            judges: r.judges,
            votes: r.votes,
        })
        .collect())
}
