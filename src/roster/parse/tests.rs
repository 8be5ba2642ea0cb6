//! Validation tests on tables built in memory; see `file_tests` for tests
//! that go through real file bytes.

use super::*;
use crate::formats::table::{Cell, TableRow};
use crate::people::id_card::make_id;

pub(super) const HEADER: [&str; 9] =
    ["姓名", "性别", "出生日期", "手机号码", "身份证号", "所在单位", "入党时间", "人员类别", "状态"];

pub(super) fn today() -> NaiveDate {
    ymd(2021, 3, 1)
}

pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A table of text cells; row i of `rows` is Excel row i + 1.
pub(super) fn table(rows: &[Vec<&str>]) -> Table {
    let rows = rows
        .iter()
        .enumerate()
        .map(|(index, texts)| TableRow {
            number: index + 1,
            cells: texts
                .iter()
                .map(|t| if t.is_empty() { Cell::Empty } else { Cell::Text((*t).to_owned()) })
                .collect(),
        })
        .collect();
    Table { rows }
}

/// A valid member row in HEADER order with the given name and ID digits.
pub(super) fn member(name: &'static str, phone: &'static str, id: &'static str) -> Vec<&'static str> {
    vec![name, "", "", phone, id, "蟹塘社区党支部", "", "", ""]
}

pub(super) fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

pub(super) fn errors(result: Result<Vec<RosterRecord>, RosterRejection>) -> Vec<RowError> {
    match result {
        Err(RosterRejection::Rows(errors)) => errors,
        other => panic!("expected row errors, got {other:?}"),
    }
}

pub(super) fn reasons(result: Result<Vec<RosterRecord>, RosterRejection>) -> Vec<(usize, String, String)> {
    errors(result).into_iter().map(|e| (e.row, e.column, e.reason)).collect()
}

pub(super) fn no_header_reason(result: Result<Vec<RosterRecord>, RosterRejection>) -> String {
    match result {
        Err(RosterRejection::NoHeader { reason }) => reason,
        other => panic!("expected NoHeader, got {other:?}"),
    }
}
#[test]
fn every_error_in_every_row_is_collected() {
    let table = table(&[
        HEADER.to_vec(),
        vec!["张", "未知", "2030-01-01", "123", "", "", "1900-01-01", "退伍军人", "开除"],
        vec!["", "", "", "", "", "蟹塘", "", "", ""],
        member("李四", "13812345678", ""),
    ]);
    let found = reasons(parse_roster(&table, today(), None));
    let expected: Vec<(usize, &str, &str)> = vec![
        (2, "姓名", "姓名应为2–20个字"),
        (2, "所在单位", "所在单位不能为空"),
        (2, "手机号码", "手机号应为11位数字，以13–19开头"),
        (2, "性别", "性别应填写“男”或“女”"),
        (2, "人员类别", "未知的人员类别「退伍军人」，可填：老党员、困难党员、流动党员、无智能手机、长期患病"),
        (2, "状态", "状态应为：正常、已转出、已故、其他"),
        (2, "出生日期", "出生日期不合理"),
        (2, "入党时间", "入党时间不合理"),
        (3, "姓名", "姓名不能为空"),
        (3, "手机号码", "手机号码和身份证号至少填写一项"),
    ];
    let found: Vec<(usize, &str, &str)> =
        found.iter().map(|(r, c, m)| (*r, c.as_str(), m.as_str())).collect();
    assert_eq!(found, expected);
}

#[test]
fn header_is_found_below_title_rows_and_aliases_are_understood() {
    let id = make_id("320117", "19600101", "013");
    let table = table(&[
        vec!["石湫街道党员花名册"],
        vec!["填表说明：带*为必填项"],
        vec![
            "序号",
            "＊姓 名",
            "手机号（必填）",
            "公民身份号码",
            "单位",
            "入党年月",
            "类别",
            "党员状态",
            "出生年月日",
            "性别(男/女)",
        ],
        vec!["1", "王五", "", leak(id.clone()), "石湫村", "1985.06", "", "已转出", "1960.1.1", "男"],
    ]);
    let records = parse_roster(&table, today(), None).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].row, 4);
    assert_eq!(records[0].joined_party_on, Some(ymd(1985, 6, 1)));
    assert_eq!(records[0].status, MemberStatus::Transferred);
    assert_eq!(records[0].unit_name, "石湫村");
}

#[test]
fn column_names_in_errors_are_as_written_in_the_file() {
    let table = table(&[vec!["姓名", "联系电话（必填）", "所在单位"], vec!["张三", "110", "蟹塘"]]);
    let errors = errors(parse_roster(&table, today(), None));
    assert_eq!(errors[0].column, "联系电话（必填）");
    assert_eq!(errors[0].value, "110");
}

#[test]
fn missing_header_or_required_columns_are_rejected() {
    let no_name = table(&[vec!["名字", "手机号码"], vec!["张三", "13812345678"]]);
    assert!(no_header_reason(parse_roster(&no_name, today(), Some("蟹塘"))).contains("姓名"));

    let mut late = vec![vec!["说明"]; 10];
    late.push(vec!["姓名", "手机号码", "所在单位"]);
    assert!(no_header_reason(parse_roster(&table(&late), today(), None)).contains("前10行"));

    let no_contact = table(&[vec!["姓名", "所在单位"], vec!["张三", "蟹塘"]]);
    assert!(no_header_reason(parse_roster(&no_contact, today(), None)).contains("手机号码"));

    let no_unit = table(&[vec!["姓名", "手机", "备注"], vec!["张三", "13812345678", ""]]);
    let no_unit_column = RosterRejection::NoUnitColumn { named: None, headers: vec!["备注".into()] };
    assert_eq!(parse_roster(&no_unit, today(), None), Err(no_unit_column.clone()));
    assert_eq!(parse_roster(&no_unit, today(), Some("  ")), Err(no_unit_column));
    let records = parse_roster(&no_unit, today(), Some(" 蟹塘社区 ")).unwrap();
    assert_eq!(records[0].unit_name, "蟹塘社区");

    let rejection = parse_roster(&Table::default(), today(), None).unwrap_err();
    assert!(matches!(rejection, RosterRejection::NoHeader { .. }));
}

#[test]
fn blank_unit_cells_fall_back_to_the_default_unit() {
    let table = table(&[HEADER.to_vec(), vec!["张三", "", "", "13812345678", "", "", "", "", ""]]);
    let records = parse_roster(&table, today(), Some("蟹塘社区党支部")).unwrap();
    assert_eq!(records[0].unit_name, "蟹塘社区党支部");
    let errors = reasons(parse_roster(&table, today(), None));
    assert_eq!(errors, vec![(2, "所在单位".into(), "所在单位不能为空".into())]);
}

#[test]
fn id_card_fills_and_checks_gender_and_birth_date() {
    let id = leak(make_id("320117", "19621105", "022")); // even: female
    let check = |gender: &'static str, birth: &'static str| {
        let row = vec!["李四", gender, birth, "", id, "蟹塘", "", "", ""];
        parse_roster(&table(&[HEADER.to_vec(), row]), today(), None)
    };
    for (gender, birth) in [("", ""), ("女", "1962年11月"), ("女", "19621105")] {
        let records = check(gender, birth).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(records[0].gender, Some(Gender::Female));
        assert_eq!(records[0].birth_date, Some(ymd(1962, 11, 5)));
    }
    let found = reasons(check("男", "1962-11-06"));
    assert_eq!(
        found,
        vec![
            (2, "出生日期".into(), "出生日期与身份证号不一致".into()),
            (2, "性别".into(), "性别与身份证号不一致".into()),
        ]
    );
    let found = reasons(check("女", "1962.10"));
    assert_eq!(found, vec![(2, "出生日期".into(), "出生日期与身份证号不一致".into())]);
}

#[test]
fn impossible_birth_and_joining_dates_are_rejected() {
    let row = |birth: &'static str, joined: &'static str| {
        vec!["张三", "", birth, "13812345678", "", "蟹塘", joined, "", ""]
    };
    let cases = [
        (row("1899-12-31", ""), "出生日期不合理"),
        (row("2021-03-02", ""), "出生日期不合理"),
        (row("2003-03-02", ""), "出生日期不合理"),
        (row("", "1921-06-30"), "入党时间不合理"),
        (row("", "2021-03-02"), "入党时间不合理"),
    ];
    for (cells, reason) in cases {
        let table = table(&[HEADER.to_vec(), cells.clone()]);
        let found = reasons(parse_roster(&table, today(), None));
        assert_eq!(found.len(), 1, "{cells:?}: {found:?}");
        assert_eq!(found[0].2, reason, "{cells:?}");
    }
    // Exactly 18, the Party's founding day, and a month-only date in the
    // month of the 18th birthday are all fine.
    for (birth, joined) in
        [("2003-03-01", "2021-03-01"), ("1900-01-01", "1921-07-01"), ("1990-05-20", "2008.05")]
    {
        let fine = table(&[HEADER.to_vec(), row(birth, joined)]);
        assert!(parse_roster(&fine, today(), None).is_ok(), "{birth} {joined}");
    }
}

#[test]
fn minors_by_id_number_are_rejected() {
    let id = leak(make_id("320117", "20100101", "011"));
    let table = table(&[HEADER.to_vec(), vec!["张小", "", "", "", id, "蟹塘", "", "", ""]]);
    let found = reasons(parse_roster(&table, today(), None));
    assert_eq!(found, vec![(2, "身份证号".into(), "按身份证号计算未满18周岁".into())]);
}

#[test]
fn two_people_with_id_cards_may_share_a_phone() {
    let husband = leak(make_id("320117", "19450101", "011"));
    let wife = leak(make_id("320117", "19470303", "022"));
    let table = table(&[
        HEADER.to_vec(),
        member("张三", "13812345678", husband),
        member("李梅", "13812345678", wife),
    ]);
    assert_eq!(parse_roster(&table, today(), None).unwrap().len(), 2);
}

#[test]
fn duplicates_name_the_earlier_row() {
    let id = leak(make_id("320117", "19700101", "011"));
    let table = table(&[
        HEADER.to_vec(),
        member("张三", "13812345678", id),
        member("李四", "13900000000", ""),
        member("张三", "13912345678", id),
        member("王五", "13812345678", ""),
    ]);
    let found = reasons(parse_roster(&table, today(), None));
    assert_eq!(
        found,
        vec![
            (4, "身份证号".into(), "与第2行身份证号重复".into()),
            (5, "手机号码".into(), "与第2行手机号码重复（共用手机号时两行都须填写身份证号）".into()),
        ]
    );
}

#[test]
fn typed_cells_are_understood() {
    let id = make_id("320117", "19700101", "011");
    let mut rows = table(&[HEADER.to_vec()]);
    let cells = vec![
        Cell::Text("张三".into()),
        Cell::Empty,
        Cell::Number(19700101.0),
        Cell::Number(13812345678.0),
        Cell::Text(id.clone()),
        Cell::Text("蟹塘".into()),
        Cell::Number(35247.0), // 1996-07-01 as an Excel serial
    ];
    rows.rows.push(TableRow { number: 2, cells });
    let records = parse_roster(&rows, today(), None).unwrap();
    assert_eq!(records[0].birth_date, Some(ymd(1970, 1, 1)));
    assert_eq!(records[0].joined_party_on, Some(ymd(1996, 7, 1)));

    let lost = vec![
        Cell::Text("李四".into()),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Number(3.201171970010101e17),
        Cell::Text("蟹塘".into()),
    ];
    rows.rows[1] = TableRow { number: 2, cells: lost };
    let errors = errors(parse_roster(&rows, today(), None));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].value, "320117197001010100");
    assert!(errors[0].reason.contains("设为文本格式"), "{}", errors[0].reason);
}

#[test]
fn repeated_headers_and_blank_rows_are_skipped() {
    let table = table(&[
        HEADER.to_vec(),
        member("张三", "13812345678", ""),
        vec!["", "", "", "", "", "", "", "", "", "备注在未映射的列"],
        HEADER.to_vec(),
        member("李四", "13912345678", ""),
    ]);
    let records = parse_roster(&table, today(), None).unwrap();
    let rows: Vec<usize> = records.iter().map(|r| r.row).collect();
    assert_eq!(rows, [2, 5]);
}

#[test]
fn display_lists_at_most_200_errors() {
    let mut rows = vec![HEADER.to_vec()];
    for _ in 0..250 {
        rows.push(member("张三", "123", ""));
    }
    let rejection = parse_roster(&table(&rows), today(), None).unwrap_err();
    let text = rejection.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 201);
    assert_eq!(lines[0], "第2行 手机号码「123」：手机号应为11位数字，以13–19开头");
    assert_eq!(lines[200], "……共250处错误");
    let blank =
        RowError {
            row: 3, column: "姓名".into(), value: String::new(), reason: "姓名不能为空".into()
        };
    assert_eq!(blank.to_string(), "第3行 姓名：姓名不能为空");
}
