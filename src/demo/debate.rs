//! The demo's debate in progress: 冬训辩论赛, the first eight stations as teams of three
//! debaters, three lecturers judging; the first round decided with ballots and reasons (points
//! earned), the first semi-final scheduled online, the second awaiting its ballots — written
//! through the debate room's own functions, deterministic.

use chrono::{Duration, Utc};

use crate::db::Db;
use crate::debate::bracket::{self, MatchSetup, NewBallot, NewDebate, NewTeam};
use crate::debate::model::{self, Side};
use crate::debate::store;
use crate::on_db;
use crate::org::Scope;
use crate::org::store::Unit;

/// The judges: the first three demo lecturers.
const JUDGES: [&str; 3] = ["13900000200", "13900000201", "13900000202"];

/// The first round's motions, one per match.
const MOTIONS: [&str; 4] = [
    "乡村振兴，人才比资金更重要",
    "网上学习比集中学习效果更好",
    "移风易俗应以引导为主",
    "发展乡村旅游利大于弊",
];

/// The judges' reasons, in turn.
const REASONS: [&str; 3] = [
    "立论清晰，数据来自本村实际，反驳回应了对方的核心论点。",
    "自由辩论环节更主动，结辩总结有力，例子贴近群众生活。",
    "论证层次分明，但对方质询时回应略显被动，综合判定。",
];

/// Seeds the tournament, run by the sub-district (`root`).
pub async fn seed(db: &Db, root: &Unit, stations: &[Unit]) -> anyhow::Result<()> {
    let mut teams = Vec::new();
    for station in stations.iter().take(8) {
        let members = crate::people::store::all_in_scope(db, &Scope::of_unit(&station.path)).await?;
        let debaters = members.iter().take(3).map(|m| m.id).collect();
        teams.push(NewTeam { unit_id: station.id, name: station.name.clone(), debaters });
    }
    let mut judges = Vec::new();
    for phone in JUDGES {
        let id: i64 = on_db!(db, pool => sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
            .bind(phone).fetch_one(pool).await?);
        judges.push(id);
    }
    let new = NewDebate {
        title: "冬训辩论赛".into(),
        unit_id: root.id,
        unit_path: root.path.clone(),
        teams,
        judges,
    };
    let mut tx = db.begin().await?;
    let id = bracket::create(&mut tx, &new, None).await?;
    tx.commit().await?;
    let debate = store::visible(db, id, Some(&Scope::whole_tree()), "/", 0)
        .await?
        .ok_or(anyhow::anyhow!("no debate"))?;
    let debaters = store::debaters(db, id).await?;
    let campaign_id = crate::campaign::store::current(db).await?.map(|c| c.id);
    let week_ago = Utc::now() - Duration::days(7);
    for (i, m) in store::matches(db, id).await?.into_iter().filter(|m| m.round == 1).enumerate() {
        let mut tx = db.begin().await?;
        let setup = MatchSetup {
            motion: MOTIONS[i].into(),
            starts_at: Some(week_ago + Duration::hours(i as i64 * 2)),
            place: "石湫街道新时代文明实践所报告厅".into(),
            ..MatchSetup::default()
        };
        bracket::set_up(&mut tx, m.id, &setup).await?;
        // The upper seed wins three matches 2 to 1, the fourth is won 3 to 0 by the lower seed.
        let sides: [Side; 3] =
            if i == 3 { [Side::Negative; 3] } else { [Side::Affirmative, Side::Affirmative, Side::Negative] };
        let (mut mentions, mut cast) = (Vec::new(), Vec::new());
        for (j, judge) in new.judges.iter().enumerate() {
            let team = m.team_on(sides[j]).unwrap_or_default();
            let pick: Vec<i64> = debaters.iter().filter(|d| d.team_id == team).map(|d| d.member_id).collect();
            let Some(&best) = pick.get((i + j) % pick.len().max(1)) else { continue };
            let ballot = NewBallot {
                match_id: m.id,
                judge_user_id: *judge,
                side: sides[j],
                reason: REASONS[j].into(),
                best_debater_id: best,
            };
            bracket::cast(&mut tx, &ballot).await?;
            mentions.push(best);
            cast.push(sides[j]);
        }
        let side = model::decide(&cast).map_err(|_| anyhow::anyhow!("tie"))?;
        let winner = m.team_on(side).unwrap_or_default();
        let marked: Vec<(i64, bool)> = mentions
            .iter()
            .map(|&b| (b, debaters.iter().any(|d| d.member_id == b && d.team_id == winner)))
            .collect();
        let best = model::best_debater(&marked);
        let affirmative = cast.iter().filter(|&&s| s == Side::Affirmative).count() as i64;
        let counted = bracket::Counted { ballots: cast.len() as i64, affirmative };
        anyhow::ensure!(
            bracket::close(&mut tx, &m, debate.rounds, (winner, best), counted).await?,
            "match not closed"
        );
        bracket::award_points(&mut tx, &debate, &m, winner, best, &debaters, campaign_id).await?;
        tx.commit().await?;
    }
    let semis: Vec<_> = store::matches(db, id).await?.into_iter().filter(|m| m.round == 2).collect();
    let soon =
        (Utc::now() + Duration::days(3)).date_naive().and_hms_opt(11, 30, 0).unwrap_or_default().and_utc();
    let arrangements = [
        ("基层治理，积分制比说服教育更有效", "https://live.example.cn/shiqiu/debate-semi-1", 0),
        ("党员示范岗应在每个村民小组设立", "", 1),
    ];
    for (m, (motion, url, day)) in semis.iter().zip(arrangements) {
        let setup = MatchSetup {
            motion: motion.into(),
            starts_at: Some(soon + Duration::days(day)),
            place: "石湫街道新时代文明实践所报告厅".into(),
            session_id: None,
            live_url: url.into(),
        };
        let mut tx = db.begin().await?;
        bracket::set_up(&mut tx, m.id, &setup).await?;
        tx.commit().await?;
    }
    Ok(())
}
