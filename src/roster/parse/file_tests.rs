//! Roster tests that go through real file bytes (xlsx, GBK CSV, legacy
//! xls). How long a 100,000-row roster takes to read and check is measured in
//! bench/ (`roster_parse.py`), not here.

use super::tests::{today, ymd};
use super::*;
use crate::formats::table::read_table;
use crate::formats::table::testing::{write_date, write_texts, xlsx_bytes};
use crate::people::id_card::make_id;
use encoding_rs::GB18030;
use rust_xlsxwriter::Format;

#[test]
fn realistic_xlsx_with_title_shuffled_columns_and_odd_values() {
    let zhang = make_id("320117", "19500312", "011");
    let zhao = make_id("320117", "19751020", "042");
    let bytes = xlsx_bytes(|sheet| {
        sheet.merge_range(0, 0, 0, 10, "石湫街道蟹塘社区党员花名册", &Format::new())?;
        write_texts(
            sheet,
            1,
            0,
            &[
                "序号",
                "*姓名",
                "身份证号码（必填）",
                "联系电话",
                "出生\n年月",
                "性 别",
                "入党日期",
                "党员类别",
                "所在党支部",
                "备注",
                "状态",
            ],
        )?;
        // Row 3: Excel dates, phone stored as a number, stray spaces.
        sheet.write_number(2, 0, 1)?;
        write_texts(sheet, 2, 1, &[" 张  三 ", &zhang])?;
        sheet.write_number(2, 3, 13812345678.0)?;
        write_date(sheet, 2, 4, (1950, 3, 12))?;
        write_texts(sheet, 2, 5, &["男"])?;
        write_date(sheet, 2, 6, (1975, 7, 1))?;
        write_texts(sheet, 2, 7, &["老党员，无智能手机", " 蟹塘社区党支部 ", "腿脚不便"])?;
        // Row 4: full-width digits, month-only birth, odd date text, no gender.
        sheet.write_number(3, 0, 2)?;
        write_texts(
            sheet,
            3,
            1,
            &[
                "赵敏",
                "",
                "１８６ １２３４ ５６７８",
                "1975年10月",
                "",
                "１９９８．１２",
                "",
                "蟹塘社区党支部",
                "",
                "正常",
            ],
        )?;
        // Row 5: ID only with lower-case x-free digits, dates typed as text.
        sheet.write_number(4, 0, 3)?;
        write_texts(
            sheet,
            4,
            1,
            &["赵 敏二", &zhao, "", "", "女", "1998年12月1日", "困难党员", "蟹塘社区党支部"],
        )?;
        // Row 6: a pre-numbered template row with nothing else.
        sheet.write_number(5, 0, 4)?;
        Ok(())
    });
    let table = read_table("花名册.xlsx", &bytes).unwrap();
    let records = parse_roster(&table, today(), None).unwrap();
    assert_eq!(records.len(), 3);

    let first = &records[0];
    assert_eq!(first.row, 3);
    assert_eq!(first.name, "张三");
    assert_eq!(first.gender, Some(Gender::Male));
    assert_eq!(first.birth_date, Some(ymd(1950, 3, 12)));
    assert_eq!(first.phone.as_ref().map(Phone::as_str), Some("13812345678"));
    assert_eq!(first.id_card.as_ref().map(IdCardNumber::as_str), Some(zhang.as_str()));
    assert_eq!(first.unit_name, "蟹塘社区党支部");
    assert_eq!(first.joined_party_on, Some(ymd(1975, 7, 1)));
    assert_eq!(first.categories, MemberCategories::ELDERLY | MemberCategories::NO_SMARTPHONE);
    assert_eq!(first.status, MemberStatus::Active);

    let second = &records[1];
    assert_eq!((second.row, second.name.as_str()), (4, "赵敏"));
    assert_eq!(second.phone.as_ref().map(Phone::as_str), Some("18612345678"));
    assert_eq!(second.birth_date, Some(ymd(1975, 10, 1)));
    assert_eq!(second.gender, None);
    assert_eq!(second.joined_party_on, Some(ymd(1998, 12, 1)));

    let third = &records[2];
    assert_eq!((third.row, third.name.as_str()), (5, "赵敏二"));
    assert_eq!(third.gender, Some(Gender::Female));
    assert_eq!(third.birth_date, Some(ymd(1975, 10, 20)), "derived from the ID");
    assert_eq!(third.phone, None);
    assert_eq!(third.categories, MemberCategories::HARDSHIP);
}

#[test]
fn dates_typed_as_text_in_every_odd_form_read_from_xlsx() {
    let forms = [
        ("2021-03-02", (2021, 3, 2)),
        ("2021-3-2", (2021, 3, 2)),
        ("2021/3/2", (2021, 3, 2)),
        ("2021.3.2", (2021, 3, 2)),
        ("2021.03", (2021, 3, 1)),
        ("2021年3月2日", (2021, 3, 2)),
        ("2021年3月", (2021, 3, 1)),
        ("20210302", (2021, 3, 2)),
        ("202103", (2021, 3, 1)),
        ("２０２１－０３－０２", (2021, 3, 2)),
        (" 2021 / 3 / 2 ", (2021, 3, 2)),
    ];
    let bytes = xlsx_bytes(|sheet| {
        write_texts(sheet, 0, 0, &["入党时间", "姓名", "手机号码", "身份证号"])?;
        for (row, (text, _)) in (1u32..).zip(forms) {
            let phone = format!("1391234{:04}", row);
            write_texts(sheet, row, 0, &[text, "张三", &phone])?;
        }
        // The ID uses a lower-case x and full-width digits.
        write_texts(sheet, 1, 3, &["１１０１０５１９４９１２３１００２x"])?;
        Ok(())
    });
    let table = read_table("a.xlsx", &bytes).unwrap();
    let records = parse_roster(&table, ymd(2021, 3, 10), Some("蟹塘")).unwrap();
    let joined: Vec<_> = records.iter().map(|r| r.joined_party_on).collect();
    let expected: Vec<_> = forms.iter().map(|(_, (y, m, d))| Some(ymd(*y, *m, *d))).collect();
    assert_eq!(joined, expected);
    let id = records[0].id_card.as_ref().map(IdCardNumber::as_str);
    assert_eq!(id, Some("11010519491231002X"));
}

#[test]
fn bad_phone_on_row_37_is_reported_as_row_37() {
    let bytes = xlsx_bytes(|sheet| {
        sheet.merge_range(0, 0, 0, 3, "党员花名册", &Format::new())?;
        write_texts(sheet, 1, 0, &["序号", "姓名", "手机号码", "所在单位"])?;
        for row in 2..40u32 {
            let phone = if row == 36 { "1381234".to_owned() } else { format!("138{:08}", row) };
            sheet.write_number(row, 0, row - 1)?;
            write_texts(sheet, row, 1, &[&format!("党员{row}"), &phone, "蟹塘社区"])?;
        }
        Ok(())
    });
    let table = read_table("a.xlsx", &bytes).unwrap();
    let rejection = parse_roster(&table, today(), None).unwrap_err();
    let RosterRejection::Rows(errors) = &rejection else {
        panic!("{rejection:?}");
    };
    assert_eq!(
        errors,
        &vec![RowError {
            row: 37,
            column: "手机号码".to_owned(),
            value: "1381234".to_owned(),
            reason: "手机号应为11位数字，以13–19开头".to_owned(),
        }]
    );
    assert_eq!(
        rejection.to_string(),
        "第37行 手机号码「1381234」：手机号应为11位数字，以13–19开头\n共1处错误"
    );
}

#[test]
fn gbk_csv_roster_imports() {
    let id = make_id("320117", "19551001", "033");
    let source = format!(
        "石湫街道党员花名册\r\n序号,姓名,性别,手机号码,身份证号,入党时间,人员类别\r\n1,张 三,男,13812345678,{id},1980/7/1,老党员\r\n"
    );
    let (bytes, _, _) = GB18030.encode(&source);
    let table = read_table("花名册.csv", &bytes).unwrap();
    let records = parse_roster(&table, today(), Some("蟹塘社区")).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].row, 3);
    assert_eq!(records[0].name, "张三");
    assert_eq!(records[0].birth_date, Some(ymd(1955, 10, 1)));
    assert_eq!(records[0].categories, MemberCategories::ELDERLY);
}

#[test]
fn legacy_xls_fixture_imports() {
    let bytes = include_bytes!("../../../tests/fixtures/roster.xls");
    let table = read_table("roster.xls", bytes).unwrap();
    assert!(parse_roster(&table, today(), None).is_err(), "row 6 has no unit");
    let records = parse_roster(&table, today(), Some("蟹塘社区党支部")).unwrap();
    let names: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["张三", "李四", "王小明", "赵敏", "曾国强"]);
    assert_eq!(records[0].phone.as_ref().map(Phone::as_str), Some("13812345678"));
    assert_eq!(records[3].gender, Some(Gender::Female));
    assert_eq!(records[3].birth_date, Some(ymd(1975, 10, 20)));
    assert_eq!(records[4].status, MemberStatus::Other);
    assert_eq!(records[4].phone, None);
}
