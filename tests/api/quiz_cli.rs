//! `dongxun import questions` and `dongxun export questions`: exit codes, --dry-run,
//! --accept-partial, and an export that re-imports unchanged.

use crate::cli::dongxun;
use crate::helpers::*;
use crate::quiz::ROUGH_TEXT;

#[tokio::test]
async fn a_rough_bank_is_refused_naming_lines_then_dry_run_then_accepted_in_part() {
    let app = spawn_app().await;
    let file = app._dir.path().join("题库.txt");
    std::fs::write(&file, ROUGH_TEXT).unwrap();

    let out = dongxun(&app).args(["import", "questions"]).arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("第3行") && stderr.contains("没有找到答案") && stderr.contains("--accept-partial"),
        "{stderr}"
    );
    assert_eq!(app.count("questions").await, 0);

    let out = dongxun(&app)
        .args(["import", "questions", "--dry-run", "--accept-partial"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("单选1题，多选1题，判断1题，填空1题"));
    assert_eq!(app.count("questions").await, 0, "a dry run stores nothing");

    let out = dongxun(&app).args(["import", "questions", "--accept-partial"]).arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("新增4题，重复0题，未识别1处"), "{stdout}");
    assert_eq!(app.count("questions").await, 4);

    let out = dongxun(&app).args(["import", "questions", "--accept-partial"]).arg(&file).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("新增0题，重复4题"));
    assert_eq!(app.count("questions").await, 4, "not stored twice");
    assert!(app.audit("import").await[0].contains("题库：题库.txt"));
}

#[tokio::test]
async fn a_template_sheet_with_a_bad_row_is_refused_even_with_accept_partial() {
    let app = spawn_app().await;
    let file = app._dir.path().join("bank.xlsx");
    let bytes = crate::quiz::bank_xlsx(&[
        ["单选", "好题", "甲", "乙", "A", ""],
        ["单选", "坏题", "甲", "乙", "F", ""],
    ]);
    std::fs::write(&file, bytes).unwrap();
    let out = dongxun(&app).args(["import", "questions", "--accept-partial"]).arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("第3行") && stderr.contains("全部正确才导入"), "{stderr}");
    assert_eq!(app.count("questions").await, 0);
}

#[tokio::test]
async fn an_export_re_imports_unchanged() {
    let app = spawn_app().await;
    let rough = app._dir.path().join("rough.txt");
    std::fs::write(&rough, ROUGH_TEXT).unwrap();
    dongxun(&app).args(["import", "questions", "--accept-partial"]).arg(&rough).output().unwrap();
    let sheet = app._dir.path().join("bank.xlsx");
    let bytes =
        crate::quiz::bank_xlsx(&[["多选", "下列属于党的纪律的有", "政治纪律", "组织纪律", "AB", "党章"]]);
    std::fs::write(&sheet, bytes).unwrap();
    let out = dongxun(&app).args(["import", "questions"]).arg(&sheet).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let export = app._dir.path().join("export.xlsx");
    let out = dongxun(&app).args(["export", "questions", "-o"]).arg(&export).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("已导出5题"));

    let other = spawn_app().await;
    let out = dongxun(&other).args(["import", "questions"]).arg(&export).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let before = dongxun::quiz::store::all(&app.db).await.unwrap();
    let after = dongxun::quiz::store::all(&other.db).await.unwrap();
    assert_eq!(before.len(), 5);
    assert_eq!(before, after, "every field survives the round trip");
    assert!(before.iter().any(|q| q.source == "甲村第一支部" && q.explanation.is_empty()));

    let out = dongxun(&app).args(["import", "questions"]).arg(&export).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("新增0题，重复5题"));
}

#[tokio::test]
async fn a_headerless_csv_of_stem_and_answer_is_understood_row_by_row() {
    let app = spawn_app().await;
    let file = app._dir.path().join("支部题库.csv");
    let csv = "党员应当按时交纳（ ）。A.党费 B.会费,A\n\
               冬训在农闲时节开展,对\n\
               下列属于三农的是 A.农业 B.农村 C.城市,\"['a', 'b']\"\n\
               没有选项的选择题,C\n";
    std::fs::write(&file, csv).unwrap();
    let out = dongxun(&app).args(["import", "questions"]).arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("第4行") && stderr.contains("没有找到选项"), "{stderr}");
    let out = dongxun(&app).args(["import", "questions", "--accept-partial"]).arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("无表头") && stdout.contains("单选1题，多选1题，判断1题"), "{stdout}");
    assert_eq!(app.count("questions").await, 3);
}
