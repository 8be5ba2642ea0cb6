//! What a recorded visit does and does not do (issue 8, items 10 and 11): it is no session — no
//! calendar entry, nothing in other members' 近期可参加, no invented time — and it closes the
//! loop: under the campaign's default rule a visit delivering the compulsory topics completes the
//! member, who shows as 已送学; a campaign may count a visit as one session instead.

use chrono::Duration;
use dongxun::campaign::model::VisitCredit;
use dongxun::campaign::store as campaigns;
use dongxun::delivery::store::{self as deliveries, NewTask};
use dongxun::people::model::{MemberCategories, MemberStatus};
use reqwest::StatusCode;

use super::visits::{post_visit, visit_form};
use super::{setup, user_id};
use crate::coverage::{make_campaign, member, text};
use crate::helpers::*;

/// The case: four sessions or twelve hours and a compulsory first lecture, a member with
/// one session, visited by the volunteer who delivers the first lecture.
struct Case {
    campaign: dongxun::campaign::store::Campaign,
    first: i64,
    wang: i64,
    task: i64,
}

async fn four_sessions_and_a_first_lecture(app: &TestApp, credit: VisitCredit) -> Case {
    let campaign = make_campaign(app, 4, 720).await;
    let mut tx = app.db.begin().await.unwrap();
    let first = campaigns::add_topic(&mut tx, campaign.id, "书记开讲第一课", true).await.unwrap();
    tx.commit().await.unwrap();
    app.execute(&format!(
        "UPDATE campaigns SET visit_credit = '{}' WHERE id = {}",
        credit.code(),
        campaign.id
    ))
    .await;
    let campaign = campaigns::by_id(&app.db, campaign.id).await.unwrap().unwrap();
    let wang = member(
        app,
        app.branch_a.id,
        "王德福",
        "13800000031",
        MemberCategories::ELDERLY | MemberCategories::NO_SMARTPHONE,
        MemberStatus::Active,
    )
    .await;
    let earlier = app.session(campaign.id, app.branch_a.id).starts_in_minutes(-3 * 24 * 60).insert().await;
    app.attend(earlier.id, wang, Channel::Paper, 90).await;
    let volunteer = user_id(app, VOLUNTEER).await;
    let mut tx = app.db.begin().await.unwrap();
    let created = deliveries::create_tasks(
        &mut tx,
        campaign.id,
        &[NewTask { member_id: wang, reason: "老党员".into() }],
        volunteer,
        dongxun::time::today() + Duration::days(3),
        &deliveries::names_to_json(&["《习近平谈治国理政》第三卷".to_owned()]),
        volunteer,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Case { campaign, first, wang, task: created.created[0] }
}

#[tokio::test]
async fn a_visit_is_private_no_session_on_the_calendar_or_in_anyone_elses_upcoming_list() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    // 党员甲 of the same branch, with an account.
    let neighbour =
        member(&app, app.branch_a.id, "党员甲", MEMBER, MemberCategories::NONE, MemberStatus::Active).await;
    app.execute(&format!("UPDATE users SET member_id = {neighbour} WHERE phone = '{MEMBER}'")).await;
    let volunteer = app.logged_in(VOLUNTEER).await;
    let r = post_visit(&app, &volunteer, s.task, visit_form(None, &[])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!((app.count("training_sessions").await, app.count("attendances").await), (0, 0));

    // Nobody's calendar, nobody else's home page.
    for phone in [MEMBER, STATION_A, COMMITTEE, VOLUNTEER] {
        let client = app.logged_in(phone).await;
        for path in ["/", "/sessions"] {
            let html = text(&app, &client, path).await;
            assert!(!html.contains("送学上门：王老伯"), "{phone} {path}: {html}");
        }
    }
    // The member's own page does not show it either (not their visit) …
    let member_page = text(&app, &app.logged_in(MEMBER).await, "/").await;
    assert!(!member_page.contains("王老伯") && !member_page.contains("已送学"), "{member_page}");
    // … while the visit record says when it was recorded, not an invented time.
    let page = text(&app, &volunteer, &format!("/deliveries/{}", s.task)).await;
    let today = dongxun::time::today();
    assert!(page.contains(&today.format("%Y年%m月%d日").to_string()), "{page}");
    assert!(!page.contains("10:00") && !page.contains("11:30"), "{page}");
    assert!(page.contains("登记时间"), "{page}");
}

#[tokio::test]
async fn a_visit_delivering_the_compulsory_topics_completes_the_member_who_shows_as_visited() {
    let app = spawn_app().await;
    let c = four_sessions_and_a_first_lecture(&app, VisitCredit::Complete).await;
    app.execute(&format!("UPDATE users SET member_id = {} WHERE phone = '{MEMBER}'", c.wang)).await;
    let admin = app.logged_in(COMMITTEE).await;
    let list = text(&app, &admin, "/coverage/uncovered").await;
    assert!(list.contains("王德福") && list.contains("还差3场或10.5小时"), "{list}");
    assert!(list.contains("已派送学"));

    // The form offers the compulsory lecture, ticked.
    let volunteer = app.logged_in(VOLUNTEER).await;
    let form = text(&app, &volunteer, &format!("/deliveries/{}", c.task)).await;
    assert!(form.contains(&format!("name=\"topic\" value=\"{}\" checked", c.first)), "{form}");
    let topic = c.first.to_string();
    let r = post_visit(&app, &volunteer, c.task, visit_form(None, &[("topic", &topic)])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Covered: off the uncovered list, 已送学 on the unit's list and on the member's own page.
    let report = dongxun::coverage::compute(&app.db, &c.campaign, &app.root.scope()).await.unwrap();
    let wang = report.members.iter().find(|m| m.member.id == c.wang).unwrap();
    assert!(wang.covered, "{:?}", wang.progress);
    assert_eq!((wang.progress.sessions, wang.progress.visits), (2, 1));
    let list = text(&app, &admin, "/coverage/uncovered").await;
    assert!(!list.contains("王德福"), "{list}");
    let unit = text(&app, &admin, &format!("/coverage/units/{}", app.branch_a.id)).await;
    let card = &unit[unit.find("王德福").unwrap()..];
    let card = &card[..card.find("</li>").unwrap()];
    assert!(card.contains("已完成") && card.contains("已送学"), "{card}");
    let own = text(&app, &app.logged_in(MEMBER).await, "/").await;
    assert!(own.contains("已完成本年度冬训学习") && own.contains("已送学"), "{own}");
    assert!(own.contains("送学上门（90分钟）"), "{own}");
    let page = text(&app, &volunteer, &format!("/deliveries/{}", c.task)).await;
    assert!(page.contains("讲授专题") && page.contains("书记开讲第一课"), "{page}");
}

#[tokio::test]
async fn a_visit_without_the_compulsory_topic_or_counted_as_one_session_leaves_the_member_visited_but_uncovered()
 {
    let app = spawn_app().await;
    let c = four_sessions_and_a_first_lecture(&app, VisitCredit::Complete).await;
    let volunteer = app.logged_in(VOLUNTEER).await;
    let r = post_visit(&app, &volunteer, c.task, visit_form(None, &[])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let admin = app.logged_in(COMMITTEE).await;
    let list = text(&app, &admin, "/coverage/uncovered").await;
    let card = &list[list.find("王德福").unwrap()..];
    let card = &card[..card.find("</li>").unwrap()];
    assert!(card.contains("已送学") && card.contains("未参加必修专题：书记开讲第一课"), "{card}");
    assert!(!card.contains("还差3场"), "the visit met the quantity: {card}");

    // A campaign that counts a visit as one session: two of four.
    let app = spawn_app().await;
    let c = four_sessions_and_a_first_lecture(&app, VisitCredit::OneSession).await;
    let volunteer = app.logged_in(VOLUNTEER).await;
    let topic = c.first.to_string();
    let r = post_visit(&app, &volunteer, c.task, visit_form(None, &[("topic", &topic)])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let admin = app.logged_in(COMMITTEE).await;
    let list = text(&app, &admin, "/coverage/uncovered").await;
    let card = &list[list.find("王德福").unwrap()..];
    let card = &card[..card.find("</li>").unwrap()];
    assert!(card.contains("已送学") && card.contains("2场") && card.contains("还差2场"), "{card}");
}

#[tokio::test]
async fn the_campaign_form_says_what_a_visit_counts_for() {
    let app = spawn_app().await;
    let campaign = make_campaign(&app, 4, 720).await;
    assert_eq!(campaign.visit_credit, VisitCredit::Complete, "the default");
    let admin = app.logged_in(COMMITTEE).await;
    let html = text(&app, &admin, &format!("/campaigns/{}", campaign.id)).await;
    assert!(html.contains("送学上门计为") && html.contains("计一场"), "{html}");
    let unit = app.root.id.to_string();
    let starts = campaign.starts_on.to_string();
    let ends = campaign.ends_on.to_string();
    let mut fields = vec![
        ("name", campaign.name.as_str()),
        ("starts_on", starts.as_str()),
        ("ends_on", ends.as_str()),
        ("required_sessions", "4"),
        ("required_hours", "12"),
        ("unit", unit.as_str()),
        ("visit_credit", "one_session"),
    ];
    let r = app.post_form(&admin, &format!("/campaigns/{}", campaign.id), &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let stored = campaigns::by_id(&app.db, campaign.id).await.unwrap().unwrap();
    assert_eq!(stored.visit_credit, VisitCredit::OneSession);
    fields.retain(|(k, _)| *k != "visit_credit");
    fields.push(("visit_credit", "whatever"));
    let r = app.post_form(&admin, &format!("/campaigns/{}", campaign.id), &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("送学上门计为：请从列表中选择"));
}

#[tokio::test]
async fn undoing_a_roll_call_tick_keeps_what_the_visit_counted() {
    let app = spawn_app().await;
    let c = four_sessions_and_a_first_lecture(&app, VisitCredit::Complete).await;
    let volunteer = app.logged_in(VOLUNTEER).await;
    let topic = c.first.to_string();
    let r = post_visit(&app, &volunteer, c.task, visit_form(None, &[("topic", &topic)])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let tonight = app.session(c.campaign.id, app.branch_a.id).insert().await;
    app.attend(tonight.id, c.wang, Channel::RollCall, 90).await;
    let progress = |app: &TestApp| {
        let (db, campaign, wang) = (app.db.clone(), c.campaign.clone(), c.wang);
        async move {
            dongxun::coverage::progress_of(&db, &campaign, &[wang]).await.unwrap().remove(&wang).unwrap()
        }
    };
    assert_eq!(progress(&app).await.sessions, 3);
    let mut tx = app.db.begin().await.unwrap();
    let by = dongxun::audit::Actor { user_id: None, label: "测试".into(), ip: "本机".into() };
    assert!(dongxun::checkin::store::undo_roll_call(&mut tx, tonight.id, c.wang, &by).await.unwrap());
    tx.commit().await.unwrap();
    let after = progress(&app).await;
    assert_eq!((after.sessions, after.minutes, after.visits), (2, 180, 1), "the paper session and the visit");
    assert_eq!(after.topics, vec![c.first], "the visit's topic stays");
}
