//! The demo's door-to-door study: each station's volunteer has elderly or sick members to visit
//! (蟹塘社区's first one overdue), and one visit is already recorded, so the volunteer's home, the
//! task list and a visited member's 已送学 all show something on a fresh demo. Each station's
//! first visit carries 《中国共产党简史》 with the study pack; the recorded visit handed it over,
//! so the book's stock is already one copy down with its 送出 move on a fresh demo.

use chrono::{Duration, NaiveDate};

use crate::db::Db;
use crate::delivery::Confirmer;
use crate::delivery::store::{NewTask, NewVisit, create_tasks, record_visit};
use crate::on_db;
use crate::org::Scope;
use crate::org::store::Unit;
use crate::people::model::MemberCategories;

/// What each station's first visit carries: the study pack and a book from the library.
const CARRIED: &str = "[\"冬训学习资料汇编\",\"《中国共产党简史》\"]";

/// Members per station sent a volunteer.
const VISITS_PER_STATION: i64 = 2;

/// Seeds the tasks and the one recorded visit for the running campaign.
pub async fn seed(db: &Db, stations: &[Unit], today: NaiveDate) -> anyhow::Result<()> {
    let (campaign_id, compulsory) = running_campaign(db).await?;
    let mut tx = db.begin().await?;
    for (i, station) in stations.iter().enumerate() {
        let volunteer = user_id(db, &format!("139000005{i:02}")).await?;
        let secretary = user_id(db, &format!("139000001{i:02}")).await?;
        let members = homebound_members(db, station).await?;
        // 蟹塘社区's first visit is a day late: the overdue mark has something to show.
        for (n, member_id) in members.into_iter().enumerate() {
            let due = if i == 0 && n == 0 {
                today - Duration::days(1)
            } else {
                today + Duration::days(3 + n as i64)
            };
            let task = NewTask { member_id, reason: "老党员、行动不便".into() };
            let materials = if n == 0 { CARRIED } else { "[\"冬训学习资料汇编\"]" };
            let created =
                create_tasks(&mut tx, campaign_id, &[task], volunteer, due, materials, secretary).await?;
            // The second station's first member was visited yesterday.
            if let (1, 0, Some(&delivery_id)) = (i, n, created.created.first()) {
                let visit = NewVisit {
                    delivery_id,
                    campaign_id,
                    member_id,
                    topic_ids: compulsory.clone(),
                    visited_on: today - Duration::days(1),
                    minutes: 60,
                    content: "在家中一起学习书记开讲第一课，讲解乡村振兴政策".into(),
                    books: CARRIED.into(),
                    member_words: "身体不便还惦记着学习，感谢组织上门".into(),
                    confirmed_by_kind: Confirmer::Family,
                    confirmed_by_name: "家属".into(),
                    photo: None,
                    recorded_by: volunteer,
                };
                record_visit(&mut tx, &visit).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn running_campaign(db: &Db) -> Result<(i64, Vec<i64>), sqlx::Error> {
    on_db!(db, pool => {
        let (campaign_id,): (i64,) =
            sqlx::query_as("SELECT id FROM campaigns ORDER BY id DESC LIMIT 1").fetch_one(pool).await?;
        let topics: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM topics WHERE campaign_id = $1 AND compulsory = TRUE ORDER BY id")
                .bind(campaign_id)
                .fetch_all(pool)
                .await?;
        Ok((campaign_id, topics.into_iter().map(|(id,)| id).collect()))
    })
}

async fn user_id(db: &Db, phone: &str) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE phone = $1").bind(phone).fetch_one(pool).await?;
        Ok(id)
    })
}

/// The station's oldest members who are elderly or sick.
async fn homebound_members(db: &Db, station: &Unit) -> Result<Vec<i64>, sqlx::Error> {
    let categories = i64::from((MemberCategories::ELDERLY | MemberCategories::SICK).bits());
    let sql = "SELECT m.id FROM members m JOIN units u ON u.id = m.unit_id \
               WHERE u.path LIKE $1 AND (m.categories & $2) <> 0 ORDER BY m.birth_date, m.id LIMIT $3";
    let scope = Scope::of_unit(&station.path);
    on_db!(db, pool => {
        let rows: Vec<(i64,)> = sqlx::query_as(sql)
            .bind(&scope)
            .bind(categories)
            .bind(VISITS_PER_STATION)
            .fetch_all(pool)
            .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    })
}
