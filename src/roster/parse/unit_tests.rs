//! The unit column as villages name it, the column picked by hand, the warnings that do not
//! block, and the units of rejected rows kept for checking in the same pass.

use super::columns::is_unit_header;
use super::tests::{table, today};
use super::*;

fn options(unit_column: Option<&str>) -> RosterOptions {
    RosterOptions { default_unit: None, unit_column: unit_column.map(str::to_owned) }
}

#[test]
fn village_names_for_the_unit_column_are_recognised() {
    for header in [
        "所在村社",
        "党组织名称",
        "所属支部",
        "村",
        "社区",
        "村社",
        "党组织",
        "支部",
        "所在村（社区）",
        "所属党组织",
        "所在社区",
        "村名",
        "社区名称",
        "村党支部",
        "所属村社党组织",
        "基层党组织名称",
        "所在党总支",
        "村居",
        "所在单位",
        "党支部名称",
    ] {
        let table = table(&[vec!["姓名", "手机号码", header], vec!["张三", "13812345678", "蟹塘社区"]]);
        let parsed = read_roster(&table, today(), &options(None)).unwrap_or_else(|e| panic!("{header}: {e}"));
        assert_eq!(parsed.records[0].unit_name, "蟹塘社区", "{header}");
        assert_eq!(parsed.unit_header, header, "errors name the column as the file does");
    }
    for key in ["工作单位", "组织", "村民小组", "备注", "现居住地", "单位名称2"] {
        assert!(!is_unit_header(key), "{key}");
    }
}

#[test]
fn an_unrecognised_unit_column_lists_the_headers_and_can_be_named() {
    let rows =
        [vec!["序号", "姓名", "手机号码", "网格", "备注"], vec!["1", "张三", "13812345678", "蟹塘", ""]];
    let rejection = read_roster(&table(&rows), today(), &options(None)).unwrap_err();
    let headers = vec!["序号".to_owned(), "网格".to_owned(), "备注".to_owned()];
    assert_eq!(rejection, RosterRejection::NoUnitColumn { named: None, headers: headers.clone() });
    assert!(rejection.to_string().contains("序号、网格、备注"), "{rejection}");

    let parsed = read_roster(&table(&rows), today(), &options(Some(" 网格 "))).unwrap();
    assert_eq!(parsed.records[0].unit_name, "蟹塘");
    assert_eq!(parsed.unit_header, "网格");

    let rejection = read_roster(&table(&rows), today(), &options(Some("片区"))).unwrap_err();
    assert_eq!(rejection, RosterRejection::NoUnitColumn { named: Some("片区".into()), headers });
}

#[test]
fn a_join_before_the_18th_birthday_is_a_warning_not_an_error() {
    let header = vec!["姓名", "出生日期", "手机号码", "所在村社", "入党时间"];
    let rows = [header, vec!["张三", "1990-05-20", "13812345678", "蟹塘", "2008-04-30"]];
    let parsed = read_roster(&table(&rows), today(), &options(None)).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.records.len(), 1, "the member is imported");
    let warning = &parsed.warnings[0];
    assert_eq!((warning.row, warning.column.as_str(), warning.value.as_str()), (2, "入党时间", "2008-04-30"));
    assert_eq!(warning.reason, "入党时间早于年满18周岁");
}

#[test]
fn the_units_of_rejected_rows_are_kept_for_checking() {
    let header = vec!["姓名", "手机号码", "所属支部"];
    let rows =
        [header, vec!["张三", "123", "蟹塘"], vec!["李四", "13812345678", "石湫"], vec!["王五", "1", ""]];
    let parsed = read_roster(&table(&rows), today(), &options(None)).unwrap();
    assert_eq!(parsed.errors.len(), 3, "{:?}", parsed.errors);
    assert_eq!(parsed.rejected_units, vec![(2, "蟹塘".to_owned())]);
    assert_eq!(parsed.records.len(), 1);
}

#[test]
fn an_address_column_is_recognised_by_its_usual_names_and_read_trimmed() {
    for header in
        ["住址", "家庭住址", "现住址", "居住地址", "家庭地址", "联系地址", "地址", "家庭住址（选填）"]
    {
        let rows = vec![
            vec!["姓名", "手机号码", "所在单位", header],
            vec!["张三", "13800000001", "蟹塘社区党支部", "\u{3000}蟹塘社区3组12号 "],
            vec!["李四", "13800000002", "蟹塘社区党支部", ""],
        ];
        let records = parse_roster(&table(&rows), today(), None).unwrap_or_else(|e| panic!("{header}: {e}"));
        assert_eq!(records[0].address.as_deref(), Some("蟹塘社区3组12号"), "{header}");
        assert_eq!(records[1].address, None, "{header}");
    }
    let long = "村".repeat(101);
    let rows = vec![
        vec!["姓名", "手机号码", "所在单位", "住址"],
        vec!["张三", "13800000001", "蟹塘社区党支部", &long],
    ];
    let Err(RosterRejection::Rows(errors)) = parse_roster(&table(&rows), today(), None) else {
        panic!("a 101-character address is refused");
    };
    assert_eq!(errors[0].reason, "住址不能超过100个字");
}
