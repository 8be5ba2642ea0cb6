//! The offline points sheet template offered on the upload page: a title row, the header the
//! import recognises, one example row, and a sheet of filling-in notes.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// The header, in the order the template writes it.
pub const HEADER: [&str; 6] = ["姓名", "手机号码", "事项", "积分", "日期", "备注"];

const NOTES: [(&str, &str); 7] = [
    ("姓名", "必填，与党员名册一致。"),
    ("手机号码", "与名册中的手机号码一致；也可改为“身份证号码”列（请设为文本格式）。两者至少填一项。"),
    ("事项", "必填，如“观看党课录像”“集中读报”，最多50字。"),
    ("积分", "正整数，不超过线下学习的每日上限（见积分规则）。"),
    ("日期", "学习的日期，如 2026-12-03；须在本次冬训期间且不晚于今天。"),
    ("备注", "可不填，最多50字；同一人同一天同一事项记两次时，请在备注中注明区别。"),
    (
        "说明",
        "列的顺序不限，可有标题行和序号列；任何一行有误整份表都不会导入；同一份表重复导入不会重复记分。",
    ),
];

/// Writes the template with an example member (`name`, `phone`) studying on `day`.
pub fn write_template_xlsx(name: &str, phone: &str, day: NaiveDate) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("线下学习积分")?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, "线下学习积分登记表（第3行为示例，请替换）", &bold)?;
    for (column, title) in (0u16..).zip(HEADER) {
        sheet.write_string_with_format(1, column, title, &bold)?;
    }
    let text = Format::new().set_num_format("@");
    sheet.write_string(2, 0, name)?;
    sheet.write_string_with_format(2, 1, phone, &text)?;
    sheet.write_string(2, 2, "观看党课录像")?;
    sheet.write_number(2, 3, 2.0)?;
    let date = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
    sheet.write_date_with_format(2, 4, &date, &Format::new().set_num_format("yyyy-mm-dd"))?;
    sheet.write_string(2, 5, "村部集中观看")?;
    sheet.set_column_width(1, 14)?;
    sheet.set_column_width(2, 18)?;
    sheet.set_column_width(4, 12)?;
    sheet.set_column_width(5, 18)?;
    let notes = workbook.add_worksheet();
    notes.set_name("填写说明")?;
    for (row, (column, note)) in (0u32..).zip(NOTES) {
        notes.write_string_with_format(row, 0, column, &bold)?;
        notes.write_string(row, 1, note)?;
    }
    notes.set_column_width(1, 90)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::table::read_table;
    use crate::points::model::{PointKind, Rule};
    use crate::points::offline::Window;
    use crate::points::offline::sheet::read_sheet;

    #[test]
    fn the_template_reads_back_as_its_example_row() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let bytes = write_template_xlsx("张三", "13800000000", day).unwrap();
        let table = read_table("模板.xlsx", &bytes).unwrap();
        let rule = Rule {
            kind: PointKind::Offline,
            points: 1,
            daily_cap: Some(10),
            per_item_cap: None,
            minutes_per_point: None,
            windows: Vec::new(),
            window_multiplier: 1,
            effective_from: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        };
        let window = Window::new(1, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), day, day);
        let parsed = read_sheet(&table, &[rule], &window, day).unwrap();
        assert_eq!(parsed.errors, Vec::new());
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(
            (parsed.rows[0].name.as_str(), parsed.rows[0].points, parsed.rows[0].day),
            ("张三", 2, day)
        );
        assert_eq!(parsed.rows[0].phone.as_ref().map(|p| p.as_str()), Some("13800000000"));
    }
}
