//! The audit log: recorded, browsable by the committee, append-only in the database itself, and
//! written in the same transaction as the change it records.

use dongxun::db::Db;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::people::add_member;
use crate::roster::roster_xlsx;
use crate::sessions::{add_lecturer, create_campaign};

#[tokio::test]
async fn the_committee_browses_the_log_and_nobody_can_rewrite_it() {
    let app = spawn_app().await;
    app.login_response(&app.client(), COMMITTEE, "wrong-pass1").await;
    let client = app.logged_in(COMMITTEE).await;
    let html = app.get(&client, "/audit").await.text().await.unwrap();
    assert!(html.contains("登录成功") && html.contains("手机号或密码不正确") && html.contains("127.0.0.1"));
    let html = app.get(&client, "/audit?action=export").await.text().await.unwrap();
    assert!(!html.contains("登录成功"));

    let update = "UPDATE audit_log SET detail = 'x'";
    let delete = "DELETE FROM audit_log";
    for sql in [update, delete] {
        let refused = match &app.db {
            Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.is_err(),
            Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.is_err(),
        };
        assert!(refused, "{sql} must be refused");
    }
    assert_eq!(app.count("audit_log").await, 2);
}

/// Makes the database itself refuse audit entries about these targets, as a full disk or a lost
/// connection could at the last statement of a change.
async fn refuse_audit_of(app: &TestApp, targets: &[&str]) {
    let list = targets.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
    if on_postgres() {
        app.execute(&format!(
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.target IN ({list}) THEN RAISE EXCEPTION 'audit refused by the test'; END IF; \
             RETURN NEW; END; $$"
        ))
        .await;
        app.execute(
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
        )
        .await;
    } else {
        app.execute(&format!(
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN NEW.target IN ({list}) \
             BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END"
        ))
        .await;
    }
}

/// Every audit entry's target, any action.
async fn audited_targets(app: &TestApp) -> Vec<String> {
    dongxun::audit::recent(&app.db, None, None, 1000).await.unwrap().into_iter().map(|e| e.target).collect()
}

#[tokio::test]
async fn a_change_whose_audit_entry_cannot_be_written_is_not_stored_either() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    let committee = app.logged_in(COMMITTEE).await;
    let station_a = app.logged_in(STATION_A).await;
    let station_b = app.logged_in(STATION_B).await;
    let refused = ["甲村拒审支部", "拒审冬训", STATION_B, "拒审场次", "拒审.xlsx"];
    refuse_audit_of(&app, &refused).await;
    let logged = audited_targets(&app).await.len();
    let failed = StatusCode::INTERNAL_SERVER_ERROR;

    let rename = format!("/org/units/{}/rename", app.branch_a.id);
    assert_eq!(app.post_form(&committee, &rename, &[("name", "甲村拒审支部")]).await.status(), failed);
    let unit =
        dongxun::org::store::unit_in_scope(&app.db, app.branch_a.id, &dongxun::org::Scope::whole_tree())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(unit.name, "甲村第一支部");

    // A campaign and its audience units: neither row.
    let (campaigns, audience) = (app.count("campaigns").await, app.count("campaign_units").await);
    let root = app.root.id.to_string();
    let fields = [
        ("name", "拒审冬训"),
        ("starts_on", "2026-11-01"),
        ("ends_on", "2027-03-31"),
        ("required_sessions", "4"),
        ("unit", root.as_str()),
    ];
    assert_eq!(app.post_form(&committee, "/campaigns", &fields).await.status(), failed);
    assert_eq!((app.count("campaigns").await, app.count("campaign_units").await), (campaigns, audience));

    // A role change, and with it the end of the account's logins.
    let account = dongxun::auth::store::by_phone(&app.db, STATION_B).await.unwrap().unwrap();
    let role = [("role", "lecturer"), ("unit_id", root.as_str())];
    let path = format!("/accounts/{}/role", account.id);
    assert_eq!(app.post_form(&committee, &path, &role).await.status(), failed);
    let account = dongxun::auth::store::by_phone(&app.db, STATION_B).await.unwrap().unwrap();
    assert_eq!(account.role, dongxun::auth::Role::StationAdmin);
    assert_eq!(app.get(&station_b, "/members").await.status(), StatusCode::OK, "still logged in");

    // Attendance entered from a paper sheet, and the progress it would have counted for.
    let campaign = dongxun::campaign::store::current(&app.db).await.unwrap().unwrap();
    let session = app.session(campaign.id, app.village_a.id).title("拒审场次").insert().await;
    let zhang = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let paper = format!("/sessions/{}/paper", session.id);
    assert_eq!(
        app.post_form(&station_a, &paper, &[("member_id", &zhang.to_string())]).await.status(),
        failed
    );
    assert_eq!((app.count("attendances").await, app.count("member_progress").await), (0, 0));

    // A roster file of forty members.
    let phones: Vec<String> = (0..40).map(|i| format!("1380000{:04}", 2000 + i)).collect();
    let file = roster_xlsx("甲村第一支部", &phones);
    assert_eq!(app.upload_roster(&station_a, "拒审.xlsx", file).await.status(), failed);
    assert_eq!(app.count("members").await, 1, "only 张三");

    // Not one entry was written since the refusal began.
    let targets = audited_targets(&app).await;
    assert_eq!(targets.len(), logged, "{targets:?}");
    // Entries about anything else are still written.
    assert_eq!(
        app.post_form(&committee, &rename, &[("name", "甲村一支部")]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert!(app.audit("unit_edit").await[0].starts_with("甲村一支部|"));
}

#[tokio::test]
async fn a_refused_change_leaves_no_entry_and_a_stored_one_exactly_one() {
    let app = spawn_app().await;
    create_campaign(&app).await;
    let lecturer = add_lecturer(&app, "周老师").await.to_string();
    let form = |title: &str, unit: i64, start: &str, end: &str| {
        [
            ("kind", "lecture".to_owned()),
            ("title", title.to_owned()),
            ("date", "2026-12-07".to_owned()),
            ("start", start.to_owned()),
            ("end", end.to_owned()),
            ("unit_id", unit.to_string()),
            ("lecturer_id", lecturer.clone()),
        ]
    };
    let a = app.logged_in(STATION_A).await;
    let r = app.post_owned_form(&a, "/sessions", &form("理论宣讲", app.village_a.id, "09:00", "10:30")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let b = app.logged_in(STATION_B).await;
    let r = app.post_owned_form(&b, "/sessions", &form("乙村宣讲", app.village_b.id, "10:00", "11:00")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    let entries = app.audit("session_edit").await;
    let about = |title: &str| entries.iter().filter(|e| e.starts_with(&format!("{title}|"))).count();
    assert_eq!(about("理论宣讲"), 1, "{entries:?}");
    assert_eq!(about("乙村宣讲"), 0, "{entries:?}");
    assert_eq!(app.count("training_sessions").await, 1);
}

#[tokio::test]
async fn the_log_names_the_members_it_mentions_by_id() {
    use dongxun::audit::{Action, Actor, record};
    let app = spawn_app().await;
    let zhang = add_member(&app, app.branch_a.id, "张三", "13800001111").await;
    let li = add_member(&app, app.branch_b.id, "李四", "13800002222").await;
    record(&app.db, &Actor::command_line(), Action::MemberEdit, &format!("党员#{zhang}"), "电话", true)
        .await
        .unwrap();
    let detail = format!("送学任务#1：党员#{li}");
    record(&app.db, &Actor::command_line(), Action::Unmask, "送学上门", &detail, true).await.unwrap();
    let committee = app.logged_in(COMMITTEE).await;
    let html = app.get(&committee, "/audit").await.text().await.unwrap();
    assert!(html.contains(&format!("党员张三（#{zhang}）")), "{html}");
    assert!(html.contains(&format!("送学任务#1：党员李四（#{li}）")), "{html}");
    assert!(!html.contains(&format!("党员#{zhang}")));
}
