use chrono::NaiveDate;

use super::*;
use crate::formats::table::read_table;
use crate::formats::table::testing::{write_date, write_texts, xlsx_bytes};
use crate::points::model::PointKind;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn rules() -> Vec<Rule> {
    vec![Rule {
        kind: PointKind::Offline,
        points: 1,
        daily_cap: Some(10),
        per_item_cap: None,
        minutes_per_point: None,
        windows: Vec::new(),
        window_multiplier: 1,
        effective_from: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
    }]
}

fn window() -> Window {
    Window::new(
        1,
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
        day(9),
    )
}

fn text_table(rows: &[&[&str]]) -> Table {
    Table {
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| TableRow {
                number: i + 1,
                cells: cells
                    .iter()
                    .map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).into()) })
                    .collect(),
            })
            .collect(),
    }
}

#[test]
fn columns_in_any_order_under_a_title_with_real_dates_and_number_cells() {
    let bytes = xlsx_bytes(|sheet| {
        write_texts(sheet, 0, 0, &["甲村线下学习积分登记表（12月）"])?;
        write_texts(sheet, 1, 0, &["序号", "日期", "积分", "事项", "姓名（必填）", "联系电话", "备注"])?;
        write_texts(sheet, 2, 0, &["1"])?;
        write_date(sheet, 2, 1, (2026, 12, 3))?;
        sheet.write_number(2, 2, 3.0)?;
        write_texts(sheet, 2, 3, &["观看党课录像", "张 三"])?;
        sheet.write_number(2, 5, 13800001111.0)?;
        write_texts(sheet, 3, 0, &["2", "2026年12月4日", "2", "读报", "李四", "13800002222", "入户"])?;
        Ok(())
    });
    let table = read_table("积分.xlsx", &bytes).unwrap();
    let parsed = read_sheet(&table, &rules(), &window(), day(9)).unwrap();
    assert_eq!(parsed.errors, Vec::new());
    assert_eq!(parsed.rows.len(), 2);
    let first = &parsed.rows[0];
    assert_eq!((first.row, first.name.as_str(), first.points, first.day), (3, "张三", 3, day(3)));
    assert_eq!(first.phone.as_ref().map(|p| p.as_str()), Some("13800001111"));
    assert_eq!((parsed.rows[1].item.as_str(), parsed.rows[1].note.as_str()), ("读报", "入户"));
}

#[test]
fn every_bad_cell_is_named_by_row_column_value_and_reason() {
    let table = text_table(&[
        &["姓名", "手机号码", "事项", "积分", "日期", "备注"],
        &["张三", "1380000", "读报", "1.5", "2026-12-03", ""],
        &["李四", "13800002222", "", "11", "2026-12-05", ""],
        &["王五", "", "读报", "2", "2026-12-10", ""],
        &["", "", "", "", "", ""],
        &["赵六", "13800003333", "读报", "2", "2026-12", ""],
    ]);
    let parsed = read_sheet(&table, &rules(), &window(), day(9)).unwrap();
    assert!(parsed.rows.is_empty());
    let found: Vec<(usize, &str, &str)> =
        parsed.errors.iter().map(|e| (e.row, e.column.as_str(), e.value.as_str())).collect();
    assert_eq!(
        found,
        vec![
            (2, "手机号码", "1380000"),
            (2, "积分", "1.5"),
            (3, "事项", ""),
            (3, "积分", "11"),
            (4, "手机号码", ""),
            (4, "日期", "2026-12-10"),
            (6, "日期", "2026-12"),
        ],
        "{:#?}",
        parsed.errors
    );
    assert!(parsed.errors[1].reason.contains("正整数"));
    assert!(parsed.errors[3].reason.contains("每日最多10分"), "the cap of the rule in effect");
    assert!(parsed.errors[5].reason.contains("不晚于今天"));
}

#[test]
fn a_header_without_the_needed_columns_says_which() {
    let table = text_table(&[&["姓名", "事项", "日期"], &["张三", "读报", "2026-12-03"]]);
    let error = read_sheet(&table, &rules(), &window(), day(9)).unwrap_err();
    assert_eq!(error, "表头缺少以下列：手机号码或身份证号码、积分");
    let none = text_table(&[&["名单"], &["张三"]]);
    assert!(read_sheet(&none, &rules(), &window(), day(9)).unwrap_err().contains("没有“姓名”列"));
}
