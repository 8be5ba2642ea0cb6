//! The demo's 冬训+ activities: every station holds three over the campaign's days so far, every
//! built-in kind used, with its volunteer account, two of its Party members (added by name and
//! phone) and people served by category; the station secretary approved the hours (the members
//! earning 志愿服务 points through the points room), except 蟹塘社区's latest activity, whose hours
//! wait for its secretary. The demo member has approved hours too, and a few activities a photo.

use chrono::{Duration, NaiveDate};

use crate::activities::model::{ActivityFacts, KindChoice, Review, Served};
use crate::activities::store::{self, kinds};
use crate::activities::volunteers::{self, Volunteer};
use crate::audit::Actor;
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;
use crate::org::store::Unit;

const TITLES: [&str; 7] = [
    "春联义写进万家",
    "走访慰问困难群众",
    "巧手编织迎新春",
    "寒假红色故事会",
    "防疫宣传单入户",
    "农技专家田间宣讲",
    "对标找差交流会",
];

const PLACES: [&str; 3] = ["新时代文明实践站", "村民广场", "党群服务中心"];

/// Seeds the activities of the running campaign.
pub async fn seed(
    db: &Db,
    stations: &[Unit],
    demo_member_phone: &str,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let Some(campaign) = crate::campaign::store::current(db).await? else { return Ok(()) };
    let first = campaign.starts_on.max(today - Duration::days(29));
    let span = (today - first).num_days().max(0);
    let kinds = kinds(db).await?;
    let demo_member = user(db, demo_member_phone).await?;
    let member_station = stations.iter().find(|s| demo_member.4.starts_with(&s.path)).map(|s| s.id);
    let mut tx = db.begin().await?;
    for (i, station) in stations.iter().enumerate() {
        let volunteer = user(db, &format!("139000005{i:02}")).await?;
        let secretary = user(db, &format!("139000001{i:02}")).await?;
        let members = members_of(db, station).await?;
        let actor = Actor {
            user_id: Some(secretary.0),
            label: format!("{}书记（演示）", station.name),
            ip: "演示".into(),
        };
        for j in 0..3usize {
            let k = (i + j * 3) % kinds.len().min(7);
            let day = first + Duration::days((span * (j as i64 + 1) / 3 - (i as i64 % 3)).clamp(0, span));
            let n = (i * 7 + j * 5) as i64;
            let facts = ActivityFacts {
                kind: KindChoice::Existing(kinds[k].id),
                title: format!("{}{}", station.name, TITLES[k]),
                held_on: day,
                place: format!("{}{}", station.name, PLACES[j % 3]),
                unit_id: station.id,
                session_id: None,
                served: Served([
                    8 + n % 11,
                    2 + n % 4,
                    n % 3,
                    3 + n % 6,
                    if k == 3 { 15 + n % 10 } else { n % 5 },
                    n % 4,
                ]),
                outcome: "群众反映良好，志愿服务队伍进一步壮大".into(),
            };
            let activity =
                store::save(&mut tx, None, (campaign.id, kinds[k].id), &facts, secretary.0).await?;
            if j == 0 && i < 4 {
                store::add_photo(&mut tx, activity, &photo(i)).await?;
            }
            if i == 0 && j == 1 {
                store::add_follow_up(
                    &mut tx,
                    activity,
                    ("王桂英", "独居老人，家中取暖设备需检修"),
                    secretary.0,
                )
                .await?;
            }
            let mut people = vec![(
                Volunteer {
                    identity: format!("user:{}", volunteer.0),
                    user_id: Some(volunteer.0),
                    member_id: None,
                    name: volunteer.1.clone(),
                    unit_id: station.id,
                },
                volunteer.0,
            )];
            for (member_id, name, phone, unit_id) in members.iter().skip(j % 2).take(2) {
                let v = Volunteer {
                    identity: format!("phone:{phone}"),
                    user_id: None,
                    member_id: Some(*member_id),
                    name: name.clone(),
                    unit_id: *unit_id,
                };
                people.push((v, secretary.0));
            }
            if member_station == Some(station.id) {
                let v = Volunteer {
                    identity: format!("user:{}", demo_member.0),
                    user_id: Some(demo_member.0),
                    member_id: demo_member.2,
                    name: demo_member.1.clone(),
                    unit_id: demo_member.3,
                };
                people.push((v, demo_member.0));
            }
            let pending = i == 0 && j == 2;
            for (p, (v, by)) in people.iter().enumerate() {
                let minutes = 60 + 30 * ((i + j + p) as i64 % 6);
                let volunteers::Reported::Stored(id) =
                    volunteers::report(&mut tx, activity, v, minutes, *by).await?
                else {
                    continue;
                };
                if pending {
                    continue;
                }
                let hours = volunteers::Hours {
                    id,
                    activity_id: activity,
                    name: v.name.clone(),
                    unit_name: String::new(),
                    user_id: v.user_id,
                    member_id: v.member_id,
                    minutes_reported: minutes,
                    minutes_approved: None,
                    status: crate::activities::model::HoursStatus::Reported,
                    review_note: String::new(),
                };
                volunteers::review(&mut tx, (&hours, day, campaign.id), Review::Approve, "", &actor).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// An account: (id, name, member id, unit id, unit path).
async fn user(db: &Db, phone: &str) -> Result<(i64, String, Option<i64>, i64, String), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT s.id, s.name, s.member_id, s.unit_id, u.path FROM users s JOIN units u ON u.id = s.unit_id \
             WHERE s.phone = $1",
        )
        .bind(phone)
        .fetch_one(pool)
        .await
    })
}

/// Three members of a station with a phone and no account: (id, name, phone, unit).
async fn members_of(db: &Db, station: &Unit) -> Result<Vec<(i64, String, String, i64)>, sqlx::Error> {
    let scope = Scope::of_unit(&station.path);
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT m.id, m.name, m.phone, m.unit_id FROM members m JOIN units u ON u.id = m.unit_id \
             WHERE u.path LIKE $1 AND m.phone IS NOT NULL AND m.phone <> '' \
             AND NOT EXISTS (SELECT 1 FROM users s WHERE s.member_id = m.id OR s.phone = m.phone) ORDER BY m.id LIMIT 3",
        )
        .bind(&scope)
        .fetch_all(pool)
        .await
    })
}

/// A small generated JPEG (a warm colour band per station): cheap, and enough to show a photo.
fn photo(i: usize) -> Vec<u8> {
    let shade = (i as u8).wrapping_mul(40);
    let img = image::RgbImage::from_fn(160, 120, |x, y| {
        if y > 80 {
            image::Rgb([200, 40 + shade / 2, 30])
        } else {
            image::Rgb([240, 220 - (x as u8 / 4), 180 + shade / 4])
        }
    });
    let mut jpeg = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .expect("encode a demo photo");
    jpeg
}
