//! The demo's finished knowledge contest: 冬训知识竞赛（第一季度）, five questions from the demo
//! bank, two members of each of the first four stations answering (the demo member among
//! them), the results fixed and the placings' points awarded — written through the contest
//! room's own store functions, deterministic (who answers what is a fixed pattern).

use crate::audit::Actor;
use crate::contest::model::{self, Mode, Status};
use crate::contest::socket::token_hash;
use crate::contest::store::{self, Joining, NewAnswer, NewContest};
use crate::db::Db;
use crate::org::Scope;
use crate::org::store::Unit;
use crate::quiz::store::{Filter, list};

/// Seconds per question in the demo contest.
const SECONDS: i64 = 20;

/// Seeds the finished contest, run by the sub-district (`root`).
pub async fn seed(db: &Db, root: &Unit, stations: &[Unit], demo_member_phone: &str) -> anyhow::Result<()> {
    let (questions, _) = list(db, &Filter { limit: 5, ..Filter::default() }).await?;
    let new = NewContest {
        title: "冬训知识竞赛（第一季度）".into(),
        unit_id: root.id,
        unit_path: root.path.clone(),
        mode: Mode::Individual,
        seconds_per_question: SECONDS,
        join_code: "202601".into(),
        question_ids: questions.iter().map(|q| q.id).collect(),
    };
    let mut tx = db.begin().await?;
    let contest_id = store::create(&mut tx, &new, None).await?;
    let mut entrants = Vec::new();
    for (i, station) in stations.iter().take(4).enumerate() {
        let mut members = crate::people::store::all_in_scope(db, &Scope::of_unit(&station.path)).await?;
        if i == 0 {
            // The demo member first, so their 我的积分 shows the placing.
            members.sort_by_key(|m| m.phone.as_deref() != Some(demo_member_phone));
        }
        for member in members.into_iter().take(2) {
            let joining = Joining {
                name: member.name.clone(),
                member_id: Some(member.id),
                team: None,
                token_hash: token_hash(&format!("demo-contest-{}", member.id)),
            };
            let (entrant, _) = store::join(&mut tx, contest_id, &joining).await?;
            debug_assert!(entrant > 0);
            entrants.push((entrant, joining.token_hash));
        }
    }
    store::set_status(&mut tx, contest_id, Status::Running).await?;
    tx.commit().await?;
    for (e, (_, hash)) in entrants.iter().enumerate() {
        let Some(device) = store::device(db, contest_id, hash).await? else {
            continue;
        };
        for (q, question) in questions.iter().enumerate() {
            // Entrant e gets question q right unless (e + q) % 4 == 3; answers faster early on.
            let correct = (e + q) % 4 != 3 && e < 7;
            let left_ms = (SECONDS * 1000) - (e as i64 * 1700 + q as i64 * 900);
            let answer = if correct { question.answer.clone() } else { wrong(&question.answer) };
            let new = NewAnswer {
                contest_id,
                position: q as i64 + 1,
                entrant_id: device.entrant_id,
                device_id: device.id,
                answer,
                correct,
                score: model::score(correct, left_ms, SECONDS * 1000),
            };
            store::answer(db, &new).await?;
        }
    }
    let contest =
        store::list_in_scope(db, &Scope::whole_tree()).await?.into_iter().find(|c| c.id == contest_id);
    if let Some(contest) = contest {
        let by = Actor { user_id: None, label: "演示数据".into(), ip: "本机".into() };
        crate::contest::fix_results(db, &by, &contest).await?;
    }
    Ok(())
}

/// Some wrong answer of the same shape.
fn wrong(answer: &str) -> String {
    match answer {
        "A" => "B".into(),
        "正确" => "错误".into(),
        "错误" => "正确".into(),
        a if a.len() <= 4 && a.chars().all(|c| c.is_ascii_uppercase()) => "A".into(),
        _ => "不知道".into(),
    }
}
