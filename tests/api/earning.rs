//! Points earned where they happen: every earning path awards in its own transaction, exactly
//! once however often it is repeated — code check-in, field lectures, roll call (an undone tick
//! takes its points back), paper, bulk entry, a door-to-door visit, online study at 90 % (自报 when
//! declared by name and phone), feedback — and a check-in whose points cannot be written stores
//! nothing and says so.

use chrono::Utc;
use dongxun::checkin::code::{qr_token, six_digit_code, window_at};
use dongxun::checkin::store::{self as attendance, Attendance};
use dongxun::points::PointKind;
use dongxun::points::store;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::sessions::create_campaign;

/// The member's ledger, oldest first, as (kind, points, self-declared, key).
async fn ledger(app: &TestApp, member: i64) -> Vec<(PointKind, i64, bool, String)> {
    let mut entries = store::history(&app.db, member, 100).await.unwrap();
    entries.reverse();
    entries.into_iter().map(|e| (e.kind, e.points, e.self_declared, e.idempotency_key)).collect()
}

/// The 我的 page of the seeded member account, made `member`'s.
async fn mine_html(app: &TestApp, member: i64) -> String {
    app.execute(&format!("UPDATE users SET member_id = {member} WHERE phone = '{MEMBER}'")).await;
    let client = app.logged_in(MEMBER).await;
    app.get(&client, "/me").await.text().await.unwrap()
}

async fn total(app: &TestApp, member: i64) -> i64 {
    store::total(&app.db, member).await.unwrap()
}

#[tokio::test]
async fn a_code_check_in_earns_once_and_a_field_lecture_earns_field_lecture_points() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let lecture = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let field = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::FieldLecture)
        .title("田间课堂")
        .starts_in_minutes(-200)
        .insert()
        .await;
    let zhang = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let client = app.client();
    let code = six_digit_code(&lecture.secret, window_at(Utc::now().timestamp()));
    for _ in 0..3 {
        let form = [("code", code.as_str()), ("name", "张三"), ("phone", "13800001111")];
        let r = app.post_form(&client, "/checkin", &form).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let key = format!("attendance:{}:{zhang}", lecture.id);
    assert_eq!(ledger(&app, zhang).await, vec![(PointKind::Attendance, 5, false, key)]);
    // The field lecture's sheet, entered twice by its secretary.
    let staff = app.logged_in(STATION_A).await;
    for _ in 0..2 {
        let form = [("member_id", zhang.to_string())];
        let r = app.post_owned_form(&staff, &format!("/sessions/{}/paper", field.id), &form).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let entries = ledger(&app, zhang).await;
    assert_eq!(entries.len(), 2);
    assert_eq!((entries[1].0, entries[1].1), (PointKind::FieldLecture, 5));
    assert_eq!(total(&app, zhang).await, 10);
}

#[tokio::test]
async fn an_undone_roll_call_tick_takes_its_points_back_and_a_new_tick_earns_them_once() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let li = add_member(&app, app.branch_a.id, "李四", "13800002222").await;
    let staff = app.logged_in(STATION_A).await;
    let (tick, undo) =
        (format!("/sessions/{}/roll-call", session.id), format!("/sessions/{}/roll-call/undo", session.id));
    let member = [("member_id", li.to_string())];
    for _ in 0..2 {
        assert_eq!(app.post_owned_form(&staff, &tick, &member).await.status(), StatusCode::OK);
    }
    assert_eq!(total(&app, li).await, 5, "a double tap earns once");
    assert_eq!(app.post_owned_form(&staff, &undo, &member).await.status(), StatusCode::OK);
    assert_eq!(total(&app, li).await, 0, "the wrong tick's points went with it");
    let entries = store::history(&app.db, li, 10).await.unwrap();
    assert_eq!(entries.len(), 2, "the ledger keeps the award and its compensating entry");
    assert_eq!((entries[0].points, entries[0].corrects_entry_id), (-5, Some(entries[1].id)));
    assert_eq!(entries[0].reason, "撤销点名");
    assert!(app.audit("points").await.iter().any(|e| e.contains("-5") && e.contains("撤销点名")));
    // A second undo finds nothing to undo and takes nothing more.
    assert_eq!(app.post_owned_form(&staff, &undo, &member).await.status(), StatusCode::BAD_REQUEST);
    // Ticked again (they did come after all): earned again, once however often it is sent.
    for _ in 0..3 {
        assert_eq!(app.post_owned_form(&staff, &tick, &member).await.status(), StatusCode::OK);
    }
    assert_eq!(total(&app, li).await, 5);
    let keys: Vec<String> = ledger(&app, li).await.into_iter().map(|e| e.3).collect();
    assert_eq!(keys.last().unwrap(), &format!("attendance:{}:{li}:2", session.id));
    // The member's 我的 page shows the take-back as a correction.
    let html = mine_html(&app, li).await;
    assert!(html.contains("更正：撤销点名") && html.contains("累计 <strong>5</strong> 分"), "{html}");
}

#[tokio::test]
async fn bulk_entry_awards_each_new_attendance_once_and_a_rerun_adds_nothing() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let lecture = app.session(campaign, app.village_a.id).starts_in_minutes(-300).insert().await;
    let field = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::FieldLecture)
        .starts_in_minutes(-100)
        .insert()
        .await;
    let mut members = Vec::new();
    for i in 0..3 {
        members.push(add_member(&app, app.branch_a.id, &format!("党员{i}"), &format!("1380000100{i}")).await);
    }
    // One of them scanned already: bulk entry leaves that attendance and its points alone.
    app.attend(lecture.id, members[0], Channel::Qr, 90).await;
    let entries: Vec<Attendance> = [lecture.id, field.id]
        .iter()
        .flat_map(|&session_id| {
            members.iter().map(move |&member_id| Attendance {
                session_id,
                member_id,
                channel: Channel::RollCall,
                minutes: 90,
                late: false,
                recorded_by: None,
            })
        })
        .collect();
    for run in 0..2 {
        let mut tx = app.db.begin().await.unwrap();
        let added = attendance::record_many(&mut tx, &entries).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(added, if run == 0 { 5 } else { 0 });
    }
    assert_eq!(app.count("point_entries").await, 6);
    for &m in &members {
        let kinds: Vec<(PointKind, i64)> = ledger(&app, m).await.into_iter().map(|e| (e.0, e.1)).collect();
        assert!(kinds.contains(&(PointKind::Attendance, 5)) && kinds.contains(&(PointKind::FieldLecture, 5)));
        assert_eq!(total(&app, m).await, 10);
    }
}

#[tokio::test]
async fn a_visit_earns_its_points_once() {
    use dongxun::delivery::store::{self as deliveries, NewTask, NewVisit, VisitError};
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let wang = add_member(&app, app.branch_a.id, "王老伯", "13800000021").await;
    let volunteer = dongxun::auth::store::by_phone(&app.db, VOLUNTEER).await.unwrap().unwrap().id;
    let mut tx = app.db.begin().await.unwrap();
    let task = NewTask { member_id: wang, reason: "老党员".into() };
    let today = dongxun::time::today();
    let created = deliveries::create_tasks(&mut tx, campaign, &[task], volunteer, today, "[]", volunteer)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let visit = NewVisit {
        delivery_id: created.created[0],
        campaign_id: campaign,
        member_id: wang,
        topic_ids: Vec::new(),
        visited_on: today - chrono::Duration::days(1),
        minutes: 60,
        content: "一对一宣讲".into(),
        books: "[]".into(),
        member_words: String::new(),
        confirmed_by_kind: dongxun::delivery::Confirmer::Member,
        confirmed_by_name: "王老伯".into(),
        photo: None,
        recorded_by: volunteer,
    };
    for attempt in 0..2 {
        let mut tx = app.db.begin().await.unwrap();
        let recorded = deliveries::record_visit(&mut tx, &visit).await;
        tx.commit().await.unwrap();
        assert_eq!(attempt == 1, matches!(recorded, Err(VisitError::AlreadyRecorded)));
    }
    let entries = store::history(&app.db, wang, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].kind, entries[0].points), (PointKind::Visit, 5));
    assert_eq!(entries[0].earned_on, visit.visited_on, "counted on the day of the visit");
}

#[tokio::test]
async fn feedback_earns_one_point_once_per_session() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-100).insert().await;
    let member = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    app.attend(session.id, member, Channel::Qr, 90).await;
    let ticket = dongxun::feedback::ticket(&session.secret, member);
    let client = app.client();
    let form = [("k", ticket.as_str()), ("rating", "5")];
    let statuses = [StatusCode::OK, StatusCode::CONFLICT, StatusCode::CONFLICT];
    for status in statuses {
        assert_eq!(
            app.post_form(&client, &format!("/feedback/{}", session.id), &form).await.status(),
            status
        );
    }
    let kinds: Vec<(PointKind, i64)> = ledger(&app, member).await.into_iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(kinds, vec![(PointKind::Attendance, 5), (PointKind::Feedback, 1)]);
}

#[tokio::test]
async fn online_study_at_ninety_percent_earns_once_and_declared_study_is_marked_self_declared() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app
        .session(campaign, app.village_a.id)
        .kind(SessionKind::Recording)
        .online_url("https://video.example.cn/dangke-1.mp4")
        .starts_in_minutes(-60)
        .insert()
        .await;
    let member = add_member(&app, app.branch_a.id, "党员甲", MEMBER).await;
    let client = app.client();
    let page = format!("/sessions/{}/online", session.id);
    let r = app.post_form(&client, &page, &[("name", "党员甲"), ("phone", MEMBER)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ticket = dongxun::feedback::ticket(&session.secret, member);
    app.get(&client, &format!("{page}?k={ticket}")).await;
    let progress = format!("/sessions/{}/online/progress", session.id);
    for _ in 0..3 {
        crate::classroom::backdate_view(&app, session.id, 30).await;
        let form = [("k", ticket.as_str()), ("played", "0-1000"), ("duration", "1000.4")];
        let r = app.post_form(&client, &progress, &form).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    let key = format!("attendance:{}:{member}", session.id);
    assert_eq!(ledger(&app, member).await, vec![(PointKind::OnlineStudy, 5, true, key)], "自报, once");
    // The member, logged in later, sees those points marked 自报 on 我的.
    let html = mine_html(&app, member).await;
    assert!(
        html.contains("线上学习 <strong>+5</strong> <span class=\"self-declared\">自报</span>"),
        "{html}"
    );
}

#[tokio::test]
async fn a_check_in_whose_points_cannot_be_written_stores_nothing_and_says_so() {
    let app = spawn_app().await;
    let campaign = create_campaign(&app).await;
    let session = app.session(campaign, app.village_a.id).starts_in_minutes(-5).insert().await;
    let zhang = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let li = add_member(&app, app.branch_a.id, "李四", "13800002222").await;
    // A failure injected for 张三's points only.
    if on_postgres() {
        app.execute(&format!(
            "CREATE FUNCTION refuse_points() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.member_id = {zhang} THEN RAISE EXCEPTION 'injected'; END IF; RETURN NEW; END; $$"
        ))
        .await;
        app.execute("CREATE TRIGGER refuse_points BEFORE INSERT ON point_entries FOR EACH ROW EXECUTE FUNCTION refuse_points()").await;
    } else {
        app.execute(&format!(
            "CREATE TRIGGER refuse_points BEFORE INSERT ON point_entries WHEN NEW.member_id = {zhang} \
             BEGIN SELECT RAISE(ABORT, 'injected'); END"
        ))
        .await;
    }
    let token = qr_token(&session.secret, window_at(Utc::now().timestamp()));
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let scan = |name: &'static str, phone: &'static str| {
        let form =
            [("t", token.clone()), ("name", name.into()), ("phone", phone.into()), ("csrf", csrf.clone())];
        let (client, url) = (client.clone(), app.url(&format!("/checkin/{}", session.id)));
        async move {
            let r = client.post(url).form(&form).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, html) = scan("张三", "13800001111").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(html.contains("服务器内部错误") && html.contains("重试") && !html.contains("签到成功"), "{html}");
    assert_eq!(attendance::channel_of(&app.db, session.id, zhang).await.unwrap(), None, "no attendance");
    assert_eq!(app.count("point_entries").await, 0);
    // Everyone else checks in as usual.
    let (status, html) = scan("李四", "13800002222").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("签到成功"));
    assert_eq!(total(&app, li).await, 5);
    assert_eq!(app.count("attendances").await, 1);
}
