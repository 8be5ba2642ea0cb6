//! The demo's published award for last month (relative to the demo's today): a few members per
//! station studied offline last month (staff-recorded points), the month was opened by the
//! criteria — in 蟹塘社区 two share the third place, so four are listed — one member of the hub
//! was added by hand, and the round is published, each awardee with their award's points.
//! Written through the awards' and points' own store functions.

use chrono::{Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use crate::audit::Actor;
use crate::awards::model::{Criteria, Month, proposal_reason, propose};
use crate::awards::{publish, store};
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;
use crate::org::store::Unit;
use crate::points::{self, Award, PointKind};

/// Last month's points of the members listed per station: first, second, third, fourth.
const POINTS: [i64; 4] = [28, 22, 19, 12];
/// 蟹塘社区's: the third place shared.
const TIED: [i64; 4] = [28, 22, 16, 16];

/// Seeds last month's offline study and its published award round.
pub async fn seed(db: &Db, hub: &Unit, stations: &[Unit], demo_member_phone: &str) -> anyhow::Result<()> {
    let today = crate::time::today();
    let month = Month::of(today).previous();
    let campaign_id: i64 = on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM campaigns ORDER BY id DESC LIMIT 1").fetch_one(pool).await?
    });
    let demo_member: i64 = on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM members WHERE phone = $1").bind(demo_member_phone).fetch_one(pool).await?
    });
    let by = Actor { user_id: None, label: "演示数据".into(), ip: "本机".into() };

    let mut tx = db.begin().await?;
    for (i, station) in stations.iter().enumerate() {
        let mut members = first_members(db, station, 4).await?;
        if i == 0 && !members.contains(&demo_member) {
            members[0] = demo_member;
        }
        let points = if i == 0 { TIED } else { POINTS };
        for (member_id, total) in members.into_iter().zip(points) {
            study_offline(&mut tx, member_id, total - (i as i64 % 3), month).await?;
        }
    }
    let criteria = Criteria { top_n: 3, min_sessions: 0, min_volunteer_hours: 0, issuer: String::new() };
    store::set_criteria(&mut tx, campaign_id, &criteria, &by).await?;
    tx.commit().await?;

    let candidates = store::candidates(db, campaign_id, month, 0).await?;
    let per_hour = crate::awards::volunteer_points_per_hour(db, month.last_day()).await?;
    let proposed: Vec<_> = propose(&candidates, &criteria, per_hour)
        .into_iter()
        .map(|p| {
            let reason = proposal_reason(&p, month);
            (p.candidate, reason, p.tied)
        })
        .collect();
    let issuer = crate::awards::default_issuer(db).await?;
    let mut tx = db.begin().await?;
    let store::Opened::New(round_id, _) =
        store::open(&mut tx, campaign_id, month, &criteria, &issuer, &proposed, &by).await?
    else {
        anyhow::bail!("last month's award round existed already");
    };
    let round = store::round_in(&mut tx, round_id).await?;
    if let Some(&hub_member) = first_members(db, hub, 1).await?.first() {
        let added = store::candidates(db, campaign_id, month, hub_member).await?;
        if let Some(candidate) = added.first() {
            store::add(&mut tx, &round, candidate, "带头组织机关党员送学上门，服务老党员", &by).await?;
        }
    }
    if let Err(refused) = publish::publish(&mut tx, &round, today, &by).await? {
        anyhow::bail!("the demo's award was not published: {refused}");
    }
    tx.commit().await?;
    Ok(())
}

/// Staff-recorded offline study worth `total` points, spread over days of `month` (10 a day at most).
async fn study_offline(
    tx: &mut crate::db::Tx,
    member_id: i64,
    total: i64,
    month: Month,
) -> anyhow::Result<()> {
    let mut left = total;
    let mut day = month.first_day() + Duration::days(4);
    while left > 0 {
        let points = left.min(10);
        let noon = day.and_time(NaiveTime::from_hms_opt(15, 0, 0).expect("a time"));
        let at = Shanghai.from_local_datetime(&noon).single().expect("no DST").with_timezone(&Utc);
        let award = Award {
            member_id,
            kind: PointKind::Offline,
            item_key: format!("demo:offline:{day}"),
            idempotency_key: format!("demo:offline:{member_id}:{day}"),
            at,
            quantity: points,
            reason: "参加村社集中学习（代录）".into(),
            recorded_by: None,
            campaign_id: None,
        };
        points::award(tx, &award).await?;
        left -= points;
        day += Duration::days(7);
    }
    Ok(())
}

/// The first `n` active members of the unit's subtree, by id.
async fn first_members(db: &Db, unit: &Unit, n: i64) -> Result<Vec<i64>, sqlx::Error> {
    let scope = Scope::of_unit(&unit.path);
    on_db!(db, pool => {
        sqlx::query_scalar(
            "SELECT m.id FROM members m JOIN units u ON u.id = m.unit_id WHERE u.path LIKE $1 \
             AND m.status = 'active' ORDER BY m.id LIMIT $2",
        )
        .bind(&scope)
        .bind(n)
        .fetch_all(pool)
        .await
    })
}
