//! Data at rest: the database, its WAL and backups are private to the owner (0600 in a 0700
//! directory).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::cli::dongxun;
use crate::helpers::*;
use crate::roster::roster_xlsx;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_database_its_wal_and_backups_are_readable_by_the_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let location = dongxun::db::Location::SqliteFile(data.join("dongxun.db"));
    let app =
        dongxun::startup::Application::build(&location, "127.0.0.1:0", Default::default()).await.unwrap();
    let db = app.db().clone();
    let dongxun::db::Db::Sqlite(pool) = &db else { unreachable!() };
    sqlx::query("CREATE TABLE scratch (x TEXT)").execute(pool).await.unwrap();
    sqlx::query("INSERT INTO scratch VALUES ('written')").execute(pool).await.unwrap();
    assert_eq!(mode(&data), 0o700, "the data directory");
    let files: Vec<_> = std::fs::read_dir(&data).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(files.iter().any(|f| f.to_string_lossy().ends_with("-wal")), "{files:?}");
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    drop(app);
    db.close().await;
}

#[tokio::test]
async fn a_backup_is_readable_by_the_owner_only() {
    let app = spawn_app().await;
    if on_postgres() {
        return; // PostgreSQL is backed up with pg_dump, which the CLI points to.
    }
    let client = app.logged_in(STATION_A).await;
    let phones: Vec<String> = (0..3).map(|i| format!("1380000{:04}", 2000 + i)).collect();
    app.upload_roster(&client, "r.xlsx", roster_xlsx("甲村第一支部", &phones)).await;
    let target = app._dir.path().join("backup.db");
    let out = dongxun(&app).arg("backup").arg("-o").arg(&target).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(mode(&target), 0o600);
    for file in std::fs::read_dir(app._dir.path()).unwrap().map(|e| e.unwrap().path()) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}
