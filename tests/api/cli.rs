//! The admin CLI against the same database as the server.

use std::process::Command;

use crate::helpers::*;
use crate::roster::roster_xlsx;

#[path = "../support/bombs.rs"]
mod bombs;

pub fn dongxun(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dongxun"));
    // The data dir holds the SQLite file and, on both backends, the ID-card key file.
    command.arg("--data-dir").arg(app._dir.path());
    match &app.db {
        dongxun::db::Db::Sqlite(_) => {}
        dongxun::db::Db::Postgres(pool) => {
            let options = pool.connect_options();
            let url = format!(
                "postgres://postgres@{}:{}/{}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or("postgres")
            );
            command.arg("--database-url").arg(url);
        }
    }
    command
}

#[tokio::test]
async fn import_members_rejects_with_a_report_then_imports_and_export_writes_xlsx() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let mut list: Vec<String> = (0..5).map(|i| format!("1390000{:04}", 5000 + i)).collect();
    list[2] = "2".into();
    let bad = dir.path().join("bad.xlsx");
    std::fs::write(&bad, roster_xlsx("甲村第一支部", &list)).unwrap();
    let out = dongxun(&app).args(["import", "members"]).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("第5行") && stderr.contains("未导入任何数据"), "{stderr}");
    assert_eq!(app.count("members").await, 0);

    list[2] = "13900005002".into();
    let good = dir.path().join("good.xlsx");
    std::fs::write(&good, roster_xlsx("甲村第一支部", &list)).unwrap();
    let out = dongxun(&app).args(["import", "members"]).arg(&good).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("新增5人"));

    let export = dir.path().join("out.xlsx");
    let out = dongxun(&app).args(["export", "members", "-o"]).arg(&export).output().unwrap();
    assert!(out.status.success());
    assert!(std::fs::read(&export).unwrap().starts_with(b"PK"));
    assert!(app.audit("export").await[0].contains("5人"));
}

#[tokio::test]
async fn user_create_prints_a_one_time_password_that_works_once() {
    let app = spawn_app().await;
    let out = dongxun(&app)
        .args(["user", "create", "--role", "admin", "--phone", "13512345678", "--name", "新管理员"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password = stdout.lines().find_map(|l| l.strip_prefix("初始密码：")).unwrap().trim().to_owned();
    let client = app.client();
    let r = app.login_response(&client, "13512345678", &password).await;
    assert_eq!(location(&r), "/password");
    let again =
        dongxun(&app).args(["user", "create", "--role", "admin", "--phone", "13512345678"]).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("已有账号"));
}

#[tokio::test]
async fn backup_copies_a_live_sqlite_database_and_points_postgres_to_pg_dump() {
    let app = spawn_app().await;
    let target = app._dir.path().join("backup.db");
    let out = dongxun(&app).arg("backup").arg("-o").arg(&target).output().unwrap();
    if on_postgres() {
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        return;
    }
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let copy = dongxun::db::Db::connect(&dongxun::db::Location::SqliteFile(target.clone())).await.unwrap();
    let dongxun::db::Db::Sqlite(pool) = &copy else { unreachable!() };
    let units: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units").fetch_one(pool).await.unwrap();
    assert_eq!(units, 5);
    let again = dongxun(&app).arg("backup").arg("-o").arg(&target).output().unwrap();
    assert!(!again.status.success(), "never overwrites");
}

#[tokio::test]
async fn import_members_refuses_a_spreadsheet_bomb_in_chinese_within_300_mb() {
    // A 6 MB .xlsx whose one shared string expands to a gigabyte once took the command to 3 GB.
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bomb.xlsx");
    let bomb = bombs::shared_string_bomb(bombs::GIB, bombs::GIB as u32);
    std::fs::write(&file, bombs::workbook_with(bombs::one_cell, bomb)).unwrap();
    // The whole command as a clerk runs it; time(1) reports its peak resident memory.
    let command = dongxun(&app);
    let out = Command::new("/usr/bin/time")
        .args(["-f", "max_rss_kb=%M"])
        .arg(command.get_program())
        .args(command.get_args())
        .args(["import", "members"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("/usr/bin/time: {e} (apt-get install time; scripts/test installs it)"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("文件解压后过大"), "{stderr}");
    let rss_kb: usize = stderr.rsplit_once("max_rss_kb=").and_then(|(_, kb)| kb.trim().parse().ok()).unwrap();
    assert!(rss_kb < 300 * 1024, "peak {} MB", rss_kb >> 10);
    assert_eq!(app.count("members").await, 0);
}
