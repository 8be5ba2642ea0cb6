//! The demo's daily-quiz history: over the past week a tenth of the members did the daily quiz
//! on most days (the demo member on two) — rounds drawn as the quiz draws them (unseen
//! first), answers mostly right, the wrong ones in their mistakes books — and earned its points
//! through `points::award_batch`. Today is left for the visitor.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::Db;
use crate::on_db;
use crate::org::store::Unit;
use crate::people::store as member_store;
use crate::points::{self, Award, PointKind};
use crate::practice::model::{Candidate, DAILY_COUNT, RoundKind, draw, grade, seed as round_seed};
use crate::practice::store::{self, NewAnswer, NewRound, daily_key};

/// Days of history before today.
const DAYS: i64 = 7;

/// Seeds the daily-quiz history of the week before `today`.
pub async fn seed(db: &Db, root: &Unit, member_phone: &str, today: NaiveDate) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(20261130);
    let bank = store::candidates(db, 0, "").await?;
    if bank.is_empty() {
        return Ok(());
    }
    let answers: Vec<(i64, crate::quiz::model::QuestionKind, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT id, kind, answer FROM questions").fetch_all(pool).await?
    });
    let demo_member: Option<i64> = on_db!(db, pool => {
        sqlx::query_scalar("SELECT member_id FROM users WHERE phone = $1").bind(member_phone).fetch_optional(pool).await?
    })
    .flatten();
    let members = member_store::unordered_in_scope(db, &root.scope()).await?;
    let mut takers: Vec<i64> = members.iter().map(|m| m.id).filter(|id| id % 10 == 3).collect();
    takers.extend(demo_member);
    let mut tx = db.begin().await?;
    let mut awards = Vec::new();
    for member in takers {
        let mut seen: HashSet<i64> = HashSet::new();
        for back in (1..=DAYS).rev() {
            // The demo member quizzed yesterday and the day before last only, so their 我的 still
            // shows the week's other study among its recent points.
            let skip = if Some(member) == demo_member {
                ![1, 3].contains(&back)
            } else {
                rng.random_range(0..100) < 35
            };
            if skip {
                continue;
            }
            let day = today - Duration::days(back);
            let local = day.and_time(NaiveTime::from_hms_opt(20, 0, 0).expect("valid time"));
            let at = Shanghai
                .from_local_datetime(&local)
                .single()
                .expect("no DST in Shanghai")
                .with_timezone(&Utc);
            let pool: Vec<Candidate> =
                bank.iter().map(|c| Candidate { seen: seen.contains(&c.id), ..c.clone() }).collect();
            let questions = draw(&pool, DAILY_COUNT, round_seed(member, day.num_days_from_ce().into(), 0));
            let round = NewRound {
                member_id: member,
                kind: RoundKind::Daily,
                key: Some(daily_key(member, day)),
                day,
                category: "",
                exam_id: None,
                at,
                deadline: None,
                questions: &questions,
            };
            let (round_id, _) = store::start(&mut tx, &round).await?;
            for (i, question) in questions.iter().enumerate() {
                seen.insert(*question);
                let Some((_, kind, answer)) = answers.iter().find(|(id, _, _)| id == question) else {
                    continue;
                };
                // Three answers in four are right; a wrong one is simply "no answer of its kind".
                let given =
                    if rng.random_range(0..4) > 0 { answer.clone() } else { "（不会）".to_owned() };
                let correct = grade(*kind, answer, &given);
                let position = i as i64 + 1;
                let at = at + Duration::seconds(20 * position);
                let answer = NewAnswer {
                    round_id,
                    position,
                    member_id: member,
                    question_id: *question,
                    answer: &given,
                    correct,
                    at,
                };
                store::record_answer(&mut tx, &answer).await?;
                if correct {
                    awards.push(Award {
                        member_id: member,
                        kind: PointKind::Quiz,
                        item_key: format!("quiz:{day}"),
                        idempotency_key: format!("quiz:{round_id}:{position}"),
                        at,
                        quantity: 1,
                        reason: String::new(),
                        recorded_by: None,
                        campaign_id: None,
                    });
                }
            }
        }
    }
    points::award_batch(&mut tx, &awards).await?;
    tx.commit().await?;
    Ok(())
}
