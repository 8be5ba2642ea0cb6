//! The demo's finished speech contest: “我身边的好党员”演讲比赛, run by the first station with
//! the committee's and the station's admins as judges; eight of its members enter 初赛 (the demo
//! member among them), the top five go on to 决赛; judges score every entry, members vote, both
//! rounds close and the placings' points are paid — written through the speech room's own store
//! functions, deterministic (marks and votes are a fixed pattern). Videos are the demo's 党课视频
//! recordings (episodes 1–3, seeded with the media just after), played in the entry page.

use crate::audit::Actor;
use crate::db::Db;
use crate::org::Scope;
use crate::org::store::Unit;
use crate::speech::model::{self, DEFAULT_RUBRIC, RoundStatus};
use crate::speech::store::{self, NewContest, NewEntry};

const TITLES: [&str; 8] = [
    "初心如磐，使命在肩",
    "我身边的老支书",
    "蟹塘边的党员先锋",
    "防疫路上的红马甲",
    "一张春联里的民心",
    "把党课讲到田埂上",
    "老党员的二十年",
    "青春向党，奋斗有我",
];

/// Seeds the finished contest in `stations[0]`; the judges are the accounts with these phones.
pub async fn seed(
    db: &Db,
    stations: &[Unit],
    judge_phones: &[&str],
    demo_member_phone: &str,
) -> anyhow::Result<()> {
    let Some(station) = stations.first() else { return Ok(()) };
    let phones: Vec<String> = judge_phones.iter().map(|p| p.to_string()).collect();
    let judges: Vec<i64> =
        store::accounts_by_phone(db, &phones).await?.into_iter().map(|(_, id)| id).collect();
    let rubric = model::rubric_text(&model::parse_rubric(DEFAULT_RUBRIC).map_err(anyhow::Error::msg)?);
    let new = NewContest {
        title: "“我身边的好党员”演讲比赛".into(),
        unit_id: station.id,
        unit_path: station.path.clone(),
        rubric,
        rounds: vec!["初赛".into(), "决赛".into()],
        judges: judges.clone(),
    };
    let mut members = crate::people::store::all_in_scope(db, &Scope::of_unit(&station.path)).await?;
    members.sort_by_key(|m| (m.phone.as_deref() != Some(demo_member_phone), m.id));
    let speakers: Vec<(i64, String)> = members.iter().take(8).map(|m| (m.id, m.name.clone())).collect();
    let voters: Vec<i64> = members.iter().skip(8).take(40).map(|m| m.id).collect();
    let voter_account = judges.first().copied().unwrap_or(1);

    let mut tx = db.begin().await?;
    let contest_id = store::create(&mut tx, &new, None).await?;
    tx.commit().await?;
    let rounds = store::rounds(db, contest_id).await?;
    let mut advancing: Vec<usize> = (0..speakers.len()).collect();
    for (r, round) in rounds.iter().enumerate() {
        let mut tx = db.begin().await?;
        for (n, &i) in advancing.iter().enumerate() {
            let (member_id, _) = &speakers[i];
            let entry = NewEntry {
                round_id: round.id,
                member_id: *member_id,
                title: TITLES[i].into(),
                script: script(TITLES[i]),
                video_url: format!("/classroom/episodes/{}/video", (i % 3) + 1),
            };
            let Some(entry_id) = store::enter(&mut tx, &entry, voter_account).await? else { continue };
            for (j, judge) in judges.iter().enumerate() {
                // Marks fall with the speaker's index, with a little disagreement between judges.
                let base = [36, 26, 17, 9];
                let less = ((i + j + r) % 4) as i64;
                let marks: Vec<i64> = base
                    .iter()
                    .enumerate()
                    .map(|(k, b)| b - if k == 0 { less } else { (i as i64 + k as i64) % 3 })
                    .collect();
                let total = marks.iter().sum();
                store::put_score(&mut tx, entry_id, *judge, &model::marks_text(&marks), total).await?;
            }
            for voter in voters.iter().skip(n * 3).take(12 - n) {
                store::vote(&mut tx, entry_id, *voter, voter_account).await?;
            }
        }
        store::set_round_status(&mut tx, round.id, RoundStatus::Closed).await?;
        tx.commit().await?;
        let results = model::results(store::tallies(db, round.id).await?);
        advancing = results
            .iter()
            .take(5)
            .filter_map(|p| speakers.iter().position(|(id, _)| *id == p.tally.member_id))
            .collect();
    }
    let contest = store::by_id(db, contest_id).await?.ok_or_else(|| anyhow::anyhow!("contest just made"))?;
    let by = Actor { user_id: None, label: "演示数据".into(), ip: "本机".into() };
    crate::speech::pay_placings(db, &by, &contest).await?;
    Ok(())
}

fn script(title: &str) -> String {
    format!(
        "尊敬的各位评委、各位党员同志：\n\n大家好！我演讲的题目是《{title}》。\n\n\
         冬训学习让我们重温入党誓词，也让我们把学到的道理带回村里、带到群众身边。\
         走访慰问、春联义写、防疫宣传入户，一件件小事，连起来就是党员的样子。\n\n\
         我的演讲完毕，谢谢大家！"
    )
}
