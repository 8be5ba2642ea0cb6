//! Books with stock counts (issue 11 item 1): the door-to-door catalogue's 书籍 are library books;
//! a recorded visit that hands one over takes one copy in the same transaction (a retry takes
//! none); a book with none left cannot be sent or handed over (the form kept); the committee
//! restocks and adjusts with a reason, audited; each book lists its stock moves.

use chrono::Duration;
use dongxun::delivery::store::{self as deliveries, NewTask, NewVisit, VisitError};
use dongxun::people::model::{MemberCategories, MemberStatus};
use reqwest::StatusCode;

use super::visits::{counts, post_visit, visit_form};
use super::{setup, user_id};
use crate::coverage::{member, text};
use crate::helpers::*;

const BOOK: &str = "《习近平谈治国理政》第三卷";

/// (book id, stock) of a catalogue book.
async fn stock_of(app: &TestApp, name: &str) -> (i64, i64) {
    let m = deliveries::materials(&app.db).await.unwrap().into_iter().find(|m| m.name == name).unwrap();
    (m.book_id.expect("a book"), m.stock.expect("with a stock"))
}

async fn change(
    app: &TestApp,
    client: &reqwest::Client,
    book: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(client, &format!("/library/{book}/stock"), fields).await
}

#[tokio::test]
async fn a_visit_takes_one_copy_and_a_retry_takes_none() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    let (book, before) = stock_of(&app, BOOK).await;
    assert_eq!(before, 30, "the seeded catalogue's books come with copies");
    let volunteer = app.logged_in(VOLUNTEER).await;
    let r = post_visit(&app, &volunteer, s.task, visit_form(None, &[])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stock_of(&app, BOOK).await.1, 29, "one copy handed over");
    // The phone sends it again (a lost answer): nothing recorded, nothing drawn.
    let r = post_visit(&app, &volunteer, s.task, visit_form(None, &[])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stock_of(&app, BOOK).await.1, 29, "a retry draws nothing");
    assert_eq!(app.count("library_book_moves").await, 3, "each seeded book's 首次入库, and one 送出");
    // A leaflet is no book: handing it over draws nothing anywhere.
    let leaflets = deliveries::materials(&app.db).await.unwrap();
    assert!(leaflets.iter().filter(|m| m.name != BOOK && m.kind.code() != "book").all(|m| m.stock.is_none()));

    // The library shows the stock; staff see where the copy went, the member by name in scope.
    let committee = app.logged_in(COMMITTEE).await;
    let index = text(&app, &committee, "/library").await;
    assert!(index.contains("库存 29 册"), "{index}");
    let page = text(&app, &committee, &format!("/library/{book}")).await;
    assert!(page.contains("库存 29 册") && page.contains("已送出"), "{page}");
    assert!(page.contains("送出 -1 册") && page.contains("送给王老伯"), "{page}");
    assert!(page.contains(&format!("/deliveries/{}", s.task)) && page.contains("入库 +30 册"), "{page}");
    // Another village's admin sees the stock and the village, not the member.
    let other = text(&app, &app.logged_in(STATION_B).await, &format!("/library/{book}")).await;
    assert!(other.contains("库存 29 册") && other.contains("送出 -1 册"), "{other}");
    assert!(!other.contains("王老伯") && !other.contains("入库或调整"), "{other}");
    // A member sees the book and its stock, not the moves.
    let mine = text(&app, &app.logged_in(MEMBER).await, &format!("/library/{book}")).await;
    assert!(mine.contains("库存 29 册") && !mine.contains("库存变动"));
}

#[tokio::test]
async fn a_book_with_none_left_is_refused_for_visits_and_tasks_with_the_form_kept() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    let (book, _) = stock_of(&app, BOOK).await;
    let committee = app.logged_in(COMMITTEE).await;
    let r = change(
        &app,
        &committee,
        book,
        &[("kind", "adjust"), ("count", "-30"), ("reason", "盘点：已全部发完")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stock_of(&app, BOOK).await.1, 0);

    let volunteer = app.logged_in(VOLUNTEER).await;
    let before = counts(&app).await;
    let r =
        post_visit(&app, &volunteer, s.task, visit_form(None, &[("content", "讲了乡村振兴的新政策")])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("“{BOOK}”库存为0，不能登记送出")), "{html}");
    assert!(html.contains("讲了乡村振兴的新政策"), "the form keeps what was typed");
    assert_eq!(counts(&app).await, before, "nothing stored");
    // Unticked, the visit goes through and draws nothing.
    let r = post_visit(&app, &volunteer, s.task, visit_form(None, &[("book", "")])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stock_of(&app, BOOK).await.1, 0);

    // A new task cannot carry it either; the ticked member stays ticked.
    let zhou = member(
        &app,
        app.branch_a.id,
        "周大爷",
        "13800000031",
        MemberCategories::ELDERLY,
        MemberStatus::Active,
    )
    .await;
    let material =
        deliveries::materials(&app.db).await.unwrap().into_iter().find(|m| m.name == BOOK).unwrap().id;
    let (zhou, material) = (zhou.to_string(), material.to_string());
    let volunteer_id = user_id(&app, VOLUNTEER).await.to_string();
    let due = (dongxun::time::today() + Duration::days(7)).to_string();
    let fields =
        [("member_id", &zhou), ("assignee", &volunteer_id), ("due_on", &due), ("material", &material)];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let tasks = app.count("deliveries").await;
    let r = app.post_form(&committee, "/coverage/deliveries", &fields).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("学习材料：“{BOOK}”库存为0，不能选择")), "{html}");
    assert!(html.contains(&format!("value=\"{zhou}\" checked")), "the member stays ticked");
    assert_eq!(app.count("deliveries").await, tasks);
    let catalogue = text(&app, &committee, "/deliveries/materials").await;
    assert!(catalogue.contains("库存 0 册") && catalogue.contains("暂不能派送"), "{catalogue}");
}

#[tokio::test]
async fn restocking_is_audited_with_a_reason_and_never_below_zero() {
    let app = spawn_app().await;
    dongxun::delivery::seed_materials(&app.db).await.unwrap();
    let (book, _) = stock_of(&app, BOOK).await;
    let committee = app.logged_in(COMMITTEE).await;
    let r = change(&app, &committee, book, &[("kind", "in"), ("count", "5"), ("reason", "采购入库")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stock_of(&app, BOOK).await.1, 35);
    let audit = app.audit("library").await;
    assert!(audit[0].contains("入库+5册（采购入库），库存35册"), "{audit:?}");

    // Bad input: the problem beside its field, what was typed kept, nothing changed.
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("kind", "adjust"), ("count", "-36"), ("reason", "破损报废")], "库存不能少于0（现有35册"),
        (&[("kind", "in"), ("count", "-2"), ("reason", "破损报废")], "入库册数应为正数"),
        (&[("kind", "adjust"), ("count", "两本"), ("reason", "盘点")], "请填写册数"),
        (&[("kind", "in"), ("count", "3"), ("reason", " ")], "请填写原因"),
    ];
    for (fields, message) in cases {
        let r = change(&app, &committee, book, fields).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{message}");
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{message}: {html}");
        assert!(html.contains(&format!("value=\"{}\"", fields[1].1)), "the count is kept");
    }
    assert_eq!(stock_of(&app, BOOK).await.1, 35);
    assert_eq!(app.audit("library").await.len(), 1);
    // Written off, with its reason, listed.
    let r =
        change(&app, &committee, book, &[("kind", "adjust"), ("count", "-2"), ("reason", "破损报废")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = text(&app, &committee, &format!("/library/{book}")).await;
    assert!(
        page.contains("库存 33 册") && page.contains("调整 -2 册") && page.contains("破损报废"),
        "{page}"
    );

    // Station admins see stock; only the committee changes it. The database refuses below zero.
    let station = app.logged_in(STATION_A).await;
    let r = change(&app, &station, book, &[("kind", "in"), ("count", "5"), ("reason", "村里捐赠")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(stock_of(&app, BOOK).await.1, 33);
    let refused = match &app.db {
        dongxun::db::Db::Sqlite(pool) => {
            sqlx::query("UPDATE library_items SET stock = -1").execute(pool).await.is_err()
        }
        dongxun::db::Db::Postgres(pool) => {
            sqlx::query("UPDATE library_items SET stock = -1").execute(pool).await.is_err()
        }
    };
    assert!(refused, "CHECK (stock >= 0)");
}

#[tokio::test]
async fn the_committee_adds_a_book_to_the_catalogue_with_its_copies() {
    let app = spawn_app().await;
    let committee = app.logged_in(COMMITTEE).await;
    let fields = [
        ("name", "《论党的自我革命》"),
        ("kind", "book"),
        ("author", "习近平"),
        ("publisher", "中央文献出版社"),
        ("stock", "12"),
    ];
    let r = app.post_form(&committee, "/deliveries/materials", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (book, stock) = stock_of(&app, "《论党的自我革命》").await;
    assert_eq!(stock, 12);
    let page = text(&app, &committee, &format!("/library/{book}")).await;
    assert!(
        page.contains("中央文献出版社") && page.contains("入库 +12 册") && page.contains("首次入库"),
        "{page}"
    );
    assert!(app.audit("delivery").await[0].contains("书籍，入库12册"));
    let catalogue = text(&app, &committee, "/deliveries/materials").await;
    assert!(catalogue.contains(&format!("href=\"/library/{book}\">库存 12 册")), "{catalogue}");
    // A bad count keeps the form.
    let bad = [("name", "《另一本书》"), ("kind", "book"), ("author", "某某"), ("stock", "十本")];
    let r = app.post_form(&committee, "/deliveries/materials", &bad).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("入库册数应为0到") && html.contains("value=\"十本\"") && html.contains("《另一本书》")
    );
    assert_eq!(app.count("library_items").await, 1);
}

/// Two visits handing over the last copy at once: one takes it, the other is refused and
/// records nothing. On PostgreSQL the second UPDATE waits on the row and finds none left.
#[tokio::test]
async fn two_visits_race_for_the_last_copy() {
    let app = spawn_app().await;
    let s = setup(&app, 7).await;
    let (book, _) = stock_of(&app, BOOK).await;
    let committee = app.logged_in(COMMITTEE).await;
    change(&app, &committee, book, &[("kind", "adjust"), ("count", "-29"), ("reason", "盘点")]).await;
    assert_eq!(stock_of(&app, BOOK).await.1, 1);
    let other =
        member(&app, app.branch_a.id, "李奶奶", "13800000032", MemberCategories::SICK, MemberStatus::Active)
            .await;
    let volunteer = user_id(&app, VOLUNTEER).await;
    let mut tx = app.db.begin().await.unwrap();
    let task = NewTask { member_id: other, reason: "病重".into() };
    let due = dongxun::time::today() + Duration::days(3);
    let second = deliveries::create_tasks(
        &mut tx,
        s.campaign.id,
        &[task],
        volunteer,
        due,
        &format!("[\"{BOOK}\"]"),
        volunteer,
    )
    .await
    .unwrap()
    .created[0];
    tx.commit().await.unwrap();
    let visit = |delivery_id: i64, member_id: i64| NewVisit {
        delivery_id,
        campaign_id: s.campaign.id,
        member_id,
        topic_ids: vec![],
        visited_on: dongxun::time::today(),
        minutes: 60,
        content: "学习".into(),
        books: format!("[\"{BOOK}\"]"),
        member_words: String::new(),
        confirmed_by_kind: dongxun::delivery::Confirmer::Member,
        confirmed_by_name: "本人".into(),
        photo: None,
        recorded_by: volunteer,
    };
    let run = |v: NewVisit| {
        let db = app.db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            match deliveries::record_visit(&mut tx, &v).await {
                Ok(_) => tx.commit().await.map(|_| true).map_err(|e| e.to_string()),
                Err(VisitError::OutOfStock(_)) => Ok(false),
                Err(e) => Err(e.to_string()),
            }
        })
    };
    let (a, b) = (run(visit(s.task, s.member)), run(visit(second, other)));
    let (a, b) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
    assert!(a ^ b, "exactly one visit took the last copy ({a}, {b})");
    assert_eq!(stock_of(&app, BOOK).await.1, 0);
    assert_eq!(app.count("delivery_visits").await, 1, "the refused visit left nothing");
}
