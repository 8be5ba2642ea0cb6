//! The demo's running campaign: dated around today so it is always under way — topics, a
//! lecturer pool, venues, two weeks of past sessions with attendance over every channel, and
//! sessions this week and next, one starting shortly so the projector's check-in code can be tried.

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use rand::Rng;
use rand::rngs::StdRng;

use crate::campaign::store::{self as campaigns, CampaignFields};
use crate::checkin::model::Channel;
use crate::checkin::store::{self as attendance, Attendance};
use crate::db::Db;
use crate::org::store::Unit;
use crate::people::store as member_store;
use crate::schedule::model::{LecturerKind, SessionKind};
use crate::schedule::store::lecturers::{self, LecturerFields};
use crate::schedule::store::sessions::{self, NewSession};

const LECTURERS: [(&str, LecturerKind, &str); 8] = [
    ("街道党工委书记（演示）", LecturerKind::Secretary, "书记开讲第一课"),
    ("陈志远", LecturerKind::PartySchoolTeacher, "党的创新理论、党史"),
    ("林秀英", LecturerKind::DistrictLecturer, "乡村振兴政策解读"),
    ("何建军", LecturerKind::TheoryVolunteer, "身边人讲身边事"),
    ("沈晓燕", LecturerKind::TheoryVolunteer, "法律法规进农家"),
    ("陆国平", LecturerKind::AgriculturalExpert, "草莓大棚种植、病虫害防治"),
    ("吴德明", LecturerKind::AgriculturalExpert, "稻虾共作"),
    ("蒋春梅", LecturerKind::BusinessLeader, "电商直播带货"),
];

fn at(day: NaiveDate, hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    let local = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).expect("valid time"));
    Shanghai.from_local_datetime(&local).single().expect("no DST in Shanghai").with_timezone(&Utc)
}

/// Seeds the running campaign under `root` with its `hub` and `stations`.
pub async fn seed(
    db: &Db,
    rng: &mut StdRng,
    root: &Unit,
    hub: &Unit,
    stations: &[Unit],
) -> anyhow::Result<()> {
    let today = crate::time::today();
    crate::delivery::seed_materials(db).await?;
    // The campaign, its calendar and its attendance commit together; the feedback after them.
    let mut tx = db.begin().await?;
    let campaign_id = campaigns::insert(
        &mut tx,
        &CampaignFields {
            name: "本年度基层党员冬训（演示）".into(),
            starts_on: today - Duration::days(14),
            ends_on: today + Duration::days(100),
            audience_categories: 0,
            required_sessions: 4,
            required_minutes: 12 * 60,
            visit_credit: crate::campaign::model::VisitCredit::Complete,
            unit_ids: vec![root.id],
        },
    )
    .await?;
    let first = campaigns::add_topic(&mut tx, campaign_id, "书记开讲第一课", true).await?;
    let theory = campaigns::add_topic(&mut tx, campaign_id, "学习党的创新理论", false).await?;
    let rural = campaigns::add_topic(&mut tx, campaign_id, "乡村振兴政策解读", false).await?;
    let field = campaigns::add_topic(&mut tx, campaign_id, "实境宣讲：特色农业", false).await?;
    let mut pool = Vec::new();
    for (name, kind, topics) in LECTURERS {
        let fields = LecturerFields {
            name: name.into(),
            kind,
            phone: None,
            unit_id: root.id,
            topics: topics.into(),
            availability: "工作日、周末均可".into(),
        };
        pool.push(lecturers::insert(&mut tx, &fields).await?);
    }
    let hall = lecturers::insert_venue(&mut tx, hub.id, "实践所二楼报告厅", 120).await?;
    let mut rooms = Vec::new();
    for station in stations {
        rooms.push(
            lecturers::insert_venue(&mut tx, station.id, &format!("{}实践站会议室", station.name), 40)
                .await?,
        );
    }

    let lecture = |title: &str, topic, lecturer, unit: &Unit, audience: &Unit, venue, start| NewSession {
        campaign_id,
        batch_id: None,
        kind: SessionKind::Lecture,
        title: title.into(),
        topic_id: Some(topic),
        lecturer_id: Some(lecturer),
        unit_id: unit.id,
        audience_unit_id: audience.id,
        venue_id: venue,
        place: String::new(),
        starts_at: start,
        ends_at: start + Duration::minutes(90),
        expected_attendees: 0,
        checkin_opens_minutes: 30,
        online_url: String::new(),
        created_by: None,
    };
    // The secretary's first lecture opened the campaign at the hub, for everyone.
    let mut planned = vec![lecture(
        "书记开讲第一课",
        first,
        pool[0],
        hub,
        root,
        Some(hall),
        at(today - Duration::days(13), 9, 0),
    )];
    for (i, station) in stations.iter().enumerate() {
        let day = today - Duration::days(12 - (i as i64 % 10));
        let lecturer = pool[1 + i % 4];
        planned.push(lecture(
            "理论宣讲进村社",
            if i % 2 == 0 { theory } else { rural },
            lecturer,
            station,
            station,
            Some(rooms[i]),
            at(day, 14, 0),
        ));
        let mut visit = lecture(
            "田间课堂",
            field,
            pool[5 + i % 3],
            station,
            station,
            None,
            at(day + Duration::days(1), 9, 30),
        );
        visit.kind = SessionKind::FieldLecture;
        visit.place = ["草莓大棚", "稻虾共作基地", "合作社车间"][i % 3].into();
        planned.push(visit);
        // The exchange after the lecture, where needs are heard (交流研讨).
        let mut exchange =
            lecture("课后交流研讨", theory, lecturer, station, station, Some(rooms[i]), at(day, 15, 45));
        exchange.kind = SessionKind::Exchange;
        exchange.ends_at = exchange.starts_at + Duration::minutes(60);
        planned.push(exchange);
        // This week and next: one upcoming lecture per station.
        let ahead = today + Duration::days(1 + i as i64);
        planned.push(lecture(
            "乡村振兴政策解读",
            rural,
            pool[2 + i % 3],
            station,
            station,
            Some(rooms[i]),
            at(ahead, 19, 0),
        ));
    }
    // A recorded party lesson for everyone (云课堂), counted when watched to 90 %.
    let mut recording = lecture(
        "党课视频：新时代文明实践",
        theory,
        pool[1],
        hub,
        root,
        None,
        at(today - Duration::days(6), 8, 0),
    );
    recording.kind = SessionKind::Recording;
    recording.ends_at = recording.starts_at + Duration::minutes(45);
    planned.push(recording);
    // One starts in a few minutes at the first station, so the projector's code can be tried.
    let soon = Utc::now() + Duration::minutes(10);
    planned.push(lecture("冬训夜校（演示签到）", theory, pool[3], &stations[0], &stations[0], None, soon));
    let capacities = vec![None; planned.len()];
    let ids = match sessions::insert_checked(&mut tx, &planned, &capacities, None).await? {
        Ok(ids) => ids,
        Err(conflicts) => anyhow::bail!("演示场次冲突：{}", conflicts[0].1.message()),
    };
    // The members committed before this transaction began, so the pool reads them.
    let members = member_store::unordered_in_scope(db, &root.scope()).await?;
    let mut entries = attendance_entries(rng, &planned, &ids, &members);
    // A third of the recording's viewers, and the demo member, watched it on a phone without
    // logging in, known by name and phone only: their study and its points are 自报.
    let demo_member =
        members.iter().find(|m| m.phone.as_deref() == Some(super::DEMO_MEMBER_PHONE)).map(|m| m.id);
    let recording_id =
        planned.iter().zip(&ids).find(|(s, _)| s.kind == SessionKind::Recording).map(|(_, id)| *id);
    if let (Some(member_id), Some(session_id)) = (demo_member, recording_id)
        && !entries.iter().any(|a| a.session_id == session_id && a.member_id == member_id)
    {
        entries.push(Attendance {
            session_id,
            member_id,
            channel: Channel::Recording,
            minutes: 45,
            late: false,
            recorded_by: None,
        });
    }
    let (declared, logged_in): (Vec<Attendance>, Vec<Attendance>) = entries.iter().cloned().partition(|a| {
        a.channel == Channel::Recording && (a.member_id % 3 == 0 || Some(a.member_id) == demo_member)
    });
    attendance::record_many(&mut tx, &logged_in).await?;
    attendance::record_many_self_declared(&mut tx, &declared).await?;
    tx.commit().await?;
    seed_feedback(db, rng, &entries).await
}

/// Past sessions get 55–90 % of their audience, over the channels people really use.
fn attendance_entries(
    rng: &mut StdRng,
    planned: &[NewSession],
    ids: &[i64],
    members: &[member_store::Member],
) -> Vec<Attendance> {
    let now = Utc::now();
    let mut entries = Vec::new();
    for (session, id) in planned.iter().zip(ids) {
        if session.ends_at > now {
            continue;
        }
        // Every unit path lists its ancestors' ids, so the audience is whoever has this segment.
        let segment = format!("/{:010}/", session.audience_unit_id);
        let share = rng.random_range(70..92);
        for m in members {
            if !m.unit_path.contains(&segment) || rng.random_range(0..100) >= share {
                continue;
            }
            let channel = if session.kind == SessionKind::Recording {
                Channel::Recording
            } else {
                match rng.random_range(0..10) {
                    0..6 => Channel::Qr,
                    6..8 => Channel::RollCall,
                    8 => Channel::Code,
                    _ => Channel::Paper,
                }
            };
            let minutes = (session.ends_at - session.starts_at).num_minutes();
            entries.push(Attendance {
                session_id: *id,
                member_id: m.id,
                channel,
                minutes,
                late: rng.random_range(0..10) == 0,
                recorded_by: None,
            });
        }
    }
    entries
}

/// About one attendee in twelve says what helped and what they want next; the committee has
/// already answered some of it with an adjustment.
async fn seed_feedback(db: &Db, rng: &mut StdRng, entries: &[Attendance]) -> anyhow::Result<()> {
    use crate::feedback::{WANT_TAGS, store as feedback_store};
    const HELPED: [&str; 4] = ["讲得通俗易懂", "结合村里实际", "学到了种植技术", "政策讲得清楚"];
    const WANTS: [&str; 4] = ["", "想学电商直播卖草莓", "希望多讲讲养老政策", "想了解土地流转"];
    let mut tx = db.begin().await?;
    let mut given = Vec::new();
    for entry in entries {
        if rng.random_range(0..12) != 0 {
            continue;
        }
        let tags: Vec<&str> =
            WANT_TAGS.iter().map(|(code, _)| *code).filter(|_| rng.random_range(0..4) == 0).collect();
        let feedback = feedback_store::NewFeedback {
            session_id: entry.session_id,
            member_id: entry.member_id,
            rating: rng.random_range(3..=5),
            helped: HELPED[rng.random_range(0..HELPED.len())].into(),
            wants_tags: tags.join(","),
            wants_text: WANTS[rng.random_range(0..WANTS.len())].into(),
        };
        given.push(feedback);
    }
    feedback_store::submit_many(&mut tx, &given).await?;
    tx.commit().await?;
    Ok(())
}
