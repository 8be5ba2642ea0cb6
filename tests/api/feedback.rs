//! Feedback after a session and the adjustments it leads to.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

#[tokio::test]
async fn an_attendee_gives_feedback_once_and_organisers_adjust_the_programme() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let TestSession { id: session, secret } = app
        .session(campaign, app.village_a.id)
        .starts_in_minutes(-5)
        .title("草莓种植实境宣讲")
        .insert()
        .await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let outsider = add_member(&app, app.branch_a.id, "李四", "13800002222").await;
    let client = app.client();

    // Someone who did not attend cannot leave feedback, even with a genuine ticket.
    let ticket = dongxun::feedback::ticket(&secret, outsider);
    let r = app.get(&client, &format!("/feedback/{session}?k={ticket}")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("签到后才能评价"));

    app.attend(session, member, Channel::RollCall, 90).await;
    let ticket = dongxun::feedback::ticket(&secret, member);
    let r = app.get(&client, &format!("/feedback/{session}?k={ticket}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let form = [
        ("k", ticket.as_str()),
        ("rating", "5"),
        ("helped", "学到了病虫害防治"),
        ("tag", "farming"),
        ("tag", "ecommerce"),
        ("wants_text", "想学电商直播卖草莓"),
    ];
    let r = app.post_form(&client, &format!("/feedback/{session}"), &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let again = app.post_form(&client, &format!("/feedback/{session}"), &form).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "feedback is given once");
    assert_eq!(app.count("feedback").await, 1);
    let forged = [("k", "1.deadbeef"), ("rating", "1")];
    assert_eq!(
        app.post_form(&client, &format!("/feedback/{session}"), &forged).await.status(),
        StatusCode::BAD_REQUEST
    );
    let bad_rating = [("k", ticket.as_str()), ("rating", "9")];
    assert_eq!(
        app.post_form(&client, &format!("/feedback/{session}"), &bad_rating).await.status(),
        StatusCode::BAD_REQUEST
    );

    let a = app.logged_in(STATION_A).await;
    let html = app.get(&a, "/feedback").await.text().await.unwrap();
    assert!(
        html.contains("农业技术 1") && html.contains("电商直播 1") && html.contains("想学电商直播卖草莓")
    );
    let feedback_id = {
        let rows = dongxun::feedback::store::in_scope(&app.db, campaign, &dongxun::org::Scope::whole_tree())
            .await
            .unwrap();
        rows[0].id.to_string()
    };
    let r = app
        .post_form(
            &a,
            "/adjustments",
            &[("description", "增加一场电商直播培训"), ("feedback_id", &feedback_id)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.get(&a, "/feedback").await.text().await.unwrap();
    assert!(html.contains("增加一场电商直播培训") && html.contains("甲村第一支部：农业技术、电商直播"));

    // Village B cannot see A's feedback nor link it to an adjustment.
    let b = app.logged_in(STATION_B).await;
    let html = app.get(&b, "/feedback").await.text().await.unwrap();
    assert!(!html.contains("想学电商直播卖草莓"));
    assert!(!html.contains("增加一场电商直播培训"), "B does not see A's adjustments");
    let committee = app.logged_in(COMMITTEE).await;
    assert!(app.get(&committee, "/feedback").await.text().await.unwrap().contains("增加一场电商直播培训"));
    let r = app
        .post_form(&b, "/adjustments", &[("description", "越权调整记录"), ("feedback_id", &feedback_id)])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("adjustments").await, 1);
}

#[tokio::test]
async fn organisers_filter_feedback_by_session_station_and_date_a_page_at_a_time() {
    use dongxun::feedback::store::{NewFeedback, submit};
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let first = app.session(campaign, app.root.id).title("第一课").starts_in_minutes(-300).insert().await.id;
    let second = app.session(campaign, app.root.id).title("第二课").starts_in_minutes(-200).insert().await.id;
    // 30 members of 甲村 gave feedback on the first lecture, 5 of 乙村 on the second.
    for i in 0..35 {
        let (unit, session) = if i < 30 { (app.branch_a.id, first) } else { (app.branch_b.id, second) };
        let member = add_member(&app, unit, &format!("党员{i:02}"), &format!("1380000{i:04}")).await;
        let f = NewFeedback {
            session_id: session,
            member_id: member,
            rating: 4,
            helped: String::new(),
            wants_tags: "farming".into(),
            wants_text: format!("想法{i:02}号"),
        };
        let mut tx = app.db.begin().await.unwrap();
        assert!(submit(&mut tx, &f).await.unwrap());
        tx.commit().await.unwrap();
    }
    let committee = app.logged_in(COMMITTEE).await;
    let html = app.get(&committee, "/feedback").await.text().await.unwrap();
    assert!(html.contains("共 <strong>35</strong> 份反馈"), "{html}");
    assert_eq!(html.matches("name=\"feedback_id\"").count(), 20, "a page of 20, not everything");
    assert!(html.contains("第 1 / 2 页") && html.contains("href=\"/feedback?page=2\""));
    let html = app.get(&committee, "/feedback?page=2").await.text().await.unwrap();
    assert_eq!(html.matches("name=\"feedback_id\"").count(), 15);

    let html = app.get(&committee, &format!("/feedback?session={second}")).await.text().await.unwrap();
    assert!(html.contains("符合条件的 <strong>5</strong> 份反馈") && !html.contains("想法00号"), "{html}");
    assert!(html.contains("农业技术 5"), "the needs follow the filter");
    let b = app.village_b.id;
    let html = app.get(&committee, &format!("/feedback?unit={b}")).await.text().await.unwrap();
    assert!(html.contains("符合条件的 <strong>5</strong> 份反馈"));
    let today = dongxun::time::today();
    let html =
        app.get(&committee, &format!("/feedback?from={today}&to={today}&page=2")).await.text().await.unwrap();
    let kept = format!("from={today}&#38;to={today}&#38;page=1");
    assert!(html.contains(&kept), "paging keeps the filter: {html}");
    let yesterday = today - chrono::Duration::days(1);
    let html = app.get(&committee, &format!("/feedback?to={yesterday}")).await.text().await.unwrap();
    assert!(html.contains("符合条件的 <strong>0</strong> 份反馈"));
    let r = app.get(&committee, "/feedback?from=2026-13-40").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("起始日期"));
}
