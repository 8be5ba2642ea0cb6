//! The live knowledge contest: set up from the bank, phones joining by code (members, matched
//! guests, unmatched guests), answers over WebSocket stored once before they are acknowledged,
//! a dropped phone resuming, team mode, the results and placings' points, and who may host.

use std::time::Duration;

use dongxun::quiz::model::{Question, QuestionKind};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::*;
use crate::people::add_member;

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Three questions in the bank: 单选 (A), 判断 (正确), 填空 (为人民服务); returns their ids.
pub(crate) async fn bank(app: &TestApp) -> Vec<i64> {
    let q = |kind, stem: &str, options: &[&str], answer: &str| Question {
        kind: Some(kind),
        stem: stem.into(),
        options: options.iter().map(|o| o.to_string()).collect(),
        answer: answer.into(),
        category: "党章".into(),
        ..Default::default()
    };
    let questions = vec![
        q(QuestionKind::Single, "党员应当按时交纳（ ）", &["党费", "会费", "学费"], "A"),
        q(QuestionKind::Judge, "冬训一般在农闲时节开展", &[], "正确"),
        q(QuestionKind::Blank, "党的根本宗旨是全心全意（ ）", &[], "为人民服务"),
    ];
    let mut tx = app.db.begin().await.unwrap();
    dongxun::quiz::store::insert_all(&mut tx, &questions, None).await.unwrap();
    tx.commit().await.unwrap();
    let rows: Vec<(i64,)> = dongxun::on_db!(&app.db, pool => sqlx::query_as("SELECT id FROM questions ORDER BY id")
        .fetch_all(pool).await.unwrap());
    rows.into_iter().map(|r| r.0).collect()
}

/// Sets a contest up as `staff`; returns its id and join code.
pub(crate) async fn set_up(app: &TestApp, staff: &reqwest::Client, mode: &str, ids: &[i64]) -> (i64, String) {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let r = app
        .post_form(
            staff,
            "/contests",
            &[("title", "冬训知识竞赛"), ("mode", mode), ("seconds", "30"), ("question_ids", &ids.join(","))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let id: i64 = location(&r).rsplit('/').next().unwrap().parse().unwrap();
    let code: String = dongxun::on_db!(&app.db, pool => sqlx::query_scalar("SELECT join_code FROM contests WHERE id = $1")
        .bind(id).fetch_one(pool).await.unwrap());
    (id, code)
}

/// Joins from a fresh phone; returns the token cookie ("name=value").
pub(crate) async fn join(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let phone = app.client();
    let r = app.post_form(&phone, "/contest", fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let cookie = r.headers()[reqwest::header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    cookie.split(';').next().unwrap().to_owned()
}

pub(crate) async fn connect(app: &TestApp, id: i64, cookie: &str) -> Socket {
    let url = format!("{}/contest/{id}/ws", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("Cookie", cookie.parse().unwrap());
    tokio_tungstenite::connect_async(request).await.expect("socket opens").0
}

/// The host screen's socket, logged in as the committee.
pub(crate) async fn connect_screen(app: &TestApp, id: i64) -> Socket {
    let login = app.login_response(&app.client(), COMMITTEE, PASSWORD).await;
    let cookies: Vec<&str> = login
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap())
        .collect();
    let url = format!("{}/contests/{id}/screen/ws", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("Cookie", cookies.join("; ").parse().unwrap());
    tokio_tungstenite::connect_async(request).await.expect("screen socket opens").0
}

/// The next message of type `t` (others skipped), as JSON.
pub(crate) async fn next(ws: &mut Socket, t: &str) -> Value {
    loop {
        let message =
            tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("a message in time");
        let Some(Ok(Message::Text(text))) = message else { panic!("socket closed: {message:?}") };
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["t"] == t {
            return v;
        }
    }
}

/// The next state snapshot in `phase`.
pub(crate) async fn state(ws: &mut Socket, phase: &str) -> Value {
    loop {
        let v = next(ws, "state").await;
        if v["phase"] == phase {
            return v;
        }
    }
}

async fn send(ws: &mut Socket, q: i64, a: &str) -> Value {
    ws.send(Message::Text(format!(r#"{{"q":{q},"a":"{a}"}}"#).into())).await.unwrap();
    next(ws, "ack").await
}

pub(crate) async fn control(app: &TestApp, staff: &reqwest::Client, id: i64, action: &str) {
    let r = app.post_form(staff, &format!("/contests/{id}/control"), &[("action", action)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action}: {}", r.text().await.unwrap());
}

pub(crate) async fn scalar(app: &TestApp, sql: &str) -> i64 {
    dongxun::on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap())
}

#[tokio::test]
async fn two_phones_play_a_contest_through_with_a_reconnect_and_a_double_send() {
    let app = spawn_app().await;
    let ids = bank(&app).await;
    let li = add_member(&app, app.branch_a.id, "李竞赛", "13900005551").await;
    let wang = add_member(&app, app.branch_b.id, "王竞赛", "13900005552").await;
    let staff = app.logged_in(COMMITTEE).await;
    let (id, code) = set_up(&app, &staff, "individual", &ids).await;

    let a = join(&app, &[("code", &code), ("name", "李竞赛"), ("phone", "13900005551")]).await;
    let b = join(&app, &[("code", &code), ("name", "王竞赛"), ("phone", "13900005552")]).await;
    let mut ws_a = connect(&app, id, &a).await;
    let mut ws_b = connect(&app, id, &b).await;
    let mut screen = connect_screen(&app, id).await;
    assert_eq!(next(&mut ws_a, "me").await["name"], "李竞赛");
    // Joins reach the lobby at most once a second: the second one may come a moment later.
    while state(&mut ws_b, "lobby").await["players"] != 2 {}

    control(&app, &staff, id, "next").await;
    let open = state(&mut ws_a, "open").await;
    assert_eq!(open["q"]["n"], 1);
    assert!(open.get("correct").is_none(), "the answer is not sent before the reveal: {open}");
    // A phone is sent what it shows, nothing more: no answered count, spread or leaderboard.
    assert!(open.get("answered").is_none() && open.get("board").is_none(), "{open}");
    let ack = send(&mut ws_a, 1, "a").await;
    assert_eq!((ack["ok"].as_bool(), ack["a"].as_str()), (Some(true), Some("A")), "{ack}");
    // The phone sends again (a double tap, a retry): the first answer stands, counted once.
    let again = send(&mut ws_a, 1, "B").await;
    assert_eq!((again["a"].as_str(), again["repeat"].as_bool()), (Some("A"), Some(true)), "{again}");
    state(&mut ws_b, "open").await;
    assert_eq!(send(&mut ws_b, 1, "B").await["ok"], true);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM contest_answers").await, 2);

    control(&app, &staff, id, "reveal").await;
    let on_phone = state(&mut ws_a, "reveal").await;
    assert_eq!(on_phone["correct"], "A");
    assert!(on_phone.get("spread").is_none() && on_phone.get("board").is_none(), "{on_phone}");
    let reveal = state(&mut screen, "reveal").await;
    assert_eq!((reveal["correct"].as_str(), reveal["answered"].as_i64()), (Some("A"), Some(2)), "{reveal}");
    assert_eq!(reveal["spread"][0], serde_json::json!(["A", 1]), "{reveal}");
    assert_eq!(reveal["board"][0]["name"], "李竞赛");
    assert!(reveal["board"][0]["score"].as_i64().unwrap() >= 140, "{reveal}");
    assert_eq!(send(&mut ws_b, 1, "A").await["ok"], false, "no answer after the reveal");

    // Phone B drops and comes back on question 2 after answering: it resumes as itself.
    control(&app, &staff, id, "next").await;
    state(&mut ws_b, "open").await;
    assert_eq!(send(&mut ws_b, 2, "对").await["a"], "正确");
    drop(ws_b);
    let mut ws_b = connect(&app, id, &b).await;
    let me = next(&mut ws_b, "me").await;
    assert_eq!((me["answered"]["q"].as_i64(), me["answered"]["a"].as_str()), (Some(2), Some("正确")), "{me}");
    assert_eq!(me["score"], 0, "question 2 is not revealed yet: {me}");
    assert_eq!(state(&mut ws_b, "open").await["q"]["n"], 2, "the phone sees the question in play");
    assert_eq!(send(&mut ws_b, 2, "错").await["repeat"], true);

    control(&app, &staff, id, "reveal").await;
    control(&app, &staff, id, "next").await;
    state(&mut ws_a, "open").await;
    assert_eq!(send(&mut ws_a, 3, " 为人民 服务").await["ok"], true);
    control(&app, &staff, id, "finish").await;
    state(&mut ws_a, "finished").await;

    // Placings: 李 first (two right answers), 王 second (one right): points through the ledger.
    let kinds: Vec<(i64, String)> = dongxun::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT member_id, kind FROM point_entries WHERE idempotency_key LIKE 'contest:%' ORDER BY member_id")
        .fetch_all(pool).await.unwrap());
    assert_eq!(kinds, vec![(li, "contest_first".to_owned()), (wang, "contest_second".to_owned())]);
    assert!(app.audit("contest").await.iter().any(|e| e.contains("结束知识竞赛")));
    let page = app.get(&staff, &format!("/contests/{id}")).await.text().await.unwrap();
    assert!(page.contains("最终排名") && page.contains("李竞赛"), "{page}");
    let export = app.get(&staff, &format!("/contests/{id}/export")).await;
    assert_eq!(export.status(), StatusCode::OK);
    assert!(!app.audit("export").await.is_empty());
}

#[tokio::test]
async fn in_team_mode_a_village_answers_once_from_any_of_its_phones() {
    let app = spawn_app().await;
    let ids = bank(&app).await;
    let li = add_member(&app, app.branch_a.id, "李队员", "13900005561").await;
    let staff = app.logged_in(COMMITTEE).await;
    let (id, code) = set_up(&app, &staff, "team", &ids[..1]).await;

    let r = app
        .post_form(
            &app.client(),
            "/contest",
            &[("code", &code), ("name", "李队员"), ("phone", "13900005561")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("请选择您代表的队伍") && page.contains("甲村") && page.contains("13900005561"),
        "{page}"
    );

    let team = app.village_a.id.to_string();
    let one =
        join(&app, &[("code", &code), ("name", "李队员"), ("phone", "13900005561"), ("team", &team)]).await;
    let two =
        join(&app, &[("code", &code), ("name", "来宾张三"), ("phone", "13900009999"), ("team", &team)]).await;
    let mut ws_one = connect(&app, id, &one).await;
    let mut ws_two = connect(&app, id, &two).await;
    assert_eq!(next(&mut ws_two, "me").await["entrant"], "甲村");
    control(&app, &staff, id, "next").await;
    state(&mut ws_one, "open").await;
    state(&mut ws_two, "open").await;
    assert_eq!(send(&mut ws_two, 1, "A").await["repeat"], false);
    let other = send(&mut ws_one, 1, "C").await;
    assert_eq!((other["a"].as_str(), other["repeat"].as_bool()), (Some("A"), Some(true)), "{other}");
    control(&app, &staff, id, "finish").await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM contest_entrants").await, 1, "one team");
    // The team placed first: its matched member earns; the unmatched guest earns nothing.
    let members: Vec<i64> = dongxun::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT member_id FROM point_entries WHERE kind = 'contest_first'").fetch_all(pool).await.unwrap());
    assert_eq!(members, vec![li]);
}

#[tokio::test]
async fn a_skipped_question_does_not_count() {
    let app = spawn_app().await;
    let ids = bank(&app).await;
    let staff = app.logged_in(COMMITTEE).await;
    let (id, code) = set_up(&app, &staff, "individual", &ids[..2]).await;
    let guest = join(&app, &[("code", &code), ("name", "来宾"), ("phone", "13900008888")]).await;
    let mut ws = connect(&app, id, &guest).await;
    let mut screen = connect_screen(&app, id).await;
    control(&app, &staff, id, "next").await;
    state(&mut ws, "open").await;
    assert_eq!(send(&mut ws, 1, "A").await["ok"], true);
    // A late joiner sees the question in play at once.
    let late = join(&app, &[("code", &code), ("name", "迟到者"), ("phone", "13900008889")]).await;
    let mut ws_late = connect(&app, id, &late).await;
    assert_eq!(state(&mut ws_late, "open").await["q"]["n"], 1);
    control(&app, &staff, id, "skip").await;
    state(&mut ws, "lobby").await;
    let lobby = state(&mut screen, "lobby").await;
    assert_eq!(lobby["board"][0]["score"], 0, "{lobby}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM contest_questions WHERE skipped").await, 1);
    control(&app, &staff, id, "finish").await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM point_entries").await, 0, "no score, no placing");
}

#[tokio::test]
async fn bad_set_up_and_wrong_codes_change_nothing_and_keep_what_was_typed() {
    let app = spawn_app().await;
    bank(&app).await;
    let staff = app.logged_in(COMMITTEE).await;
    let r = app
        .post_form(
            &staff,
            "/contests",
            &[("title", ""), ("mode", "individual"), ("seconds", "2"), ("question_ids", "9999")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("竞赛名称：请填写1到40字") && page.contains("每题限时：请填写5到300秒"), "{page}");
    assert!(page.contains("有题号不在题库中") && page.contains("value=\"9999\""), "{page}");
    let r = app
        .post_form(
            &staff,
            "/contests",
            &[
                ("title", "抽题"),
                ("mode", "individual"),
                ("seconds", "20"),
                ("category", "党章"),
                ("count", "5"),
            ],
        )
        .await;
    assert!(r.text().await.unwrap().contains("题库中这一分类只有3题"));
    assert_eq!(app.count("contests").await, 0);

    let r = app
        .post_form(
            &app.client(),
            "/contest",
            &[("code", "000000"), ("name", "张三"), ("phone", "13900001234")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(page.contains("竞赛码不对或竞赛已结束") && page.contains("value=\"张三\""), "{page}");
}

#[tokio::test]
async fn contests_stay_inside_their_station_and_members_do_not_host() {
    let app = spawn_app().await;
    let ids = bank(&app).await;
    let station_a = app.logged_in(STATION_A).await;
    let (id, _) = set_up(&app, &station_a, "individual", &ids).await;
    let station_b = app.logged_in(STATION_B).await;
    for path in [format!("/contests/{id}"), format!("/contests/{id}/host"), format!("/contests/{id}/export")]
    {
        assert_eq!(app.get(&station_b, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let r = app.post_form(&station_b, &format!("/contests/{id}/control"), &[("action", "next")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let committee = app.logged_in(COMMITTEE).await;
    assert_eq!(app.get(&committee, &format!("/contests/{id}")).await.status(), StatusCode::OK);
    let member = app.logged_in(MEMBER).await;
    assert_eq!(app.get(&member, "/contests").await.status(), StatusCode::FORBIDDEN);
    let host = app.get(&station_a, &format!("/contests/{id}/host")).await.text().await.unwrap();
    assert!(host.contains("<svg") && host.contains("答对得100分"), "{host}");
}

#[tokio::test]
async fn the_demo_has_a_finished_contest_whose_placings_earned_points() {
    let (_, db, dir) = spawn_empty_app().await;
    let vault = dongxun::people::IdCardVault::unlock(&db, &key_file(&dir)).await.unwrap();
    dongxun::demo::seed_if_empty(&db, &vault).await.unwrap();
    let contests =
        dongxun::contest::store::list_in_scope(&db, &dongxun::org::Scope::whole_tree()).await.unwrap();
    assert_eq!(contests.len(), 1);
    assert_eq!(contests[0].status, dongxun::contest::model::Status::Finished);
    let standings = dongxun::contest::model::standings(
        dongxun::contest::store::totals(&db, contests[0].id).await.unwrap(),
    );
    assert_eq!(standings.len(), 8);
    assert!(standings[0].score > standings[7].score, "{standings:?}");
    let placed: i64 = dongxun::on_db!(&db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM point_entries WHERE kind IN ('contest_first', 'contest_second', 'contest_third')")
        .fetch_one(pool).await.unwrap());
    assert!(placed >= 3, "{placed}");
}

#[tokio::test]
async fn guessing_join_codes_runs_out_of_tries() {
    use dongxun::checkin::limits::{Budget, GuessLimits};
    let hour = Duration::from_secs(3600);
    let limits = GuessLimits {
        per_address: Budget { burst: 3, every: hour },
        per_session: Budget { burst: 10, every: hour },
    };
    let app = spawn_app_limited(dongxun::web::WebConfig::default(), limits).await;
    for (i, expected) in [
        StatusCode::BAD_REQUEST,
        StatusCode::BAD_REQUEST,
        StatusCode::BAD_REQUEST,
        StatusCode::TOO_MANY_REQUESTS,
    ]
    .into_iter()
    .enumerate()
    {
        let code = format!("{:06}", 123_450 + i);
        let r = app
            .post_form(
                &app.client(),
                "/contest",
                &[("code", &code), ("name", "张三"), ("phone", "13900001234")],
            )
            .await;
        assert_eq!(r.status(), expected, "try {i}");
    }
}
