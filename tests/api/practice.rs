//! Quiz practice over HTTP: the daily quiz earns points once a day and resumes after a dropped
//! connection, a resent answer counts once, unseen questions come first, the mistakes book fills
//! and empties, exams are timed on the server (a late answer is refused and not counted), and
//! who may set, read and take an exam.

use dongxun::practice::store::{self, Item};
use dongxun::quiz::model::{Question, QuestionKind};
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;

/// Seeds `n` questions of `category`: single choice, answer A, with an explanation.
async fn seed_bank(app: &TestApp, category: &str, n: usize) {
    let questions: Vec<Question> = (0..n)
        .map(|i| Question {
            kind: Some(QuestionKind::Single),
            stem: format!("{category}第{i}题是什么"),
            options: vec!["对的".into(), "错的".into(), "也错".into()],
            answer: "A".into(),
            explanation: format!("{category}解析{i}"),
            category: category.into(),
            ..Question::default()
        })
        .collect();
    let mut tx = app.db.begin().await.unwrap();
    dongxun::quiz::store::insert_all(&mut tx, &questions, None).await.unwrap();
    tx.commit().await.unwrap();
}

/// The seeded member account made a member of 甲村第一支部; returns the member and a client.
async fn member_client(app: &TestApp) -> (i64, reqwest::Client) {
    let member = add_member(app, app.branch_a.id, "答题党员", "13800000001").await;
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;
    (member, app.logged_in(MEMBER).await)
}

/// The round a start redirected to.
fn round_of(response: &reqwest::Response) -> i64 {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "start redirects to the round");
    location(response).trim_start_matches("/practice/rounds/").parse().unwrap()
}

async fn items(app: &TestApp, round: i64) -> Vec<Item> {
    store::items(&app.db, round).await.unwrap()
}

/// Answers `position` of `round`; right or wrong.
async fn answer(
    app: &TestApp,
    client: &reqwest::Client,
    round: i64,
    position: i64,
    right: bool,
) -> reqwest::Response {
    let item = items(app, round).await.into_iter().find(|i| i.position == position).unwrap();
    let choice = if right { item.answer.clone() } else { "B".to_owned() };
    let path = format!("/practice/rounds/{round}/answer");
    app.post_owned_form(client, &path, &[("position", position.to_string()), ("choice", choice)]).await
}

async fn quiz_points(app: &TestApp, member: i64) -> i64 {
    dongxun::points::store::total(&app.db, member).await.unwrap()
}

#[tokio::test]
async fn the_daily_quiz_earns_points_once_a_day_resumes_after_a_drop_and_counts_a_resend_once() {
    let app = spawn_app().await;
    seed_bank(&app, "党章", 6).await;
    seed_bank(&app, "党史", 6).await;
    let (member, client) = member_client(&app).await;

    let hub = app.get(&client, "/practice").await.text().await.unwrap();
    assert!(hub.contains("开始今日答题") && hub.contains("每天最多 5 分"), "{hub}");
    let round = round_of(&app.post_form(&client, "/practice/daily", &[]).await);
    assert_eq!(items(&app, round).await.len(), 5);

    let first = answer(&app, &client, round, 1, true).await;
    assert_eq!(location(&first), format!("/practice/rounds/{round}/items/1"));
    let graded = app.get(&client, &location(&first)).await.text().await.unwrap();
    assert!(graded.contains("回答正确") && graded.contains("解析："), "the explanation after answering");
    // The phone sends the same answer again (a retry after a timeout): counted once.
    assert_eq!(answer(&app, &client, round, 1, true).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("practice_answers").await, 1);
    assert_eq!(quiz_points(&app, member).await, 1);

    let wrong = answer(&app, &client, round, 2, false).await;
    let graded = app.get(&client, &location(&wrong)).await.text().await.unwrap();
    assert!(graded.contains("回答错误") && graded.contains("正确答案"), "{graded}");

    // The connection drops; a new login reopens the same round at its first unanswered question.
    let again = app.logged_in(MEMBER).await;
    let hub = app.get(&again, "/practice").await.text().await.unwrap();
    assert!(hub.contains("继续今日答题") && hub.contains("已答 2 题"), "{hub}");
    assert_eq!(round_of(&app.post_form(&again, "/practice/daily", &[]).await), round, "one daily quiz a day");
    let page = app.get(&again, &format!("/practice/rounds/{round}")).await.text().await.unwrap();
    assert!(page.contains("第 3 / 5 题"), "{page}");

    for position in 3..=5 {
        answer(&app, &again, round, position, true).await;
    }
    assert_eq!(quiz_points(&app, member).await, 4, "four right answers, one point each");
    let result = app.get(&again, &format!("/practice/rounds/{round}")).await.text().await.unwrap();
    assert!(result.contains("答对 <strong>4</strong> / 5 题"), "{result}");
    // Starting again today opens the finished round: no new questions, no new points.
    assert_eq!(round_of(&app.post_form(&again, "/practice/daily", &[]).await), round);
    assert_eq!(app.count("practice_rounds").await, 1);

    // A topic practice earns nothing.
    let topic = round_of(&app.post_form(&again, "/practice/topic", &[("category", "党史")]).await);
    answer(&app, &again, topic, 1, true).await;
    assert_eq!(quiz_points(&app, member).await, 4, "practice has no points");

    // An empty answer is refused in Chinese and stores nothing.
    let empty =
        app.post_form(&again, &format!("/practice/rounds/{topic}/answer"), &[("position", "2")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("请先选择或填写答案"));
    assert_eq!(app.count("practice_answers").await, 6);
}

#[tokio::test]
async fn the_next_daily_quiz_draws_unseen_questions_first() {
    let app = spawn_app().await;
    seed_bank(&app, "党章", 4).await;
    seed_bank(&app, "防疫", 4).await;
    let (_, client) = member_client(&app).await;
    let first = round_of(&app.post_form(&client, "/practice/daily", &[]).await);
    for position in 1..=5 {
        answer(&app, &client, first, position, true).await;
    }
    let seen: Vec<i64> = items(&app, first).await.iter().map(|i| i.question_id).collect();
    // As if that was yesterday's.
    app.execute(&format!("UPDATE practice_rounds SET round_key = 'yesterday' WHERE id = {first}")).await;
    let second = round_of(&app.post_form(&client, "/practice/daily", &[]).await);
    assert_ne!(second, first);
    let drawn: Vec<i64> = items(&app, second).await.iter().map(|i| i.question_id).collect();
    assert_eq!(drawn.len(), 5);
    assert!(drawn[..3].iter().all(|q| !seen.contains(q)), "the three unseen first: {drawn:?} after {seen:?}");
}

#[tokio::test]
async fn the_mistakes_book_keeps_a_question_until_it_is_answered_right() {
    let app = spawn_app().await;
    seed_bank(&app, "农技", 3).await;
    let (_, client) = member_client(&app).await;
    let round = round_of(&app.post_form(&client, "/practice/topic", &[("category", "农技")]).await);
    answer(&app, &client, round, 1, false).await;
    answer(&app, &client, round, 2, false).await;
    answer(&app, &client, round, 3, true).await;
    let book = app.get(&client, "/practice/mistakes").await.text().await.unwrap();
    assert!(book.contains("答对一次，这道题就移出错题本"), "the rule is on the page");
    assert_eq!(app.count("practice_mistakes").await, 2);

    let redo = round_of(&app.post_form(&client, "/practice/mistakes", &[]).await);
    assert_eq!(items(&app, redo).await.len(), 2, "only the mistakes");
    answer(&app, &client, redo, 1, true).await;
    answer(&app, &client, redo, 2, false).await;
    assert_eq!(app.count("practice_mistakes").await, 1, "the one answered right left the book");

    // Another member's round is not found.
    let other = add_member(&app, app.branch_a.id, "别人", "13800000002").await;
    app.execute(&format!("UPDATE users SET member_id = {other} WHERE phone = '{MEMBER}'")).await;
    let stranger = app.logged_in(MEMBER).await;
    assert_eq!(app.get(&stranger, &format!("/practice/rounds/{redo}")).await.status(), StatusCode::NOT_FOUND);
    let path = format!("/practice/rounds/{redo}/answer");
    let r = app.post_form(&stranger, &path, &[("position", "2"), ("choice", "A")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_exam_is_timed_on_the_server_and_a_late_answer_is_not_counted() {
    let app = spawn_app().await;
    seed_bank(&app, "党章", 5).await;
    let station = app.logged_in(STATION_A).await;

    // A refused form keeps what was typed and names each problem.
    let bad = [
        ("title", "甲村党章测试"),
        ("category", "党章"),
        ("question_count", "9"),
        ("minutes", "0"),
        ("pass_mark", "60"),
    ];
    let r = app.post_form(&station, "/practice/exams", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("只有5题")
            && page.contains("时长应为1到300之间的整数")
            && page.contains("value=\"甲村党章测试\"")
    );
    assert_eq!(app.count("practice_exams").await, 0);

    let good = [
        ("title", "甲村党章测试"),
        ("category", "党章"),
        ("question_count", "3"),
        ("minutes", "10"),
        ("pass_mark", "60"),
    ];
    let r = app.post_form(&station, "/practice/exams", &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let exam: i64 = location(&r).trim_start_matches("/practice/exams/").parse().unwrap();
    assert_eq!(app.audit("exam").await.len(), 1, "setting an exam is audited");

    let (_, client) = member_client(&app).await;
    let hub = app.get(&client, "/practice").await.text().await.unwrap();
    assert!(hub.contains("甲村党章测试"), "the member of 甲村 sees it");
    let round = round_of(&app.post_form(&client, &format!("/practice/exams/{exam}/start"), &[]).await);
    let page = app.get(&client, &format!("/practice/rounds/{round}")).await.text().await.unwrap();
    assert!(page.contains("超时提交的答案不计入成绩"), "{page}");
    let r = answer(&app, &client, round, 1, true).await;
    assert_eq!(
        location(&r),
        format!("/practice/rounds/{round}"),
        "an exam goes on without showing the answer"
    );
    assert_eq!(
        round_of(&app.post_form(&client, &format!("/practice/exams/{exam}/start"), &[]).await),
        round,
        "one attempt"
    );

    // Time runs out (as if ten minutes passed): a late answer is refused and not stored.
    app.execute(&format!("UPDATE practice_rounds SET deadline = '2020-01-01T00:00:00Z' WHERE id = {round}"))
        .await;
    let late = answer(&app, &client, round, 2, true).await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert!(late.text().await.unwrap().contains("考试时间已到"));
    assert_eq!(app.count("practice_answers").await, 1);
    let result = app.get(&client, &format!("/practice/rounds/{round}")).await.text().await.unwrap();
    assert!(
        result.contains("得分 <strong id=\"score\">33</strong>") && result.contains("未通过"),
        "{result}"
    );

    let results = app.get(&station, &format!("/practice/exams/{exam}")).await.text().await.unwrap();
    assert!(results.contains("答题党员") && results.contains("未通过"), "{results}");
}

#[tokio::test]
async fn exams_are_set_and_read_by_staff_in_their_subtree_only() {
    let app = spawn_app().await;
    seed_bank(&app, "党章", 5).await;
    let station_a = app.logged_in(STATION_A).await;
    let fields = [
        ("title", "甲村测试"),
        ("category", "党章"),
        ("question_count", "2"),
        ("minutes", "5"),
        ("pass_mark", "50"),
    ];
    let r = app.post_form(&station_a, "/practice/exams", &fields).await;
    let exam = location(&r);

    let station_b = app.logged_in(STATION_B).await;
    assert_eq!(app.get(&station_b, &exam).await.status(), StatusCode::NOT_FOUND, "another village's exam");
    assert!(!app.get(&station_b, "/practice/exams").await.text().await.unwrap().contains("甲村测试"));
    let committee = app.logged_in(COMMITTEE).await;
    assert_eq!(app.get(&committee, &exam).await.status(), StatusCode::OK);

    let (_, member) = member_client(&app).await;
    assert_eq!(app.get(&member, "/practice/exams").await.status(), StatusCode::FORBIDDEN);
    let r = app.post_form(&member, "/practice/exams", &fields).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A member of 乙村 does not see or start 甲村's exam.
    let b_member = add_member(&app, app.branch_b.id, "乙村党员", "13800000009").await;
    app.execute(&format!("UPDATE users SET member_id = {b_member} WHERE phone = '{MEMBER}'")).await;
    let b = app.logged_in(MEMBER).await;
    assert!(!app.get(&b, "/practice").await.text().await.unwrap().contains("甲村测试"));
    let r = app.post_form(&b, &format!("{exam}/start"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A staff account without a member record is told it cannot answer.
    let r = app.get(&station_a, "/practice").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("没有关联党员信息"));
}

#[tokio::test]
async fn every_kind_is_graded_as_sent_by_the_form() {
    let app = spawn_app().await;
    let question = |kind, stem: &str, options: &[&str], answer: &str| Question {
        kind: Some(kind),
        stem: stem.into(),
        options: options.iter().map(|o| o.to_string()).collect(),
        answer: answer.into(),
        category: "综合".into(),
        ..Question::default()
    };
    let bank = [
        question(QuestionKind::Multiple, "三农指的是（ ）", &["农业", "农村", "农民", "城市"], "ABC"),
        question(QuestionKind::Blank, "党的根本宗旨是（ ）", &[], "全心全意为人民服务|为人民服务"),
        question(QuestionKind::Judge, "冬训在农闲时节开展（ ）", &[], "正确"),
    ];
    let mut tx = app.db.begin().await.unwrap();
    dongxun::quiz::store::insert_all(&mut tx, &bank, None).await.unwrap();
    tx.commit().await.unwrap();
    let (_, client) = member_client(&app).await;
    let round = round_of(&app.post_form(&client, "/practice/topic", &[("category", "综合")]).await);
    let path = format!("/practice/rounds/{round}/answer");
    for item in items(&app, round).await {
        let position = item.position.to_string();
        let mut fields = vec![("position", position)];
        match item.kind {
            // Ticked in another order than stored.
            QuestionKind::Multiple => fields.extend(["C", "A", "B"].map(|l| ("choice", l.to_owned()))),
            // The shorter of the accepted answers, with a full-width stop.
            QuestionKind::Blank => fields.push(("text", " 为人民服务。".to_owned())),
            _ => fields.push(("choice", "正确".to_owned())),
        }
        let r = app.post_owned_form(&client, &path, &fields).await;
        let graded = app.get(&client, &location(&r)).await.text().await.unwrap();
        assert!(graded.contains("回答正确"), "{:?}: {graded}", item.kind);
    }
    let graded: Vec<Option<bool>> = items(&app, round).await.iter().map(|i| i.correct).collect();
    assert_eq!(graded, [Some(true); 3]);
    assert_eq!(app.count("practice_mistakes").await, 0);
}
