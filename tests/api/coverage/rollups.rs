//! Coverage rollups: the progress rows, the straight SQL count and the lean per-unit rates all
//! agree with the Rust rules, on the shared scenario and on a larger pseudo-random campaign.

use dongxun::campaign::store::Campaign;
use dongxun::coverage;
use dongxun::people::model::{MemberCategories, MemberStatus};

use super::{member, scenario, session, text};
use crate::helpers::*;

/// Asserts the progress rows (kept by the attendance trigger, judged in Rust), the one query
/// straight from the attendances, and the per-unit counts the overview serves all agree.
async fn assert_rollups_agree(app: &TestApp, campaign: &Campaign, viewer: &dongxun::org::store::Unit) {
    let report = coverage::compute(&app.db, campaign, &viewer.scope()).await.unwrap();
    let units = dongxun::org::store::units_in_scope(&app.db, &viewer.scope()).await.unwrap();
    let children: Vec<(i64, String, String)> = units
        .into_iter()
        .filter(|u| u.parent_id == Some(viewer.id))
        .map(|u| (u.id, u.name, u.path))
        .collect();
    let mut from_rust: Vec<(String, i64, i64)> = report
        .by_unit((viewer.id, &viewer.name, &viewer.path), &children)
        .into_iter()
        .filter(|r| r.audience > 0)
        .map(|r| (r.unit_path, r.audience, r.covered))
        .collect();
    from_rust.sort();
    let mut from_sql = coverage::unit_counts_sql(&app.db, campaign, &viewer.path).await.unwrap();
    from_sql.sort();
    assert_eq!(from_rust, from_sql, "viewer {}", viewer.name);
    assert!(!from_sql.is_empty());
    // The lean rollup the overview serves agrees too, totals included.
    let (rates, audience, covered) =
        coverage::unit_rates(&app.db, campaign, (viewer.id, &viewer.name, &viewer.path), &children)
            .await
            .unwrap();
    let mut lean: Vec<(String, i64, i64)> =
        rates.into_iter().filter(|r| r.audience > 0).map(|r| (r.unit_path, r.audience, r.covered)).collect();
    lean.sort();
    assert_eq!(lean, from_sql, "viewer {} (lean)", viewer.name);
    assert_eq!((audience, covered), (report.audience(), report.covered()));
}

#[tokio::test]
async fn the_progress_rows_agree_with_the_attendances() {
    let app = spawn_app().await;
    let s = scenario(&app).await;
    assert_rollups_agree(&app, &s.campaign, &app.root).await;
    assert_rollups_agree(&app, &s.campaign, &app.village_a).await;

    // A larger, pseudo-random campaign: many members, sessions and attendances.
    let mut seed: u64 = 20210302;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let units = [app.branch_a.id, app.branch_b.id, app.village_a.id, app.village_b.id];
    let mut members = Vec::new();
    for i in 0..120 {
        let categories = MemberCategories::from_bits(next(32) as u32);
        let phone = format!("137{:08}", i);
        members.push(
            member(
                &app,
                units[next(4) as usize],
                &format!("党员{i}"),
                &phone,
                categories,
                MemberStatus::Active,
            )
            .await,
        );
    }
    let topics = [Some(s.first_lecture), None, Some(s.first_lecture + 1)];
    let mut session_ids = Vec::new();
    for i in 0..12 {
        let kind = SessionKind::ALL[next(5) as usize];
        let minutes = [30, 45, 60, 90, 120][next(5) as usize] as i64;
        session_ids.push((
            session(
                &app,
                s.campaign.id,
                kind,
                topics[next(3) as usize],
                units[next(4) as usize],
                minutes,
                20 + i,
            )
            .await,
            minutes,
        ));
    }
    for _ in 0..400 {
        let (sid, minutes) = session_ids[next(session_ids.len() as u64) as usize];
        let member_id = members[next(members.len() as u64) as usize];
        app.attend(sid, member_id, Channel::Qr, minutes).await;
    }
    assert_rollups_agree(&app, &s.campaign, &app.root).await;
    assert_rollups_agree(&app, &s.campaign, &app.village_b).await;
    let report = coverage::compute(&app.db, &s.campaign, &dongxun::org::Scope::whole_tree()).await.unwrap();
    assert!(report.covered() > 3 && report.covered() < report.audience(), "a mixed picture");

    // The uncovered list's SQL filters pick exactly the members the Rust rules judge.
    let rule = report.rule.clone();
    let (total, per_reason) =
        coverage::uncovered_by_reason(&app.db, &s.campaign, &rule, &dongxun::org::Scope::whole_tree())
            .await
            .unwrap();
    for &reason in coverage::Reason::ALL {
        let filter = coverage::MemberFilter::Uncovered(Some(reason));
        let listed =
            coverage::members(&app.db, &s.campaign, &rule, &dongxun::org::Scope::whole_tree(), filter, None)
                .await
                .unwrap();
        let ids: Vec<i64> = listed.iter().map(|m| m.member.id).collect();
        let expected: Vec<i64> =
            report.members.iter().filter(|m| m.reasons().contains(&reason)).map(|m| m.member.id).collect();
        assert_eq!(ids, expected, "{reason:?}");
        assert_eq!(per_reason.get(&reason).copied().unwrap_or(0), expected.len() as i64, "{reason:?}");
    }
    assert_eq!(total, report.audience() - report.covered());
    let covered = coverage::members(
        &app.db,
        &s.campaign,
        &rule,
        &dongxun::org::Scope::whole_tree(),
        coverage::MemberFilter::Covered,
        Some(3),
    )
    .await
    .unwrap();
    assert_eq!(covered.len(), 3, "a limit pages");
    assert!(covered.iter().all(|m| m.covered));

    let topics = [s.first_lecture, s.first_lecture + 1];
    for (sessions, minutes, compulsory) in
        [(2, 0, &topics[..]), (0, 90, &topics[1..]), (0, 0, &topics[..]), (0, 0, &[][..]), (3, 120, &[][..])]
    {
        let campaign = with_rule(&app, s.campaign.id, sessions, minutes, compulsory).await;
        assert_rollups_agree(&app, &campaign, &app.root).await;
        assert_covered_list_agrees(&app, &campaign).await;
    }
}

/// Gives the campaign another completion rule, straight in the database; returns it re-read.
async fn with_rule(app: &TestApp, id: i64, sessions: i64, minutes: i64, compulsory: &[i64]) -> Campaign {
    app.execute(&format!(
        "UPDATE campaigns SET required_sessions = {sessions}, required_minutes = {minutes} WHERE id = {id}"
    ))
    .await;
    let listed = compulsory.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let condition = if compulsory.is_empty() { "FALSE".to_owned() } else { format!("id IN ({listed})") };
    app.execute(&format!("UPDATE topics SET compulsory = ({condition}) WHERE campaign_id = {id}")).await;
    dongxun::campaign::store::by_id(&app.db, id).await.unwrap().unwrap()
}

/// The SQL filter for the covered picks exactly the members the Rust rule judges covered.
async fn assert_covered_list_agrees(app: &TestApp, campaign: &Campaign) {
    let report = coverage::compute(&app.db, campaign, &dongxun::org::Scope::whole_tree()).await.unwrap();
    let filter = coverage::MemberFilter::Covered;
    let listed =
        coverage::members(&app.db, campaign, &report.rule, &dongxun::org::Scope::whole_tree(), filter, None)
            .await
            .unwrap();
    let ids: Vec<i64> = listed.iter().map(|m| m.member.id).collect();
    let expected: Vec<i64> = report.members.iter().filter(|m| m.covered).map(|m| m.member.id).collect();
    assert_eq!(ids, expected, "{:?}", report.rule);
}

#[tokio::test]
async fn self_declared_online_study_is_marked_on_coverage_rows_and_the_members_own_page() {
    let app = spawn_app().await;
    let s = scenario(&app).await;
    // 李四's live broadcast was joined by name and phone only.
    app.execute(&format!(
        "UPDATE attendances SET self_declared = TRUE WHERE member_id = {} AND channel = 'live'",
        s.li
    ))
    .await;
    app.execute(&format!("UPDATE users SET member_id = {} WHERE phone = '{MEMBER}'", s.li)).await;
    let admin = app.logged_in(COMMITTEE).await;
    let unit = text(&app, &admin, &format!("/coverage/units/{}", app.branch_a.id)).await;
    let li = &unit[unit.find("李四").unwrap()..];
    let li = &li[..li.find("</li>").unwrap()];
    assert!(li.contains("<span>3场</span>") && li.contains("含1场自报"), "{li}");
    let zhang = &unit[unit.find("张三").unwrap()..];
    let zhang = &zhang[..zhang.find("</li>").unwrap()];
    assert!(!zhang.contains("自报"), "{zhang}");
    let uncovered = text(&app, &admin, "/coverage/uncovered").await;
    assert!(uncovered.contains("3场 2.25小时（含1场自报）"), "{uncovered}");
    let own = text(&app, &app.logged_in(MEMBER).await, "/").await;
    assert!(own.contains("线上直播（自报）"), "{own}");
    assert!(
        own.contains("纸质签到</span>") && !own.contains("纸质签到（自报）"),
        "other channels unmarked: {own}"
    );
}
