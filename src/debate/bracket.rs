//! The debate's writes, each inside the caller's transaction: drawing the bracket (byes decided
//! at once), setting a match up, a judge's ballot (cast or revised until the match closes),
//! closing a match (the winner advances; the final's winner is the champion) and its points.

use chrono::{DateTime, Utc};

use super::model::{self, Side};
use super::store::{Debate, Debater, Match};
use crate::db::Tx;
use crate::on_tx;
use crate::points::{self, Award, PointKind};

/// A team to enter: its unit and debaters (members, in order).
#[derive(Debug, Clone)]
pub struct NewTeam {
    /// The unit it stands for.
    pub unit_id: i64,
    /// The unit's name.
    pub name: String,
    /// Its debaters.
    pub debaters: Vec<i64>,
}

/// A tournament to draw.
#[derive(Debug, Clone)]
pub struct NewDebate {
    /// 比赛名称.
    pub title: String,
    /// The unit running it.
    pub unit_id: i64,
    /// Its path.
    pub unit_path: String,
    /// Teams in seed order.
    pub teams: Vec<NewTeam>,
    /// The judges' accounts.
    pub judges: Vec<i64>,
}

/// Stores the tournament and draws its whole bracket: every match of every round, the first
/// round seated by seed, byes closed with their team already in the second round. Returns its id.
pub async fn create(tx: &mut Tx, new: &NewDebate, user_id: Option<i64>) -> Result<i64, sqlx::Error> {
    let (size, rounds) = model::size_and_rounds(new.teams.len());
    let rounds = i64::from(rounds);
    let now = Utc::now();
    let id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO debates (title, unit_id, unit_path, rounds, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(&new.title).bind(new.unit_id).bind(&new.unit_path).bind(rounds).bind(now).bind(user_id)
        .fetch_one(conn).await?);
    let mut team_ids = Vec::new();
    for (i, team) in new.teams.iter().enumerate() {
        let team_id: i64 = on_tx!(tx, conn => sqlx::query_scalar(
            "INSERT INTO debate_teams (debate_id, seed, unit_id, name) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(id).bind(i as i64 + 1).bind(team.unit_id).bind(&team.name).fetch_one(conn).await?);
        for (p, member) in team.debaters.iter().enumerate() {
            on_tx!(tx, conn => sqlx::query(
                "INSERT INTO debate_debaters (team_id, member_id, position) VALUES ($1, $2, $3)")
                .bind(team_id).bind(member).bind(p as i64 + 1).execute(conn).await?.rows_affected());
        }
        team_ids.push(team_id);
    }
    for judge in &new.judges {
        on_tx!(tx, conn => sqlx::query("INSERT INTO debate_judges (debate_id, user_id) VALUES ($1, $2)")
            .bind(id).bind(judge).execute(conn).await?.rows_affected());
    }
    for round in 1..=rounds {
        for slot in 1..=(size as i64 >> round) {
            on_tx!(tx, conn => sqlx::query(
                "INSERT INTO debate_matches (debate_id, round, slot) VALUES ($1, $2, $3)")
                .bind(id).bind(round).bind(slot).execute(conn).await?.rows_affected());
        }
    }
    let team = |seed: Option<usize>| seed.map(|s| team_ids[s - 1]);
    for (i, (affirmative, negative)) in model::first_round(new.teams.len()).into_iter().enumerate() {
        let slot = i as i64 + 1;
        let (affirmative, negative) = (team(affirmative), team(negative));
        let bye = affirmative.is_none() || negative.is_none();
        on_tx!(tx, conn => sqlx::query(
            "UPDATE debate_matches SET affirmative_team_id = $1, negative_team_id = $2, bye = $3, \
             winner_team_id = CASE WHEN $3 THEN COALESCE($1, $2) END, closed_at = CASE WHEN $3 THEN $4 END \
             WHERE debate_id = $5 AND round = 1 AND slot = $6")
            .bind(affirmative).bind(negative).bind(bye).bind(now).bind(id).bind(slot)
            .execute(conn).await?.rows_affected());
        if let (true, Some(winner)) = (bye, affirmative.or(negative)) {
            advance(tx, id, 1, slot, rounds, winner).await?;
        }
    }
    Ok(id)
}

/// A match's arrangements.
#[derive(Debug, Clone, Default)]
pub struct MatchSetup {
    /// 辩题.
    pub motion: String,
    /// When it starts.
    pub starts_at: Option<DateTime<Utc>>,
    /// Where.
    pub place: String,
    /// A live session of the cloud classroom to join online.
    pub session_id: Option<i64>,
    /// Or a live room's address.
    pub live_url: String,
}

/// Sets a match's motion, time, place and online link (not once it is closed). Returns whether
/// it changed.
pub async fn set_up(tx: &mut Tx, match_id: i64, s: &MatchSetup) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE debate_matches SET motion = $1, starts_at = $2, place = $3, session_id = $4, live_url = $5 \
         WHERE id = $6 AND closed_at IS NULL")
        .bind(&s.motion).bind(s.starts_at).bind(&s.place).bind(s.session_id).bind(&s.live_url).bind(match_id)
        .execute(conn).await?.rows_affected());
    Ok(n == 1)
}

/// A judge's ballot.
#[derive(Debug, Clone)]
pub struct NewBallot {
    /// The match.
    pub match_id: i64,
    /// The judge's account.
    pub judge_user_id: i64,
    /// The side voted for.
    pub side: Side,
    /// Why (required).
    pub reason: String,
    /// The best debater named (a debater of either team in the match).
    pub best_debater_id: i64,
}

/// Casts the judge's ballot, or revises the one they cast, while the match is open. Returns
/// `None` when the match is closed (nothing stored), else whether this was a revision.
pub async fn cast(tx: &mut Tx, b: &NewBallot) -> Result<Option<bool>, sqlx::Error> {
    let earlier: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM debate_ballots WHERE match_id = $1 AND judge_user_id = $2")
        .bind(b.match_id).bind(b.judge_user_id).fetch_one(conn).await?);
    let n = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO debate_ballots (match_id, judge_user_id, side, reason, best_debater_id, cast_at) \
         SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS \
         (SELECT 1 FROM debate_matches WHERE id = $1 AND closed_at IS NULL) \
         ON CONFLICT (match_id, judge_user_id) DO UPDATE SET side = excluded.side, reason = excluded.reason, \
         best_debater_id = excluded.best_debater_id, cast_at = excluded.cast_at")
        .bind(b.match_id).bind(b.judge_user_id).bind(b.side).bind(&b.reason).bind(b.best_debater_id)
        .bind(Utc::now()).execute(conn).await?.rows_affected());
    Ok((n == 1).then_some(earlier > 0))
}

/// The votes a result was decided on: how many ballots, how many of them for 正方.
#[derive(Debug, Clone, Copy)]
pub struct Counted {
    /// Ballots in all.
    pub ballots: i64,
    /// Of them for 正方.
    pub affirmative: i64,
}

/// Fixes a match's result and moves the winner on (or crowns the champion after the final).
/// Returns false, changing nothing, when it was closed already or its ballots are no longer
/// those `counted` (a judge voted or changed sides in between).
pub async fn close(
    tx: &mut Tx,
    m: &Match,
    rounds: i64,
    (winner, best_debater): (i64, Option<i64>),
    counted: Counted,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE debate_matches SET winner_team_id = $1, best_debater_id = $2, closed_at = $3 \
         WHERE id = $4 AND closed_at IS NULL \
         AND (SELECT COUNT(*) FROM debate_ballots WHERE match_id = $4) = $5 \
         AND (SELECT COUNT(*) FROM debate_ballots WHERE match_id = $4 AND side = 'affirmative') = $6")
        .bind(winner).bind(best_debater).bind(Utc::now()).bind(m.id).bind(counted.ballots).bind(counted.affirmative)
        .execute(conn).await?.rows_affected());
    if n != 1 {
        return Ok(false);
    }
    advance(tx, m.debate_id, m.round, m.slot, rounds, winner).await?;
    Ok(true)
}

/// Seats the winner of (round, slot) in the next match on its side, or makes them champion.
async fn advance(
    tx: &mut Tx,
    debate_id: i64,
    round: i64,
    slot: i64,
    rounds: i64,
    winner: i64,
) -> Result<(), sqlx::Error> {
    let Some((next_round, next_slot, side)) = model::next_match(round, slot, rounds) else {
        on_tx!(tx, conn => sqlx::query("UPDATE debates SET champion_team_id = $1 WHERE id = $2")
            .bind(winner).bind(debate_id).execute(conn).await?.rows_affected());
        return Ok(());
    };
    // Two statements rather than a column name spliced in: the side picks the text.
    let sql = match side {
        Side::Affirmative => {
            "UPDATE debate_matches SET affirmative_team_id = $1 WHERE debate_id = $2 AND round = $3 AND slot = $4"
        }
        Side::Negative => {
            "UPDATE debate_matches SET negative_team_id = $1 WHERE debate_id = $2 AND round = $3 AND slot = $4"
        }
    };
    on_tx!(tx, conn => sqlx::query(sql).bind(winner).bind(debate_id).bind(next_round).bind(next_slot)
        .execute(conn).await?.rows_affected());
    Ok(())
}

/// The points a closed match earns, through the points room in the same transaction: its best
/// debater 竞赛三等 (key `debate:{match}:best:{member}`); after the final, the champion's
/// debaters 竞赛一等 and the runner-up's 竞赛二等 (key `debate:{debate}:{member}`). Returns how
/// many awards were made.
pub async fn award_points(
    tx: &mut Tx,
    debate: &Debate,
    m: &Match,
    winner: i64,
    best_debater: Option<i64>,
    debaters: &[Debater],
    campaign_id: Option<i64>,
) -> Result<usize, sqlx::Error> {
    let award = |member_id: i64, kind, item_key: String, idempotency_key: String| Award {
        member_id,
        kind,
        item_key,
        idempotency_key,
        at: Utc::now(),
        quantity: 1,
        reason: debate.title.clone(),
        recorded_by: None,
        campaign_id,
    };
    let mut awards = Vec::new();
    if let Some(best) = best_debater {
        awards.push(award(
            best,
            PointKind::ContestThird,
            format!("debate_match:{}", m.id),
            format!("debate:{}:best:{best}", m.id),
        ));
    }
    if m.round == debate.rounds {
        let loser =
            if Some(winner) == m.affirmative_team_id { m.negative_team_id } else { m.affirmative_team_id };
        for d in debaters {
            let kind = if d.team_id == winner {
                PointKind::ContestFirst
            } else if Some(d.team_id) == loser {
                PointKind::ContestSecond
            } else {
                continue;
            };
            let key = format!("debate:{}:{}", debate.id, d.member_id);
            awards.push(award(d.member_id, kind, format!("debate:{}", debate.id), key));
        }
    }
    for a in &awards {
        points::award(tx, a).await?;
    }
    Ok(awards.len())
}
