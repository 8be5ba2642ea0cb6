//! Many phones answering the same question at once: the room's writer stores them in shared
//! transactions (group commit), and still each answer once, acknowledged only when committed,
//! a repeat answered with the answer stored first; and a hall of phones joining at once, which
//! republishes the lobby at most once a second.

use dongxun::contest::store::{self, NewAnswer};
use futures_util::SinkExt;
use futures_util::future::join_all;
use tokio_tungstenite::tungstenite::Message;

use std::time::{Duration, Instant};

use crate::contest::{Socket, bank, connect, connect_screen, control, join, next, scalar, set_up, state};
use crate::helpers::*;

/// Sends two answers back to back without waiting (a double tap); returns both acks.
async fn double_tap(mut ws: Socket, first: &str, second: &str) -> (serde_json::Value, serde_json::Value) {
    state(&mut ws, "open").await;
    for a in [first, second] {
        ws.send(Message::Text(format!(r#"{{"q":1,"a":"{a}"}}"#).into())).await.unwrap();
    }
    (next(&mut ws, "ack").await, next(&mut ws, "ack").await)
}

#[tokio::test]
async fn many_phones_answering_at_once_are_each_stored_once() {
    let app = spawn_app().await;
    let ids = bank(&app).await;
    let staff = app.logged_in(COMMITTEE).await;
    let (id, code) = set_up(&app, &staff, "individual", &ids[..1]).await;
    const PHONES: usize = 24;
    let mut sockets = Vec::new();
    for i in 0..PHONES {
        let (name, phone) = (format!("选手{i}"), format!("139000070{i:02}"));
        let cookie = join(&app, &[("code", &code), ("name", &name), ("phone", &phone)]).await;
        sockets.push(connect(&app, id, &cookie).await);
    }
    control(&app, &staff, id, "next").await;
    let acks = join_all(sockets.into_iter().map(|ws| double_tap(ws, "A", "B"))).await;

    for (first, second) in &acks {
        assert_eq!((first["ok"].as_bool(), first["repeat"].as_bool()), (Some(true), Some(false)), "{first}");
        assert_eq!(first["a"], "A", "{first}");
        assert_eq!((second["a"].as_str(), second["repeat"].as_bool()), (Some("A"), Some(true)), "{second}");
    }
    let sql = format!("SELECT COUNT(*) FROM contest_answers WHERE contest_id = {id}");
    assert_eq!(scalar(&app, &sql).await, PHONES as i64, "each phone's answer once");
    let distinct = format!("SELECT COUNT(DISTINCT entrant_id) FROM contest_answers WHERE contest_id = {id}");
    assert_eq!(scalar(&app, &distinct).await, PHONES as i64);
    let wrong = format!("SELECT COUNT(*) FROM contest_answers WHERE contest_id = {id} AND answer <> 'A'");
    assert_eq!(scalar(&app, &wrong).await, 0, "the first answer stands");
}

#[tokio::test]
async fn a_team_s_phones_answering_together_store_one_answer_and_all_hear_it() {
    let app = spawn_app().await;
    let ids = bank(&app).await;
    let staff = app.logged_in(COMMITTEE).await;
    let (id, code) = set_up(&app, &staff, "team", &ids[..1]).await;
    let team = app.village_a.id.to_string();
    let mut sockets = Vec::new();
    for i in 0..6 {
        let (name, phone) = (format!("队员{i}"), format!("1390000710{i}"));
        let fields = [("code", code.as_str()), ("name", &name), ("phone", &phone), ("team", &team)];
        sockets.push(connect(&app, id, &join(&app, &fields).await).await);
    }
    control(&app, &staff, id, "next").await;
    let answers = ["A", "B", "C", "A", "B", "C"];
    let acks = join_all(sockets.into_iter().zip(answers).map(|(ws, a)| double_tap(ws, a, a))).await;

    let stored: String = dongxun::on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT answer FROM contest_answers WHERE contest_id = $1").bind(id).fetch_one(pool).await.unwrap());
    let all: Vec<&serde_json::Value> = acks.iter().flat_map(|(a, b)| [a, b]).collect();
    assert!(
        all.iter().all(|ack| ack["a"] == stored.as_str()),
        "every phone hears the stored answer: {all:?}"
    );
    let fresh = all.iter().filter(|ack| ack["repeat"] == false).count();
    assert_eq!(fresh, 1, "one answer is new, the rest repeats: {all:?}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM contest_answers").await, 1);
}

#[tokio::test]
async fn a_batch_stores_the_first_answer_per_entrant_and_hands_repeats_the_stored_one() {
    let app = spawn_app().await;
    let ids = bank(&app).await;
    let staff = app.logged_in(COMMITTEE).await;
    let (id, code) = set_up(&app, &staff, "individual", &ids[..1]).await;
    for (name, phone) in [("甲", "13900007201"), ("乙", "13900007202")] {
        join(&app, &[("code", &code), ("name", name), ("phone", phone)]).await;
    }
    let devices: Vec<(i64, i64)> = dongxun::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, entrant_id FROM contest_devices ORDER BY id").fetch_all(pool).await.unwrap());
    let answer = |(device_id, entrant_id): (i64, i64), a: &str, score| NewAnswer {
        contest_id: id,
        position: 1,
        entrant_id,
        device_id,
        answer: a.into(),
        correct: a == "A",
        score,
    };
    // 乙 answered before this batch; 甲 answers twice within it.
    store::answer(&app.db, &answer(devices[1], "C", 0)).await.unwrap();
    let batch = [answer(devices[0], "A", 150), answer(devices[1], "A", 150), answer(devices[0], "B", 0)];
    let mut tx = app.db.begin().await.unwrap();
    let done = store::answer_batch(&mut tx, &batch).await.unwrap();
    tx.commit().await.unwrap();

    let expected =
        vec![("A".to_owned(), 150, true), ("C".to_owned(), 0, false), ("A".to_owned(), 150, false)];
    assert_eq!(done, expected);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM contest_answers").await, 2);
}

#[tokio::test]
async fn a_hall_joining_at_once_updates_the_lobby_about_once_a_second_and_ends_on_the_full_count() {
    // A hall behind one address (the venue's Wi-Fi): a budget wide enough for everyone.
    let wide = dongxun::checkin::limits::Budget { burst: 1000, every: Duration::from_millis(1) };
    let limits = dongxun::checkin::limits::GuessLimits { per_address: wide, per_session: wide };
    let app = spawn_app_limited(dongxun::web::WebConfig::default(), limits).await;
    let ids = bank(&app).await;
    let staff = app.logged_in(COMMITTEE).await;
    let (id, code) = set_up(&app, &staff, "individual", &ids[..1]).await;
    let first = join(&app, &[("code", &code), ("name", "先到"), ("phone", "13900007300")]).await;
    let mut phone = connect(&app, id, &first).await;
    let mut screen = connect_screen(&app, id).await;
    assert_eq!(state(&mut screen, "lobby").await["players"], 1);
    const JOINS: i64 = 120;
    let started = Instant::now();
    for i in 0..JOINS {
        let (name, phone) = (format!("选手{i}"), format!("13900073{:03}", i + 1));
        join(&app, &[("code", &code), ("name", &name), ("phone", &phone)]).await;
    }
    let joined = Instant::now();
    // Every join used to republish the lobby to every socket: 120 snapshots each, O(N²) sends.
    let mut snapshots = 0;
    loop {
        let lobby = state(&mut screen, "lobby").await;
        snapshots += 1;
        if lobby["players"] == JOINS + 1 {
            break;
        }
    }
    let promptly = joined.elapsed();
    assert!(promptly < Duration::from_secs(2), "the final count reaches the screen in {promptly:?}");
    let seconds = started.elapsed().as_secs() as usize;
    assert!(snapshots <= seconds + 3, "{snapshots} lobby snapshots in {seconds} s of joining");
    loop {
        if state(&mut phone, "lobby").await["players"] == JOINS + 1 {
            break;
        }
    }
}
