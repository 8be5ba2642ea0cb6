//! The debate's reads: tournaments a user may see (their subtree's, the ones over their unit,
//! the ones they judge), teams with their debaters, the bracket's matches, judges and ballots.
//! Writes are in `bracket.rs`.

use chrono::{DateTime, Utc};

use super::model::Side;
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;

/// A tournament as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Debate {
    /// Its id.
    pub id: i64,
    /// 比赛名称.
    pub title: String,
    /// The unit that runs it; its subtree's staff manage it.
    pub unit_id: i64,
    /// That unit's path.
    pub unit_path: String,
    /// How many rounds the bracket has.
    pub rounds: i64,
    /// The final's winner, once decided.
    pub champion_team_id: Option<i64>,
    /// The champion's name ('' until decided).
    pub champion_name: String,
    /// When it was set up.
    pub created_at: DateTime<Utc>,
}

const DEBATE: &str = "SELECT d.id, d.title, d.unit_id, d.unit_path, d.rounds, d.champion_team_id, \
     COALESCE(t.name, '') AS champion_name, d.created_at FROM debates d \
     LEFT JOIN debate_teams t ON t.id = d.champion_team_id";

/// Who may see a tournament: staff whose subtree holds it, anyone in the unit running it or
/// below (a team's members follow the bracket), and its judges.
const VISIBLE: &str = "(d.unit_path LIKE $1 OR $2 LIKE d.unit_path || '%' \
     OR EXISTS (SELECT 1 FROM debate_judges j WHERE j.debate_id = d.id AND j.user_id = $3))";

/// The tournaments a user may see, newest first.
pub async fn list_visible(
    db: &Db,
    scope: Option<&Scope>,
    own_path: &str,
    user_id: i64,
) -> Result<Vec<Debate>, sqlx::Error> {
    let sql = format!("{DEBATE} WHERE {VISIBLE} ORDER BY d.id DESC LIMIT 200");
    on_db!(db, pool => sqlx::query_as(&sql).bind(scope).bind(own_path).bind(user_id).fetch_all(pool).await)
}

/// One tournament a user may see (else not found).
pub async fn visible(
    db: &Db,
    id: i64,
    scope: Option<&Scope>,
    own_path: &str,
    user_id: i64,
) -> Result<Option<Debate>, sqlx::Error> {
    let sql = format!("{DEBATE} WHERE d.id = $4 AND {VISIBLE}");
    on_db!(db, pool => sqlx::query_as(&sql).bind(scope).bind(own_path).bind(user_id).bind(id).fetch_optional(pool).await)
}

/// One team with its seed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Team {
    /// Its id.
    pub id: i64,
    /// 1 for the top seed.
    pub seed: i64,
    /// The unit it stands for.
    pub unit_id: i64,
    /// The unit's name.
    pub name: String,
}

/// The tournament's teams by seed.
pub async fn teams(db: &Db, debate_id: i64) -> Result<Vec<Team>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT id, seed, unit_id, name FROM debate_teams WHERE debate_id = $1 ORDER BY seed")
        .bind(debate_id).fetch_all(pool).await)
}

/// One debater of a team.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Debater {
    /// Their team.
    pub team_id: i64,
    /// The member.
    pub member_id: i64,
    /// Their name.
    pub name: String,
}

/// Every debater of the tournament, by team and position.
pub async fn debaters(db: &Db, debate_id: i64) -> Result<Vec<Debater>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT dd.team_id, dd.member_id, m.name FROM debate_debaters dd \
         JOIN debate_teams t ON t.id = dd.team_id JOIN members m ON m.id = dd.member_id \
         WHERE t.debate_id = $1 ORDER BY t.seed, dd.position")
        .bind(debate_id).fetch_all(pool).await)
}

/// One match of the bracket with its teams' names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Match {
    /// Its id.
    pub id: i64,
    /// The tournament.
    pub debate_id: i64,
    /// 1 for the first round.
    pub round: i64,
    /// Its place in the round, from 1.
    pub slot: i64,
    /// 正方, once known.
    pub affirmative_team_id: Option<i64>,
    /// 正方's name ('' until known).
    pub affirmative_name: String,
    /// 反方, once known.
    pub negative_team_id: Option<i64>,
    /// 反方's name ('' until known).
    pub negative_name: String,
    /// 辩题.
    pub motion: String,
    /// When it starts.
    pub starts_at: Option<DateTime<Utc>>,
    /// Where.
    pub place: String,
    /// The cloud classroom's live session it is broadcast in, if any.
    pub session_id: Option<i64>,
    /// A live room's address, if any.
    pub live_url: String,
    /// A first-round match with one team: it advances without a debate.
    pub bye: bool,
    /// The winner, once closed.
    pub winner_team_id: Option<i64>,
    /// The best debater, once closed.
    pub best_debater_id: Option<i64>,
    /// The best debater's name ('' until closed).
    pub best_debater_name: String,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
}

impl Match {
    /// Whether the result is fixed.
    pub fn closed(&self) -> bool {
        self.closed_at.is_some()
    }

    /// Whether judges may vote: both teams known, not a bye, not closed.
    pub fn open_for_ballots(&self) -> bool {
        !self.bye && !self.closed() && self.affirmative_team_id.is_some() && self.negative_team_id.is_some()
    }

    /// The team on a side.
    pub fn team_on(&self, side: Side) -> Option<i64> {
        match side {
            Side::Affirmative => self.affirmative_team_id,
            Side::Negative => self.negative_team_id,
        }
    }

    /// The winner's side, once closed.
    pub fn winner_side(&self) -> Option<Side> {
        let winner = self.winner_team_id?;
        if Some(winner) == self.affirmative_team_id { Some(Side::Affirmative) } else { Some(Side::Negative) }
    }

    /// The start as a Shanghai local time (`2026-12-05 19:30`); '' when not set.
    pub fn when(&self) -> String {
        self.starts_at.map(crate::time::local_datetime).unwrap_or_default()
    }
}

const MATCH: &str = "SELECT m.id, m.debate_id, m.round, m.slot, m.affirmative_team_id, \
     COALESCE(a.name, '') AS affirmative_name, m.negative_team_id, COALESCE(n.name, '') AS negative_name, \
     m.motion, m.starts_at, m.place, m.session_id, m.live_url, m.bye, m.winner_team_id, m.best_debater_id, \
     COALESCE(b.name, '') AS best_debater_name, m.closed_at FROM debate_matches m \
     LEFT JOIN debate_teams a ON a.id = m.affirmative_team_id LEFT JOIN debate_teams n ON n.id = m.negative_team_id \
     LEFT JOIN members b ON b.id = m.best_debater_id";

/// The bracket's matches by round and slot.
pub async fn matches(db: &Db, debate_id: i64) -> Result<Vec<Match>, sqlx::Error> {
    let sql = format!("{MATCH} WHERE m.debate_id = $1 ORDER BY m.round, m.slot");
    on_db!(db, pool => sqlx::query_as(&sql).bind(debate_id).fetch_all(pool).await)
}

/// One match by id (the caller checks its tournament is visible).
pub async fn match_by_id(db: &Db, id: i64) -> Result<Option<Match>, sqlx::Error> {
    let sql = format!("{MATCH} WHERE m.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// The tournament's judges: account id and name.
pub async fn judges(db: &Db, debate_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT u.id, u.name FROM debate_judges j JOIN users u ON u.id = j.user_id WHERE j.debate_id = $1 ORDER BY u.id")
        .bind(debate_id).fetch_all(pool).await)
}

/// Whether an account judges the tournament.
pub async fn is_judge(db: &Db, debate_id: i64, user_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM debate_judges WHERE debate_id = $1 AND user_id = $2")
        .bind(debate_id).bind(user_id).fetch_one(pool).await?);
    Ok(n > 0)
}

/// One judge's ballot with the names a page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ballot {
    /// The judge's account.
    pub judge_user_id: i64,
    /// The judge's name.
    pub judge_name: String,
    /// The side voted for.
    pub side: Side,
    /// The written reason.
    pub reason: String,
    /// The best debater named.
    pub best_debater_id: i64,
    /// Their name.
    pub best_debater_name: String,
    /// When it was cast or last revised.
    pub cast_at: DateTime<Utc>,
}

/// A match's ballots in the order first cast.
pub async fn ballots(db: &Db, match_id: i64) -> Result<Vec<Ballot>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT b.judge_user_id, u.name AS judge_name, b.side, b.reason, b.best_debater_id, \
         m.name AS best_debater_name, b.cast_at FROM debate_ballots b JOIN users u ON u.id = b.judge_user_id \
         JOIN members m ON m.id = b.best_debater_id WHERE b.match_id = $1 ORDER BY b.id")
        .bind(match_id).fetch_all(pool).await)
}
