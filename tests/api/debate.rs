//! Debates: the bracket drawn from the team order (8 teams, 6 with byes), judges' ballots (once
//! per judge, a reason, a best debater of the match), closing by majority (a tie refused), the
//! winner advancing and the final's points, the arrangements' online link, and scope.

use dongxun::org::model::UnitKind;
use dongxun::org::store as org_store;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// `n` villages 村1…村n under the root, each with two members 村k甲 and 村k乙; the team lines.
async fn villages(app: &TestApp, n: usize) -> String {
    let mut lines = Vec::new();
    for k in 1..=n {
        let mut tx = app.db.begin().await.unwrap();
        let unit =
            org_store::insert(&mut tx, Some(&app.root), UnitKind::Station, &format!("村{k}"), 10 + k as i64)
                .await
                .unwrap();
        tx.commit().await.unwrap();
        add_member(app, unit.id, &format!("村{k}甲"), &format!("1370000{k:02}01")).await;
        add_member(app, unit.id, &format!("村{k}乙"), &format!("1370000{k:02}02")).await;
        lines.push(format!("村{k}：村{k}甲、村{k}乙"));
    }
    lines.join("\n")
}

/// Draws a tournament as `staff`; returns its id.
async fn draw(app: &TestApp, staff: &reqwest::Client, teams: &str, judges: &str) -> i64 {
    let r = app
        .post_form(staff, "/debates", &[("title", "冬训辩论赛"), ("teams", teams), ("judges", judges)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r).rsplit('/').next().unwrap().parse().unwrap()
}

/// (round, slot, 正方 team name, 反方 team name, bye, winner name) of every match.
type Row = (i64, i64, Option<String>, Option<String>, bool, Option<String>);

async fn bracket(app: &TestApp, id: i64) -> Vec<Row> {
    dongxun::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT m.round, m.slot, a.name, n.name, m.bye, w.name FROM debate_matches m \
         LEFT JOIN debate_teams a ON a.id = m.affirmative_team_id LEFT JOIN debate_teams n ON n.id = m.negative_team_id \
         LEFT JOIN debate_teams w ON w.id = m.winner_team_id WHERE m.debate_id = $1 ORDER BY m.round, m.slot")
        .bind(id).fetch_all(pool).await.unwrap())
}

async fn match_id(app: &TestApp, id: i64, round: i64, slot: i64) -> i64 {
    dongxun::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT id FROM debate_matches WHERE debate_id = $1 AND round = $2 AND slot = $3")
        .bind(id).bind(round).bind(slot).fetch_one(pool).await.unwrap())
}

async fn member(app: &TestApp, name: &str) -> String {
    let id: i64 = dongxun::on_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM members WHERE name = $1")
        .bind(name).fetch_one(pool).await.unwrap());
    id.to_string()
}

async fn vote(app: &TestApp, judge: &reqwest::Client, m: i64, side: &str, best: &str) -> reqwest::Response {
    let best = member(app, best).await;
    let path = format!("/debates/matches/{m}/ballot");
    app.post_form(judge, &path, &[("side", side), ("reason", "论据充分，反驳有力"), ("best_debater", &best)])
        .await
}

fn name(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[tokio::test]
async fn eight_teams_fill_the_first_round_and_six_give_the_top_two_seeds_byes() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let teams = villages(&app, 8).await;
    let id = draw(&app, &committee, &teams, LECTURER).await;
    let rows = bracket(&app, id).await;
    assert_eq!(rows.len(), 7, "4 + 2 + 1 matches: {rows:?}");
    let first: Vec<_> = rows.iter().filter(|r| r.0 == 1).map(|r| (r.2.clone(), r.3.clone(), r.4)).collect();
    assert_eq!(
        first,
        vec![
            (name("村1"), name("村8"), false),
            (name("村4"), name("村5"), false),
            (name("村2"), name("村7"), false),
            (name("村3"), name("村6"), false)
        ]
    );
    assert!(rows.iter().filter(|r| r.0 > 1).all(|r| r.2.is_none() && r.3.is_none()));

    let six: String = teams.lines().take(6).collect::<Vec<_>>().join("\n");
    let id = draw(&app, &committee, &six, LECTURER).await;
    let rows = bracket(&app, id).await;
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0], (1, 1, name("村1"), None, true, name("村1")), "seed 1 has a bye");
    assert_eq!(rows[1], (1, 2, name("村4"), name("村5"), false, None));
    assert_eq!(rows[2], (1, 3, name("村2"), None, true, name("村2")), "seed 2 has a bye");
    assert_eq!(rows[4], (2, 1, name("村1"), None, false, None), "the bye's team waits on 正方");
    assert_eq!(rows[5], (2, 2, name("村2"), None, false, None));
    let page = app.get(&committee, &format!("/debates/{id}")).await.text().await.unwrap();
    assert!(
        page.contains("轮空，直接晋级") && page.contains("半决赛") && page.contains("首轮轮空"),
        "{page}"
    );
    assert!(app.audit("debate").await.iter().any(|e| e.contains("6支队伍")));
}

#[tokio::test]
async fn ballots_are_one_per_judge_with_a_reason_and_a_debater_of_the_match() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let teams = villages(&app, 4).await;
    let id = draw(&app, &committee, &teams, &format!("{LECTURER},{VOLUNTEER},{MEMBER}")).await;
    let m = match_id(&app, id, 1, 1).await; // 村1 vs 村4
    let judge = app.logged_in(LECTURER).await;
    let form = app.get(&judge, &format!("/debates/matches/{m}/ballot")).await.text().await.unwrap();
    assert!(form.contains("村1甲") && form.contains("村4乙") && !form.contains("村2甲"), "{form}");

    let path = format!("/debates/matches/{m}/ballot");
    let best = member(&app, "村1甲").await;
    let r = app
        .post_form(&judge, &path, &[("side", "affirmative"), ("reason", "  "), ("best_debater", &best)])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("请写明投票理由") && page.contains("value=\"affirmative\" checked"), "{page}");
    let r = vote(&app, &judge, m, "affirmative", "村2甲").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("请从本场双方辩手中选择一人"));
    assert_eq!(app.count("debate_ballots").await, 0, "bad ballots store nothing");

    assert_eq!(vote(&app, &judge, m, "affirmative", "村1甲").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(vote(&app, &judge, m, "negative", "村4乙").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("debate_ballots").await, 1, "a judge has one ballot, revised in place");
    let side: String = dongxun::on_db!(&app.db, pool => sqlx::query_scalar("SELECT side FROM debate_ballots")
        .fetch_one(pool).await.unwrap());
    assert_eq!(side, "negative");
    let audit = app.audit("debate").await;
    assert!(audit[0].contains("修改评分票") && audit[1].contains("提交评分票"), "{audit:?}");

    // Only judges vote: not the organisers, not a station that follows the bracket.
    assert_eq!(app.get(&committee, &path).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(vote(&app, &committee, m, "affirmative", "村1甲").await.status(), StatusCode::FORBIDDEN);
    let station_b = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&station_b, &path).await.status(), StatusCode::FORBIDDEN);
    // A match whose teams are not known yet takes no ballots.
    let semi = match_id(&app, id, 2, 1).await;
    assert_eq!(
        app.get(&judge, &format!("/debates/matches/{semi}/ballot")).await.status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn closing_decides_by_majority_refuses_a_tie_and_moves_the_winner_on() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let teams = villages(&app, 4).await;
    let id = draw(&app, &committee, &teams, &format!("{LECTURER},{VOLUNTEER},{MEMBER}")).await;
    let m = match_id(&app, id, 1, 2).await; // 村2 vs 村3
    let (a, b, c) =
        (app.logged_in(LECTURER).await, app.logged_in(VOLUNTEER).await, app.logged_in(MEMBER).await);
    vote(&app, &a, m, "affirmative", "村2甲").await;
    vote(&app, &b, m, "negative", "村3乙").await;
    let close = format!("/debates/matches/{m}/close");
    let r = app.post_form(&committee, &close, &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("票数相同（1比1）"));
    assert_eq!(bracket(&app, id).await[1].5, None, "a tie decides nothing");
    // Only the organisers close.
    assert_eq!(app.post_form(&a, &close, &[]).await.status(), StatusCode::FORBIDDEN);

    vote(&app, &c, m, "negative", "村3乙").await;
    // A result counted on ballots that changed since (a judge voted in between) is not fixed.
    let stale = dongxun::debate::store::match_by_id(&app.db, m).await.unwrap().unwrap();
    let counted = dongxun::debate::bracket::Counted { ballots: 2, affirmative: 1 };
    let mut tx = app.db.begin().await.unwrap();
    let team = stale.negative_team_id.unwrap();
    assert!(!dongxun::debate::bracket::close(&mut tx, &stale, 2, (team, None), counted).await.unwrap());
    tx.commit().await.unwrap();
    let r = app.post_form(&committee, &close, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rows = bracket(&app, id).await;
    assert_eq!(rows[1].5, name("村3"));
    assert_eq!(rows[2], (2, 1, None, name("村3"), false, None), "the even slot's winner is 反方 next");
    let page = app.get(&a, &format!("/debates/matches/{m}")).await.text().await.unwrap();
    assert!(
        page.contains("反方 村3") && page.contains("论据充分") && page.contains("id=\"best-debater\">村3乙"),
        "{page}"
    );
    let best_points: i64 = dongxun::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM point_entries p JOIN members m ON m.id = p.member_id WHERE m.name = '村3乙' AND p.kind = 'contest_third'")
        .fetch_one(pool).await.unwrap());
    assert_eq!(best_points, 1);
    // Closed: no more ballots, no second close.
    assert_eq!(vote(&app, &a, m, "negative", "村3乙").await.status(), StatusCode::CONFLICT);
    assert_eq!(app.post_form(&committee, &close, &[]).await.status(), StatusCode::CONFLICT);
    assert!(app.audit("debate").await[0].contains("以2比1获胜"));
}

#[tokio::test]
async fn the_final_crowns_the_champion_and_pays_the_placings_once() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let teams = villages(&app, 2).await;
    let id = draw(&app, &committee, &teams, LECTURER).await;
    let m = match_id(&app, id, 1, 1).await;
    let judge = app.logged_in(LECTURER).await;
    vote(&app, &judge, m, "affirmative", "村2甲").await;
    let r = app.post_form(&committee, &format!("/debates/matches/{m}/close"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = app.get(&committee, &format!("/debates/{id}")).await.text().await.unwrap();
    assert!(page.contains("冠军：<strong>村1</strong>"), "{page}");
    let kinds: Vec<(String, String)> = dongxun::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT m.name, p.kind FROM point_entries p JOIN members m ON m.id = p.member_id ORDER BY m.name, p.kind")
        .fetch_all(pool).await.unwrap());
    let expected = [
        ("村1乙", "contest_first"),
        ("村1甲", "contest_first"),
        ("村2乙", "contest_second"),
        ("村2甲", "contest_second"),
        ("村2甲", "contest_third"),
    ];
    let mut expected: Vec<(String, String)> =
        expected.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    expected.sort();
    let mut kinds = kinds;
    kinds.sort();
    assert_eq!(kinds, expected);
}

#[tokio::test]
async fn a_station_runs_debates_only_among_its_own_units() {
    let app = spawn_app().await;
    add_member(&app, app.branch_a.id, "甲一", "13711110001").await;
    add_member(&app, app.village_a.id, "甲二", "13711110002").await;
    add_member(&app, app.branch_b.id, "乙一", "13711110003").await;
    let station_a = app.logged_in(STATION_A).await;
    let bad = "甲村第一支部：甲一\n乙村第一支部：乙一";
    let r = app
        .post_form(&station_a, "/debates", &[("title", "甲村辩论赛"), ("teams", bad), ("judges", STATION_B)])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("本单位及下级单位中没有“乙村第一支部”") && page.contains("不是本单位"), "{page}");
    assert!(page.contains("乙村第一支部：乙一"), "the form keeps what was typed");
    let r = app
        .post_form(
            &station_a,
            "/debates",
            &[("title", "甲村辩论赛"), ("teams", "甲村第一支部：甲二\n甲村：乙一"), ("judges", VOLUNTEER)],
        )
        .await;
    let page = r.text().await.unwrap();
    assert!(
        page.contains("甲村第一支部没有名为“甲二”的党员") && page.contains("甲村没有名为“乙一”"),
        "{page}"
    );
    let r = app
        .post_form(
            &station_a,
            "/debates",
            &[("title", "甲村辩论赛"), ("teams", "甲村：甲一\n甲村第一支部：甲一"), ("judges", VOLUNTEER)],
        )
        .await;
    assert!(r.text().await.unwrap().contains("第2支队“甲村第一支部”有辩手已在前面的队伍中"));
    assert_eq!(app.count("debates").await, 0);

    let id =
        draw(&app, &station_a, "甲村第一支部：甲一\n甲村：甲二", &format!("{VOLUNTEER},{LECTURER}")).await;
    let station_b = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&station_b, &format!("/debates/{id}")).await.status(), StatusCode::NOT_FOUND);
    assert!(!app.get(&station_b, "/debates").await.text().await.unwrap().contains("甲村辩论赛"));
    let m = match_id(&app, id, 1, 1).await;
    assert_eq!(
        app.post_form(&station_b, &format!("/debates/matches/{m}/close"), &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    // A member of the village follows the bracket; a member may not draw one.
    let member = app.logged_in(MEMBER).await;
    assert_eq!(app.get(&member, &format!("/debates/{id}")).await.status(), StatusCode::OK);
    assert_eq!(app.post_form(&member, "/debates", &[("title", "x")]).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_match_is_arranged_with_a_live_session_or_a_live_room() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let live = app
        .session(campaign, app.root.id)
        .kind(SessionKind::Live)
        .title("辩论赛直播")
        .online_url("https://live.example.cn/room/1")
        .starts_in_minutes(60 * 24)
        .insert()
        .await;
    let other = app
        .session(campaign, app.village_b.id)
        .kind(SessionKind::Live)
        .starts_in_minutes(60 * 24)
        .insert()
        .await;
    let committee = app.logged_in(COMMITTEE).await;
    let teams = villages(&app, 2).await;
    let id = draw(&app, &committee, &teams, LECTURER).await;
    let m = match_id(&app, id, 1, 1).await;
    let path = format!("/debates/matches/{m}/setup");
    let fields = |session: String, url: &'static str| {
        vec![
            ("motion", "乡村振兴更靠人才还是产业".to_owned()),
            ("date", "2026-12-20".to_owned()),
            ("time", "19:30".to_owned()),
            ("place", "村民议事厅".to_owned()),
            ("session_id", session),
            ("live_url", url.to_owned()),
        ]
    };
    let r = app.post_owned_form(&committee, &path, &fields(String::new(), "live.example.cn")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("请填写以 https:// 开头的完整网址")
            && page.contains("value=\"乡村振兴更靠人才还是产业\""),
        "{page}"
    );
    let station_a = app.logged_in(STATION_A).await;
    let r = app.post_owned_form(&station_a, &path, &fields(live.id.to_string(), "")).await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a station follows but does not arrange the sub-district's debate"
    );
    let r = app.post_owned_form(&committee, &path, &fields(other.id.to_string(), "")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the committee's subtree holds every village's sessions");

    let r = app.post_owned_form(&committee, &path, &fields(live.id.to_string(), "")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let judge = app.logged_in(LECTURER).await;
    let page = app.get(&judge, &format!("/debates/matches/{m}")).await.text().await.unwrap();
    assert!(
        page.contains(&format!("href=\"/sessions/{}/online\"", live.id)) && page.contains("2026-12-20 19:30"),
        "{page}"
    );
    assert!(page.contains("填写评分票"), "{page}");
    let r = app
        .post_owned_form(&committee, &path, &fields(String::new(), "https://live.example.cn/room/9"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = app.get(&judge, &format!("/debates/matches/{m}")).await.text().await.unwrap();
    assert!(page.contains("href=\"https://live.example.cn/room/9\""), "{page}");
}

#[tokio::test]
async fn the_demo_has_a_bracket_in_progress() {
    let (_, db, dir) = spawn_empty_app().await;
    let vault = dongxun::people::IdCardVault::unlock(&db, &key_file(&dir)).await.unwrap();
    dongxun::demo::seed_if_empty(&db, &vault).await.unwrap();
    let rows: Vec<(i64, bool, bool, String)> = dongxun::on_db!(&db, pool => sqlx::query_as(
        "SELECT round, winner_team_id IS NOT NULL, session_id IS NOT NULL OR live_url <> '', motion \
         FROM debate_matches ORDER BY round, slot")
        .fetch_all(pool).await.unwrap());
    assert_eq!(rows.len(), 7);
    assert!(rows[..4].iter().all(|r| r.0 == 1 && r.1), "the first round is decided: {rows:?}");
    assert!(rows[4].2 && !rows[4].3.is_empty() && !rows[4].1, "a semi-final scheduled online: {rows:?}");
    let ballots: i64 = dongxun::on_db!(&db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM debate_ballots")
        .fetch_one(pool).await.unwrap());
    assert!(ballots >= 12, "{ballots}");
}
