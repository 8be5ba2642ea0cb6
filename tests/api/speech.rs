//! Speech contests: the rubric's weights, judges' marks and weighted totals (revised until the
//! round closes), the results' tie-breaks, voting rules (once, not for oneself, not after close,
//! members only, rate limited), placing points paid once with certificates, and scope.

use dongxun::auth::Role;
use reqwest::{Client, StatusCode};

use crate::helpers::*;
use crate::people::add_member;

/// A member of `unit_id` with an account linked to them, logged in: (member id, client).
pub(crate) async fn member_account(app: &TestApp, unit_id: i64, name: &str, phone: &str) -> (i64, Client) {
    let member = add_member(app, unit_id, name, phone).await;
    let hash = dongxun::auth::password::hash(PASSWORD.to_owned()).await.unwrap();
    let user = dongxun::accounts::store::NewUser {
        phone,
        name,
        password_hash: &hash,
        role: Role::Member,
        unit_id,
        member_id: Some(member),
        must_change_password: false,
    };
    let mut tx = app.db.begin().await.unwrap();
    dongxun::accounts::store::insert(&mut tx, &user).await.unwrap();
    tx.commit().await.unwrap();
    (member, app.logged_in(phone).await)
}

/// Sets up a contest as `staff` with rounds 初赛 and 决赛 and the lecturer and the volunteer as
/// judges; returns its id and its rounds' ids.
pub(crate) async fn set_up(app: &TestApp, staff: &Client) -> (i64, Vec<i64>) {
    let judges = format!("{LECTURER}\n{VOLUNTEER}");
    let r = app
        .post_form(
            staff,
            "/speech",
            &[
                ("title", "“我身边的好党员”演讲比赛"),
                ("rounds", "初赛\n决赛"),
                ("judges", &judges),
                ("rubric", "内容 40\n表达 30\n仪态 20\n时间 10"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let id: i64 = location(&r).rsplit('/').next().unwrap().parse().unwrap();
    let rounds: Vec<i64> = dongxun::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT id FROM speech_rounds WHERE contest_id = $1 ORDER BY position").bind(id).fetch_all(pool).await.unwrap());
    (id, rounds)
}

pub(crate) async fn set_round(
    app: &TestApp,
    staff: &Client,
    id: i64,
    round: i64,
    to: &str,
) -> reqwest::Response {
    app.post_form(staff, &format!("/speech/{id}/rounds/{round}"), &[("to", to)]).await
}

/// Enters `client`'s member in `round`; returns the entry's id.
pub(crate) async fn enter(app: &TestApp, client: &Client, id: i64, round: i64, title: &str) -> i64 {
    let round = round.to_string();
    let r = app
        .post_form(
            client,
            &format!("/speech/{id}/entries"),
            &[
                ("round_id", &round),
                ("title", title),
                ("script", "同志们：……"),
                ("video_url", "https://v.example.cn/1.mp4"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r).rsplit('/').next().unwrap().parse().unwrap()
}

async fn score(app: &TestApp, judge: &Client, entry: i64, marks: [&str; 4]) -> reqwest::Response {
    let fields = [("m0", marks[0]), ("m1", marks[1]), ("m2", marks[2]), ("m3", marks[3])];
    app.post_form(judge, &format!("/speech/entries/{entry}/score"), &fields).await
}

async fn vote(app: &TestApp, client: &Client, entry: i64) -> reqwest::Response {
    app.post_form(client, &format!("/speech/entries/{entry}/vote"), &[]).await
}

async fn votes(app: &TestApp, entry: i64) -> i64 {
    dongxun::on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM speech_votes WHERE entry_id = $1")
        .bind(entry).fetch_one(pool).await.unwrap())
}

#[tokio::test]
async fn a_rubric_must_sum_to_100_and_a_refused_form_keeps_what_was_typed() {
    let app = spawn_app().await;
    let staff = app.logged_in(STATION_A).await;
    let fields = [
        ("title", "演讲比赛甲"),
        ("rounds", "初赛"),
        ("judges", LECTURER),
        ("rubric", "内容 40\n表达 30\n仪态 20"),
    ];
    let r = app.post_form(&staff, "/speech", &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("各项分值之和应为100，现在是90"), "{html}");
    assert!(html.contains("value=\"演讲比赛甲\"") && html.contains("仪态 20</textarea>"), "kept as typed");
    let fields = [
        ("title", "演讲比赛甲"),
        ("rounds", "初赛"),
        ("judges", "13911112222"),
        ("rubric", "内容 60\n表达 40"),
    ];
    let html = app.post_form(&staff, "/speech", &fields).await.text().await.unwrap();
    assert!(html.contains("这些手机号码没有可用账号：13911112222"), "{html}");
    assert_eq!(app.count("speech_contests").await, 0, "nothing stored");
    // An edited rubric that sums to 100 is taken as typed.
    let fields =
        [("title", "演讲比赛甲"), ("rounds", "初赛"), ("judges", LECTURER), ("rubric", "内容 60\n表达 40")];
    assert_eq!(app.post_form(&staff, "/speech", &fields).await.status(), StatusCode::SEE_OTHER);
    let rubric: String = dongxun::on_db!(&app.db, pool => sqlx::query_scalar("SELECT rubric FROM speech_contests")
        .fetch_one(pool).await.unwrap());
    assert_eq!(rubric, "内容:60,表达:40");
    assert_eq!(app.audit("speech").await.len(), 1);
}

#[tokio::test]
async fn judges_score_each_item_within_its_weight_and_may_revise_until_the_round_closes() {
    let app = spawn_app().await;
    let staff = app.logged_in(STATION_A).await;
    let (id, rounds) = set_up(&app, &staff).await;
    let (_, speaker) = member_account(&app, app.branch_a.id, "王红", "13800000021").await;
    let round = rounds[0].to_string();
    let early = [
        ("round_id", round.as_str()),
        ("title", "初心"),
        ("script", "……"),
        ("video_url", "https://v.example.cn/1.mp4"),
    ];
    let r = app.post_form(&speaker, &format!("/speech/{id}/entries"), &early).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "a round not yet open takes no entries");
    assert!(r.text().await.unwrap().contains("请选择正在进行的一轮"));
    assert_eq!(set_round(&app, &staff, id, rounds[0], "open").await.status(), StatusCode::SEE_OTHER);
    let entry = enter(&app, &speaker, id, rounds[0], "初心").await;
    let again = app.post_form(&speaker, &format!("/speech/{id}/entries"), &early).await;
    assert!(again.text().await.unwrap().contains("每轮只能报名一次"));

    let judge = app.logged_in(LECTURER).await;
    let page = app.get(&judge, &format!("/speech/entries/{entry}")).await.text().await.unwrap();
    assert!(page.contains("内容（满分40）") && page.contains("name=\"m3\""), "{page}");
    let r = score(&app, &judge, entry, ["41", "27", "18", "x"]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("内容：请填写0到40的整数") && html.contains("时间：请填写0到10的整数"), "{html}");
    assert!(html.contains("value=\"41\""), "kept as typed");
    assert_eq!(app.count("speech_scores").await, 0);
    assert_eq!(score(&app, &judge, entry, ["38", "27", "18", "9"]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(score(&app, &judge, entry, ["36", "27", "18", "9"]).await.status(), StatusCode::SEE_OTHER);
    let other = app.logged_in(VOLUNTEER).await;
    assert_eq!(score(&app, &other, entry, ["40", "30", "20", "10"]).await.status(), StatusCode::SEE_OTHER);
    let totals: Vec<i64> = dongxun::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT total FROM speech_scores WHERE entry_id = $1 ORDER BY judge_id").bind(entry).fetch_all(pool).await.unwrap());
    assert_eq!(totals, vec![90, 100], "revised in place: one row per judge");
    let page = app.get(&judge, &format!("/speech/entries/{entry}")).await.text().await.unwrap();
    assert!(page.contains("加权总分 <strong>90</strong>") && page.contains("value=\"36\""), "{page}");
    // Not a judge: refused.
    assert_eq!(score(&app, &speaker, entry, ["40", "30", "20", "10"]).await.status(), StatusCode::FORBIDDEN);
    let audit = app.audit("speech").await;
    assert!(audit.iter().any(|a| a.contains("修改评分：《初心》（王红）加权总分90")), "{audit:?}");

    assert_eq!(set_round(&app, &staff, id, rounds[0], "closed").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(score(&app, &judge, entry, ["40", "30", "20", "10"]).await.status(), StatusCode::CONFLICT);
    let results = app.get(&staff, &format!("/speech/{id}")).await.text().await.unwrap();
    assert!(results.contains("评委平均 <strong class=\"average\">95.00</strong>"), "{results}");
    assert_eq!(
        set_round(&app, &staff, id, rounds[0], "open").await.status(),
        StatusCode::CONFLICT,
        "closed stays closed"
    );
}

/// The entries' ids in the order the contest page lists them in `round_name`'s section.
fn order(html: &str, round_name: &str) -> Vec<i64> {
    let section = html.split(&format!("data-round=\"{round_name}\"")).nth(1).unwrap();
    let section = section.split("</section>").next().unwrap();
    section.split("data-entry=\"").skip(1).map(|s| s.split('"').next().unwrap().parse().unwrap()).collect()
}

#[tokio::test]
async fn results_order_by_average_then_votes_then_the_earlier_entry() {
    let app = spawn_app().await;
    let staff = app.logged_in(STATION_A).await;
    let (id, rounds) = set_up(&app, &staff).await;
    set_round(&app, &staff, id, rounds[0], "open").await;
    let (_, a) = member_account(&app, app.branch_a.id, "甲一", "13800000031").await;
    let (_, b) = member_account(&app, app.branch_a.id, "甲二", "13800000032").await;
    let (_, c) = member_account(&app, app.branch_a.id, "甲三", "13800000033").await;
    let (_, d) = member_account(&app, app.branch_a.id, "甲四", "13800000034").await;
    let first = enter(&app, &a, id, rounds[0], "一").await;
    let second = enter(&app, &b, id, rounds[0], "二").await;
    let third = enter(&app, &c, id, rounds[0], "三").await;
    let top = enter(&app, &d, id, rounds[0], "四").await;
    let judge = app.logged_in(LECTURER).await;
    for entry in [first, second, third] {
        score(&app, &judge, entry, ["30", "20", "15", "5"]).await; // 70 each
    }
    score(&app, &judge, top, ["35", "20", "15", "5"]).await; // 75
    // Equal scores: `third` has more votes; `first` and `second` tie on votes, the earlier wins.
    assert_eq!(vote(&app, &a, third).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(vote(&app, &b, third).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(vote(&app, &c, second).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(vote(&app, &d, first).await.status(), StatusCode::SEE_OTHER);
    // Votes never outrank a judge's score: `top` has none and is still first.
    set_round(&app, &staff, id, rounds[0], "closed").await;
    let html = app.get(&staff, &format!("/speech/{id}")).await.text().await.unwrap();
    assert_eq!(order(&html, "初赛"), vec![top, third, first, second]);
    assert!(html.contains("平均分相同的，得票多者在前；再相同的，先报名者在前"), "the rule is stated");
}

#[tokio::test]
async fn a_member_votes_once_per_entry_never_for_themself_and_not_after_the_round_closes() {
    let app = spawn_app().await;
    let staff = app.logged_in(STATION_A).await;
    let (id, rounds) = set_up(&app, &staff).await;
    set_round(&app, &staff, id, rounds[0], "open").await;
    let (_, speaker) = member_account(&app, app.branch_a.id, "王红", "13800000021").await;
    let (_, voter) = member_account(&app, app.branch_a.id, "李明", "13800000022").await;
    let entry = enter(&app, &speaker, id, rounds[0], "初心").await;

    let r = vote(&app, &speaker, entry).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("不能给自己投票"));
    assert_eq!(vote(&app, &voter, entry).await.status(), StatusCode::SEE_OTHER);
    let r = vote(&app, &voter, entry).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("已为这位选手投过票"));
    // An account not linked to a member (the seeded member account) cannot vote.
    let unlinked = app.logged_in(MEMBER).await;
    assert_eq!(vote(&app, &unlinked, entry).await.status(), StatusCode::CONFLICT);
    // Ballot stuffing straight into the table is refused by the database.
    let stuffed = format!(
        "INSERT INTO speech_votes (entry_id, member_id, user_id, voted_at) \
         SELECT entry_id, member_id, user_id, voted_at FROM speech_votes WHERE entry_id = {entry}"
    );
    let refused = match &app.db {
        dongxun::db::Db::Sqlite(pool) => sqlx::query(&stuffed).execute(pool).await.is_err(),
        dongxun::db::Db::Postgres(pool) => sqlx::query(&stuffed).execute(pool).await.is_err(),
    };
    assert!(refused, "UNIQUE (entry, member)");
    assert_eq!(votes(&app, entry).await, 1);
    let page = app.get(&voter, &format!("/speech/entries/{entry}")).await.text().await.unwrap();
    assert!(page.contains("您已投票") && page.contains("id=\"vote-count\">1<"), "{page}");

    set_round(&app, &staff, id, rounds[0], "closed").await;
    let (_, late) = member_account(&app, app.branch_a.id, "赵六", "13800000023").await;
    let r = vote(&app, &late, entry).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("已结束，不能再投票"));
    assert_eq!(votes(&app, entry).await, 1);
    assert_eq!(app.audit("speech").await.iter().filter(|a| a.contains("投票：")).count(), 1);
}

#[tokio::test]
async fn voting_is_rate_limited_per_account() {
    let app = spawn_app().await;
    let staff = app.logged_in(STATION_A).await;
    let (id, rounds) = set_up(&app, &staff).await;
    set_round(&app, &staff, id, rounds[0], "open").await;
    let (_, speaker) = member_account(&app, app.branch_a.id, "王红", "13800000021").await;
    let (_, voter) = member_account(&app, app.branch_a.id, "李明", "13800000022").await;
    let entry = enter(&app, &speaker, id, rounds[0], "初心").await;
    let burst = dongxun::speech::limits::PER_ACCOUNT.0;
    let mut statuses = Vec::new();
    for _ in 0..=burst {
        statuses.push(vote(&app, &voter, entry).await.status());
    }
    assert_eq!(statuses[0], StatusCode::SEE_OTHER);
    assert!(statuses[1..burst as usize].iter().all(|s| *s == StatusCode::CONFLICT), "{statuses:?}");
    assert_eq!(statuses[burst as usize], StatusCode::TOO_MANY_REQUESTS, "refused attempts spend too");
    // Another account on its own budget still votes.
    let (_, other) = member_account(&app, app.branch_a.id, "赵六", "13800000023").await;
    assert_eq!(vote(&app, &other, entry).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(votes(&app, entry).await, 2);
}

#[tokio::test]
async fn finishing_pays_the_last_rounds_placings_once_and_offers_certificates() {
    let app = spawn_app().await;
    let staff = app.logged_in(STATION_A).await;
    let (id, rounds) = set_up(&app, &staff).await;
    set_round(&app, &staff, id, rounds[0], "open").await;
    let mut people = Vec::new();
    for (i, name) in ["甲一", "甲二", "甲三", "甲四"].iter().enumerate() {
        people.push(member_account(&app, app.branch_a.id, name, &format!("138000000{}", 41 + i)).await);
    }
    let judge = app.logged_in(LECTURER).await;
    for (i, (_, client)) in people.iter().enumerate() {
        let entry = enter(&app, client, id, rounds[0], &format!("初赛{i}")).await;
        score(&app, &judge, entry, ["30", "20", "15", "5"]).await;
    }
    set_round(&app, &staff, id, rounds[0], "closed").await;
    let r = app.post_form(&staff, &format!("/speech/{id}/finish"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "决赛 is not closed");
    set_round(&app, &staff, id, rounds[1], "open").await;
    // The final: 甲四 first, 甲三 second, 甲二 third; 甲一 entered but was not scored.
    for (i, marks) in
        [(3, ["40", "30", "20", "10"]), (2, ["35", "30", "20", "10"]), (1, ["30", "30", "20", "10"])]
    {
        let entry = enter(&app, &people[i].1, id, rounds[1], "决赛").await;
        score(&app, &judge, entry, marks).await;
    }
    enter(&app, &people[0].1, id, rounds[1], "决赛").await;
    set_round(&app, &staff, id, rounds[1], "closed").await;
    let r = app.post_form(&staff, &format!("/speech/{id}/finish"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let paid: Vec<(i64, String, String)> = dongxun::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT member_id, kind, idempotency_key FROM point_entries WHERE item_key = $1 ORDER BY kind")
        .bind(format!("speech:{id}")).fetch_all(pool).await.unwrap());
    let expected = vec![
        (people[3].0, "contest_first".to_owned(), format!("speech:{id}:{}", people[3].0)),
        (people[2].0, "contest_second".to_owned(), format!("speech:{id}:{}", people[2].0)),
        (people[1].0, "contest_third".to_owned(), format!("speech:{id}:{}", people[1].0)),
    ];
    assert_eq!(paid, expected);
    // Finishing again pays nothing.
    assert_eq!(
        app.post_form(&staff, &format!("/speech/{id}/finish"), &[]).await.status(),
        StatusCode::CONFLICT
    );
    let contest = dongxun::speech::store::by_id(&app.db, id).await.unwrap().unwrap();
    let actor = dongxun::audit::Actor::command_line();
    assert_eq!(dongxun::speech::pay_placings(&app.db, &actor, &contest).await.unwrap(), 0);
    assert_eq!(app.count("point_entries").await, 3);
    assert!(app.audit("speech").await.iter().any(|a| a.contains("3人获名次积分")));

    // The winner's certificate, for the winner and staff; nobody else's, and none for 4th place.
    let first = people[3].0;
    let r = app.get(&people[3].1, &format!("/speech/{id}/certificates/{first}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    assert_eq!(app.get(&staff, &format!("/speech/{id}/certificates/{first}")).await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&people[0].1, &format!("/speech/{id}/certificates/{first}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let fourth = people[0].0;
    assert_eq!(
        app.get(&staff, &format!("/speech/{id}/certificates/{fourth}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_contest_stays_inside_its_station() {
    let app = spawn_app().await;
    let staff = app.logged_in(STATION_A).await;
    let (id, rounds) = set_up(&app, &staff).await;
    set_round(&app, &staff, id, rounds[0], "open").await;
    let (_, speaker) = member_account(&app, app.branch_a.id, "王红", "13800000021").await;
    let entry = enter(&app, &speaker, id, rounds[0], "初心").await;

    let other_station = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&other_station, &format!("/speech/{id}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        set_round(&app, &other_station, id, rounds[0], "closed").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_form(&other_station, &format!("/speech/{id}/finish"), &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    let listed = app.get(&other_station, "/speech").await.text().await.unwrap();
    assert!(!listed.contains("好党员"), "not listed in another station");
    let (_, outsider) = member_account(&app, app.branch_b.id, "乙一", "13800000051").await;
    assert_eq!(app.get(&outsider, &format!("/speech/entries/{entry}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(vote(&app, &outsider, entry).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(votes(&app, entry).await, 0);
    // A member inside sees it listed; a member may not run it; the committee above may.
    assert!(app.get(&speaker, "/speech").await.text().await.unwrap().contains("好党员"));
    assert_eq!(set_round(&app, &speaker, id, rounds[0], "closed").await.status(), StatusCode::FORBIDDEN);
    let committee = app.logged_in(COMMITTEE).await;
    assert_eq!(set_round(&app, &committee, id, rounds[0], "closed").await.status(), StatusCode::SEE_OTHER);
    // A judge outside the station (the lecturer, at the sub-district) sees it.
    let judge = app.logged_in(LECTURER).await;
    assert_eq!(app.get(&judge, &format!("/speech/{id}")).await.status(), StatusCode::OK);
}
