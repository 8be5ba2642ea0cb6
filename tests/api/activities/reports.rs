//! The activities' reports and both CLI exports: approved hours only, per person and village,
//! and `export activities` agreeing with `export volunteer-hours`; `village_totals`' numbers.

use dongxun::formats::table::read_table;
use reqwest::StatusCode;

use super::{activity_form, create, hours_id, review};
use crate::cli::dongxun;
use crate::coverage::make_campaign;
use crate::helpers::*;

#[tokio::test]
async fn reports_and_both_exports_count_approved_hours_only_and_agree() {
    let app = spawn_app().await;
    make_campaign(&app, 4, 720).await;
    let a = app.logged_in(STATION_A).await;
    let b = app.logged_in(STATION_B).await;
    let first = create(&app, &a, &activity_form(app.branch_a.id, "春联义写")).await;
    let second = create(&app, &b, &activity_form(app.village_b.id, "走访慰问")).await;
    let add = |name: &'static str, phone: &'static str, unit: i64, hours: &'static str| {
        vec![
            ("name", name.to_owned()),
            ("phone", phone.to_owned()),
            ("unit_id", unit.to_string()),
            ("hours", hours.to_owned()),
        ]
    };
    let r = app
        .post_owned_form(
            &a,
            &format!("/activities/{first}/volunteers"),
            &add("张三", "13700000011", app.branch_a.id, "2"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.post_owned_form(
        &a,
        &format!("/activities/{first}/volunteers"),
        &add("李四", "13700000012", app.branch_a.id, "1.5"),
    )
    .await;
    app.post_owned_form(
        &b,
        &format!("/activities/{second}/volunteers"),
        &add("张三", "13700000011", app.branch_b.id, "3"),
    )
    .await;
    app.post_owned_form(
        &b,
        &format!("/activities/{second}/volunteers"),
        &add("王五", "13700000013", app.branch_b.id, "4"),
    )
    .await;
    // Another village's unit and a bad phone are refused, nothing stored.
    let r = app
        .post_owned_form(
            &a,
            &format!("/activities/{first}/volunteers"),
            &add("赵六", "123", app.branch_b.id, "1"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("手机号码") && html.contains("请选择您管辖范围内的单位") && html.contains("赵六"),
        "{html}"
    );
    assert_eq!(app.count("activity_volunteers").await, 4);
    // Approve 张三 ×2 and 李四; 王五 stays pending.
    for (client, activity, name) in [(&a, first, "张三"), (&a, first, "李四"), (&b, second, "张三")] {
        let id = hours_id(&app, activity, name).await;
        assert_eq!(
            review(&app, client, id, &[("decision", "approve")]).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    // 2 + 1.5 + 3 = 6.5 hours; 王五's 4 pending hours do not count.
    let c = app.logged_in(COMMITTEE).await;
    let html = app.get(&c, "/activities/reports").await.text().await.unwrap();
    assert!(
        html.contains("<strong id=\"total-hours\">6.5</strong>")
            && html.contains("<strong id=\"total-served\">30</strong>"),
        "{html}"
    );
    let html = app.get(&a, "/activities/reports?period=campaign").await.text().await.unwrap();
    assert!(
        html.contains("<strong id=\"total-hours\">3.5</strong>") && !html.contains("乙村"),
        "a station sees its own"
    );
    let xlsx = app.get(&c, "/activities/reports.xlsx").await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(read_table("r.xlsx", &xlsx.bytes().await.unwrap()).is_ok());

    let totals = dongxun::activities::village_totals(&app.db, dongxun::time::today(), dongxun::time::today())
        .await
        .unwrap();
    let of = |unit: i64| totals.iter().find(|t| t.unit_id == unit).cloned().unwrap();
    assert_eq!(
        (
            of(app.village_a.id).activities,
            of(app.village_a.id).volunteer_minutes,
            of(app.village_a.id).people_served
        ),
        (1, 210, 15)
    );
    assert_eq!((of(app.village_b.id).activities, of(app.village_b.id).volunteer_minutes), (1, 180));

    let dir = app._dir.path();
    let out = dongxun(&app).args(["export", "activities", "-o"]).arg(dir.join("a.xlsx")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out =
        dongxun(&app).args(["export", "volunteer-hours", "-o"]).arg(dir.join("v.xlsx")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sum = |file: &str, header: &str| {
        let table = read_table(file, &std::fs::read(dir.join(file)).unwrap()).unwrap();
        let text = format!("{table:?}");
        assert!(text.contains(header), "{text}");
        table
    };
    let activities = sum("a.xlsx", "志愿服务时长");
    let people = sum("v.xlsx", "活动次数");
    let column = |t: &dongxun::formats::table::Table, col: usize| -> f64 {
        t.rows.iter().skip(1).map(|r| r.cell(col).to_text().parse::<f64>().unwrap_or(0.0)).sum()
    };
    assert_eq!(column(&activities, 5), 6.5, "activities: 志愿服务时长");
    assert_eq!(column(&people, 3), 6.5, "volunteers: 时长");
    assert_eq!(column(&people, 2), 3.0, "张三 twice, 李四 once");
    assert_eq!(people.rows.len(), 3, "header, 张三, 李四");
}

#[tokio::test]
async fn the_demo_has_activities_at_every_station_with_hours_waiting_at_xietang() {
    let (_, db, dir) = spawn_empty_app().await;
    let vault = dongxun::people::IdCardVault::unlock(&db, &key_file(&dir)).await.unwrap();
    dongxun::demo::seed_if_empty(&db, &vault).await.unwrap();
    let one = |sql: &'static str| {
        let db = db.clone();
        async move {
            dongxun::on_db!(&db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap())
        }
    };
    assert_eq!(one("SELECT COUNT(DISTINCT unit_id) FROM activities").await, 14, "every station");
    assert_eq!(
        one("SELECT COUNT(DISTINCT a.kind_id) FROM activities a JOIN activity_kinds k ON k.id = a.kind_id WHERE k.builtin = TRUE").await,
        7,
        "every built-in kind"
    );
    let waiting = "SELECT COUNT(*) FROM activity_volunteers v JOIN activities a ON a.id = v.activity_id \
                   JOIN units u ON u.id = a.unit_id WHERE v.status = 'reported' AND u.name = '蟹塘社区'";
    assert!(one(waiting).await > 0);
    let twice = "SELECT COUNT(*) FROM (SELECT activity_id, member_id FROM activity_volunteers \
                 WHERE member_id IS NOT NULL GROUP BY activity_id, member_id HAVING COUNT(*) > 1) d";
    assert_eq!(one(twice).await, 0, "a member is on an activity once");
    assert!(
        one("SELECT COUNT(*) FROM activity_volunteers WHERE member_id IS NULL AND user_id IS NULL").await
            == 0
    );
    assert!(
        one("SELECT COUNT(*) FROM point_entries WHERE kind = 'volunteer' AND points > 0").await > 20,
        "members earned points"
    );
    assert!(one("SELECT COUNT(*) FROM activity_photos").await > 0);
}
