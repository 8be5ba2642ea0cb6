//! The roster template offered on the import page: a real .xlsx with the headers the import
//! recognises, one example row that imports as it stands, and a sheet of filling-in notes.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::xlsx::{RosterExportRow, write_member, write_title_and_header};
use crate::people::id_card::compute_check_char;
use crate::people::model::{Gender, MemberCategories, MemberStatus};

/// The example row's ID card: born 1965-07-12, male (odd sequence digit), its check digit computed.
fn example_id_card() -> Option<String> {
    let first17 = "32011719650712013";
    compute_check_char(first17).map(|check| format!("{first17}{check}"))
}

/// The example member, in `unit` (a unit the downloading person may import into).
fn example_row(unit: &str) -> RosterExportRow {
    RosterExportRow {
        name: "张三".into(),
        gender: Some(Gender::Male),
        birth_date: NaiveDate::from_ymd_opt(1965, 7, 12),
        phone: Some("13800000000".into()),
        id_card: example_id_card(),
        unit_name: unit.to_owned(),
        joined_party_on: NaiveDate::from_ymd_opt(1990, 7, 1),
        categories: MemberCategories::MOBILE,
        status: MemberStatus::Active,
        address: Some("和凤村3组12号".into()),
    }
}

/// What each column may be called and how to fill it in, for the notes sheet.
const NOTES: [(&str, &str); 10] = [
    ("姓名", "必填。"),
    ("手机号码", "手机号码与身份证号至少填一项；11位手机号。也可叫“手机号”“联系电话”。"),
    ("身份证号", "18位；请把该列设为文本格式，否则Excel会丢掉末尾数字。"),
    (
        "所在单位",
        "必填（或导入时选择统一归入的单位）。也可叫“所在村社”“所属社区”“党组织名称”“所在支部”等；写不下时可用“村社/支部”。",
    ),
    ("性别", "可不填，按身份证号推算。"),
    ("出生日期", "如 1965-07-12；可不填，按身份证号推算。"),
    ("入党时间", "如 1990-07-01 或 1990.07；早于年满18周岁的不会阻止导入，但会标记“数据存疑”。"),
    ("人员类别", "可多项，用“、”分隔：老党员、困难党员、流动党员、无智能手机、长期患病。"),
    ("状态", "不填为正常。"),
    (
        "住址",
        "可不填，最多100字，如“和凤村3组12号”；送学上门时志愿者据此上门。也可叫“家庭住址”“现住址”“居住地址”。",
    ),
];

/// Writes the template workbook: 花名册 (title, header, the example row) and 填写说明.
pub fn write_template_xlsx(unit: &str) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("花名册")?;
    write_title_and_header(sheet, "党员花名册（第3行为示例，请替换为本单位党员）")?;
    write_member(sheet, 2, &example_row(unit), &Format::new().set_num_format("yyyy-mm-dd"))?;
    let notes = workbook.add_worksheet();
    notes.set_name("填写说明")?;
    let bold = Format::new().set_bold();
    notes.write_string_with_format(0, 0, "列名", &bold)?;
    notes.write_string_with_format(0, 1, "填写说明", &bold)?;
    for (row, (column, note)) in (1u32..).zip(NOTES) {
        notes.write_string(row, 0, column)?;
        notes.write_string(row, 1, note)?;
    }
    notes.set_column_width(0, 12)?;
    notes.set_column_width(1, 90)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::table::read_table;
    use crate::roster::parse::parse_roster;

    #[test]
    fn the_template_reads_back_as_its_example_member() {
        let bytes = write_template_xlsx("蟹塘社区第一党支部").unwrap();
        let table = read_table("模板.xlsx", &bytes).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let records = parse_roster(&table, today, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].name, "张三");
        assert_eq!(records[0].unit_name, "蟹塘社区第一党支部");
        assert!(records[0].id_card.is_some(), "the example ID card is valid");
        assert_eq!(records[0].address.as_deref(), Some("和凤村3组12号"));
    }
}
