//! Data at rest: the database, its WAL, backups and the key file are private to the owner (0600
//! in a 0700 directory); ID-card numbers are stored encrypted, found by a keyed hash, and still
//! shown (masked, revealed), exported and re-imported by their real number.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use dongxun::db::Db;
use dongxun::formats::table::read_table;
use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;

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
    let key = data.join("dongxun.key");
    let app = dongxun::startup::Application::build(&location, &key, "127.0.0.1:0", Default::default())
        .await
        .unwrap();
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

/// A valid ID-card number born on `birth` (YYYYMMDD) with sequence `seq` (3 digits).
fn id_card(birth: &str, seq: &str) -> String {
    let body = format!("320117{birth}{seq}");
    let check = dongxun::people::id_card::compute_check_char(&body).unwrap();
    format!("{body}{check}")
}

fn cards() -> Vec<String> {
    vec![id_card("19500312", "011"), id_card("19621105", "022"), id_card("19781230", "033")]
}

/// A roster with ID cards: 姓名, 手机号码, 身份证号, 所在单位.
fn roster_with_cards(cards: &[String]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in ["姓名", "手机号码", "身份证号", "所在单位"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (i, card) in cards.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, format!("党员{i}")).unwrap();
        sheet.write_string(row, 1, format!("1380000{:04}", 3000 + i)).unwrap();
        sheet.write_string(row, 2, card).unwrap();
        sheet.write_string(row, 3, "甲村第一支部").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

/// Every member's raw (plain column, sealed column) as the database holds them.
async fn raw_columns(db: &Db) -> Vec<(i64, Option<String>, Option<String>)> {
    let sql = "SELECT id, id_card, id_card_sealed FROM members ORDER BY id";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    }
}

/// A file's bytes, read by another process. Opening and closing the database file in this
/// process — the one the test server runs in — would silently drop the server's POSIX locks on
/// it (SQLite's "how to corrupt a database", §2.2): a CLI run next would then think itself the
/// last user, delete the WAL from under the server, and the server's next read would fail with
/// SQLITE_IOERR_SHORT_READ.
fn bytes_of(file: &Path) -> Vec<u8> {
    let out = std::process::Command::new("cat").arg(file).output().expect("run cat");
    assert!(out.status.success(), "cat {}", file.display());
    out.stdout
}

/// No plain number in any column, and on SQLite not in any byte of the files either.
async fn assert_no_plain_number(app: &TestApp, cards: &[String]) {
    for (id, plain, sealed) in raw_columns(&app.db).await {
        assert_eq!(plain, None, "member {id}: the plain column stays empty");
        let sealed = sealed.expect("sealed");
        assert!(cards.iter().all(|c| !sealed.contains(c.as_str())), "{sealed}");
    }
    if !on_postgres() {
        for file in std::fs::read_dir(app._dir.path()).unwrap().map(|e| e.unwrap().path()) {
            let bytes = bytes_of(&file);
            for card in cards {
                let found = bytes.windows(card.len()).any(|w| w == card.as_bytes());
                if found {
                    let at = bytes.windows(card.len()).position(|w| w == card.as_bytes()).unwrap();
                    let around = String::from_utf8_lossy(&bytes[at.saturating_sub(200)..at + 100]);
                    panic!("{card} in {} at {at} of {}: {around:?}", file.display(), bytes.len());
                }
            }
        }
    }
}

#[tokio::test]
async fn id_cards_are_stored_sealed_yet_revealed_exported_and_reimported_by_their_number() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let cards = cards();
    let r = app.upload_roster(&client, "花名册.xlsx", roster_with_cards(&cards)).await;
    assert!(r.text().await.unwrap().contains("新增 3 人"));
    assert_no_plain_number(&app, &cards).await;

    let r = app.upload_roster(&client, "花名册.xlsx", roster_with_cards(&cards)).await;
    assert!(r.text().await.unwrap().contains("新增 0 人，更新 0 人，未变 3 人"), "matched by the keyed hash");
    assert_eq!(app.count("members").await, 3);

    let (id, _, _) = raw_columns(&app.db).await[0].clone();
    let detail = app.get(&client, &format!("/members/{id}")).await.text().await.unwrap();
    assert!(detail.contains(&cards[0][..3]) && !detail.contains(&cards[0]), "masked");
    let revealed = app.post_form(&client, &format!("/members/{id}/reveal"), &[]).await;
    assert!(revealed.text().await.unwrap().contains(&cards[0]));
    assert_eq!(app.audit("unmask").await.len(), 1);

    let export = app.get(&client, "/members/export").await;
    assert_eq!(export.status(), StatusCode::OK);
    let table = read_table("x.xlsx", &export.bytes().await.unwrap()).unwrap();
    let text: Vec<String> =
        table.rows.iter().flat_map(|r| (0..12).map(|i| r.cell(i).to_text().into_owned())).collect();
    assert!(cards.iter().all(|c| text.contains(c)), "the export has the real numbers");

    // An edit through the form is sealed too, and the form shows the number to edit.
    let form = app.get(&client, &format!("/members/{id}/edit")).await.text().await.unwrap();
    assert!(form.contains(&cards[0]));
    let new_card = id_card("19500312", "055");
    let unit = app.branch_a.id.to_string();
    let edit =
        [("name", "党员0"), ("id_card", new_card.as_str()), ("unit_id", unit.as_str()), ("status", "正常")];
    let r = app.post_form(&client, &format!("/members/{id}"), &edit).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut all = cards.clone();
    all.push(new_card.clone());
    assert_no_plain_number(&app, &all).await;
    let revealed = app.post_form(&client, &format!("/members/{id}/reveal"), &[]).await;
    assert!(revealed.text().await.unwrap().contains(&new_card));
}

#[tokio::test]
async fn the_cli_imports_and_exports_with_the_same_key_file() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("r.xlsx");
    std::fs::write(&roster, roster_with_cards(&cards())).unwrap();
    let out = dongxun(&app).args(["import", "members"]).arg(&roster).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_no_plain_number(&app, &cards()).await;
    let client = app.logged_in(COMMITTEE).await;
    let r = app.upload_roster(&client, "r.xlsx", roster_with_cards(&cards())).await;
    assert!(r.text().await.unwrap().contains("未变 3 人"), "the server reads what the CLI sealed");
    let export = dir.path().join("out.xlsx");
    let out = dongxun(&app).args(["export", "members", "-o"]).arg(&export).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = read_table("out.xlsx", &std::fs::read(&export).unwrap()).unwrap();
    let text: Vec<String> =
        table.rows.iter().flat_map(|r| (0..12).map(|i| r.cell(i).to_text().into_owned())).collect();
    assert!(cards().iter().all(|c| text.contains(c)));
}

#[tokio::test]
async fn plain_numbers_from_before_encryption_are_sealed_at_start_once() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let cards = cards();
    app.upload_roster(&client, "r.xlsx", roster_with_cards(&cards)).await;
    // As a database from before migration 0006 would hold them (it had no guard either).
    match &app.db {
        Db::Sqlite(_) => {
            app.execute("DROP TRIGGER members_id_card_stays_sealed_on_insert").await;
            app.execute("DROP TRIGGER members_id_card_stays_sealed_on_update").await;
        }
        Db::Postgres(_) => app.execute("DROP TRIGGER members_id_card_stays_sealed ON members").await,
    }
    for (i, card) in cards.iter().enumerate() {
        app.execute(&format!(
            "UPDATE members SET id_card = '{card}', id_card_sealed = NULL, id_card_hash = NULL \
             WHERE phone = '1380000{:04}'",
            3000 + i
        ))
        .await;
    }
    let out = dongxun(&app).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_no_plain_number(&app, &cards).await;
    let sealed = raw_columns(&app.db).await;
    let out = dongxun(&app).arg("migrate").output().unwrap();
    assert!(out.status.success());
    assert_eq!(raw_columns(&app.db).await, sealed, "a second start changes nothing");
    let r = app.upload_roster(&client, "r.xlsx", roster_with_cards(&cards)).await;
    assert!(r.text().await.unwrap().contains("未变 3 人"), "found by the hash made at start");
    // The member whose card is cards[0], found by phone rather than by position.
    let by_phone = "SELECT id FROM members WHERE phone = '13800003000'";
    let (id,): (i64,) = match &app.db {
        Db::Sqlite(pool) => sqlx::query_as(by_phone).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_as(by_phone).fetch_one(pool).await.unwrap(),
    };
    let revealed = app.post_form(&client, &format!("/members/{id}/reveal"), &[]).await;
    let status = revealed.status();
    let body = revealed.text().await.unwrap();
    assert!(body.contains(&cards[0]), "reveal answered {status}: {body}");
}

#[tokio::test]
async fn the_retired_plain_column_refuses_a_number_from_any_writer() {
    let app = spawn_app().await;
    let client = app.logged_in(STATION_A).await;
    let cards = cards();
    app.upload_roster(&client, "r.xlsx", roster_with_cards(&cards)).await;
    let update = format!("UPDATE members SET id_card = '{}' WHERE phone = '13800003000'", cards[0]);
    let copy = "INSERT INTO members (name, phone, unit_id, status, id_card) \
         SELECT name || '2', '13800009000', unit_id, status, 'X' FROM members WHERE phone = '13800003000'";
    for sql in [update.as_str(), copy] {
        let refused = match &app.db {
            Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await.err(),
            Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.err(),
        };
        let refused = refused.unwrap_or_else(|| panic!("accepted: {sql}"));
        assert!(refused.to_string().contains("stored sealed"), "{refused}");
    }
    assert_no_plain_number(&app, &cards).await;
    // Emptying it, as the first-start sealing does, stays allowed.
    app.execute("UPDATE members SET id_card = NULL").await;
}

#[tokio::test]
async fn a_missing_wrong_or_malformed_key_file_stops_the_start_with_a_clear_message() {
    let app = spawn_app().await;
    let key = key_file(&app._dir);
    assert_eq!(mode(&key), 0o600, "the key file is created private");
    let other = tempfile::tempdir().unwrap();
    let missing = other.path().join("none.key");
    let out = dongxun(&app).arg("--key-file").arg(&missing).arg("migrate").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("找不到身份证号密钥文件"), "{stderr}");
    assert!(stderr.contains("not found") && !missing.exists(), "no second key is made: {stderr}");

    let wrong = other.path().join("wrong.key");
    std::fs::write(&wrong, format!("{}\n", "ab".repeat(32))).unwrap();
    let out = dongxun(&app).arg("--key-file").arg(&wrong).arg("migrate").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("不匹配") && stderr.contains("does not match"),
        "{stderr}"
    );

    let malformed = other.path().join("bad.key");
    std::fs::write(&malformed, "not a key").unwrap();
    let out = dongxun(&app).arg("--key-file").arg(&malformed).arg("migrate").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("格式不正确"), "{stderr}");

    let out = dongxun(&app).arg("migrate").output().unwrap();
    assert!(out.status.success(), "the right key still works");
}
