use super::testing::{write_date, write_texts, xlsx_bytes};
use super::*;
use encoding_rs::GB18030;
use rust_xlsxwriter::{Format, Workbook};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn numbers(table: &Table) -> Vec<usize> {
    table.rows.iter().map(|r| r.number).collect()
}

#[test]
fn xlsx_cells_keep_their_types() {
    let bytes = xlsx_bytes(|sheet| {
        write_texts(sheet, 0, 0, &["姓名", "手机", "出生日期", "党员", "备注"])?;
        sheet.write_string(1, 0, "张三")?;
        sheet.write_number(1, 1, 13812345678.0)?;
        write_date(sheet, 1, 2, (1950, 3, 12))?;
        sheet.write_boolean(1, 3, true)?;
        sheet.write_number(1, 4, 1.5)?;
        Ok(())
    });
    let table = read_table("花名册.xlsx", &bytes).unwrap();
    assert_eq!(numbers(&table), [1, 2]);
    let row = &table.rows[1];
    assert_eq!(row.cell(0), &text("张三"));
    assert_eq!(row.cell(1), &Cell::Number(13812345678.0));
    assert_eq!(row.cell(2), &Cell::Date(ymd(1950, 3, 12)));
    assert_eq!(row.cell(3), &text("TRUE"));
    assert_eq!(row.cell(4), &Cell::Number(1.5));
    assert_eq!(row.cell(99), &Cell::Empty);
}

#[test]
fn row_numbers_match_excel_when_the_sheet_does_not_start_at_a1() {
    // Data starts at C3 with a blank row and a whitespace-only row inside.
    let bytes = xlsx_bytes(|sheet| {
        write_texts(sheet, 2, 2, &["姓名", "性别"])?;
        write_texts(sheet, 3, 2, &["张三", "男"])?;
        sheet.write_string(5, 3, "   ")?;
        write_texts(sheet, 6, 2, &["李四", ""])?;
        Ok(())
    });
    let table = read_table("a.xlsx", &bytes).unwrap();
    assert_eq!(numbers(&table), [3, 4, 7]);
    assert_eq!(table.rows[0].cell(2), &text("姓名"));
    assert_eq!(table.rows[2].cells, vec![Cell::Empty, Cell::Empty, text("李四")]);
}

#[test]
fn merged_title_row_is_row_one() {
    let bytes = xlsx_bytes(|sheet| {
        sheet.merge_range(0, 0, 0, 3, "石湫街道蟹塘社区党员花名册", &Format::new())?;
        write_texts(sheet, 1, 0, &["序号", "姓名"])?;
        Ok(())
    });
    let table = read_table("a.XLSX", &bytes).unwrap();
    assert_eq!(numbers(&table), [1, 2]);
    assert_eq!(table.rows[0].cell(0), &text("石湫街道蟹塘社区党员花名册"));
}

#[test]
fn first_visible_worksheet_is_read() {
    let mut workbook = Workbook::new();
    let lists = workbook.add_worksheet().set_name("下拉选项").unwrap();
    lists.write_string(0, 0, "老党员").unwrap();
    lists.set_hidden(true);
    let data = workbook.add_worksheet().set_name("花名册").unwrap();
    data.write_string(0, 0, "姓名").unwrap();
    data.set_active(true);
    workbook.add_worksheet().write_string(0, 0, "第三页").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let table = read_table("a.xlsx", &bytes).unwrap();
    assert_eq!(table.rows[0].cell(0), &text("姓名"));
}

#[test]
fn legacy_xls_fixture_is_read() {
    let bytes = include_bytes!("../../../tests/fixtures/roster.xls");
    let table = read_table("roster.xls", bytes).unwrap();
    assert_eq!(numbers(&table), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(table.rows[0].cell(0), &text("石湫街道蟹塘社区党员花名册"));
    assert_eq!(table.rows[1].cell(1), &text("姓名"));
    let first = &table.rows[2];
    assert_eq!(first.cell(0), &Cell::Number(1.0));
    assert_eq!(first.cell(1), &text("张三"));
    assert_eq!(first.cell(3), &Cell::Date(ymd(1950, 3, 12)));
    assert_eq!(first.cell(4), &Cell::Number(13812345678.0));
}

#[test]
fn extension_lies_are_resolved_by_the_bytes() {
    let bytes = xlsx_bytes(|sheet| write_texts(sheet, 0, 0, &["姓名"]));
    for name in ["a.csv", "a.xls", "a.txt", "no-extension"] {
        let table = read_table(name, &bytes).unwrap();
        assert_eq!(table.rows[0].cell(0), &text("姓名"), "{name}");
    }
    let xls = include_bytes!("../../../tests/fixtures/roster.xls");
    assert_eq!(read_table("roster.xlsx", xls).unwrap().rows.len(), 7);
}

#[test]
fn unknown_formats_are_refused_in_chinese() {
    let err = read_table("photo.jpg", b"\xFF\xD8\xFF\xE0 not a sheet").unwrap_err();
    assert_eq!(err, TableError::UnknownFormat);
    assert_eq!(err.to_string(), "无法识别的文件格式，请上传 .xlsx、.xls 或 .csv 文件");
    assert_eq!(read_table("roster.txt", b"a,b").unwrap_err(), TableError::UnknownFormat);
    let fake = read_table("roster.xlsx", b"name,phone\n").unwrap_err();
    assert_eq!(fake.to_string(), "文件已损坏或不是有效的 Excel 文件");
}

#[test]
fn corrupt_and_random_bytes_never_panic() {
    let good = xlsx_bytes(|sheet| {
        write_texts(sheet, 0, 0, &["姓名", "手机号码"])?;
        write_texts(sheet, 1, 0, &["张三", "13812345678"])?;
        Ok(())
    });
    let xls = include_bytes!("../../../tests/fixtures/roster.xls");
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for cut in (0..good.len()).step_by(97) {
        // The zip directory sits at the end, so any cut loses it.
        assert!(read_table("a.xlsx", &good[..cut]).is_err(), "truncated at {cut}");
    }
    for source in [&good[..], &xls[..]] {
        for cut in (0..source.len()).step_by(89) {
            let _ = read_table("a.xls", &source[..cut]);
        }
        for _ in 0..100 {
            let mut damaged = source.to_vec();
            let index = random() as usize % damaged.len();
            damaged[index] = random() as u8;
            let _ = read_table("a.xlsx", &damaged);
        }
    }
    for length in [0, 1, 4, 8, 100, 4096] {
        let mut noise: Vec<u8> = (0..length).map(|_| random() as u8).collect();
        for prefix in [&b""[..], ZIP_MAGIC, OLE_MAGIC] {
            noise.splice(..prefix.len().min(noise.len()), prefix.iter().copied());
            for name in ["a.xlsx", "a.xls", "a.csv", "a.bin"] {
                let _ = read_table(name, &noise);
            }
        }
    }
}

#[test]
fn utf8_csv_with_bom_is_all_text() {
    let bytes = "\u{FEFF}姓名,手机号码,出生日期\n张三,13812345678,1950/3/12\n\n李四,,\n".as_bytes();
    let table = read_table("名单.CSV", bytes).unwrap();
    assert_eq!(numbers(&table), [1, 2, 4]);
    assert_eq!(table.rows[0].cell(0), &text("姓名"));
    assert_eq!(table.rows[1].cell(1), &text("13812345678"));
    assert_eq!(table.rows[1].cell(2), &text("1950/3/12"));
    assert_eq!(table.rows[2].cells, vec![text("李四")]);
}

#[test]
fn gbk_csv_is_decoded() {
    let source = "姓名,所在单位,人员类别\r\n张三,蟹塘社区党支部,\"老党员、困难党员\"\r\n";
    let (encoded, _, unmappable) = GB18030.encode(source);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&encoded).is_err(), "must really be GBK");
    let table = read_table("roster.csv", &encoded).unwrap();
    assert_eq!(table.rows[1].cell(1), &text("蟹塘社区党支部"));
    assert_eq!(table.rows[1].cell(2), &text("老党员、困难党员"));
}

#[test]
fn csv_quoted_newlines_tabs_and_utf16_are_handled() {
    let quoted = "姓名,备注\r\n张三,\"第一行\r\n第二行\"\r\n\r\n李四,\"a\nb\nc\"\r\n王五,x";
    let table = read_table("a.csv", quoted.as_bytes()).unwrap();
    assert_eq!(numbers(&table), [1, 2, 4, 5]);
    assert_eq!(table.rows[1].cell(1), &text("第一行\r\n第二行"));

    let old_mac = read_table("a.csv", "姓名\r\r张三\r李四".as_bytes()).unwrap();
    assert_eq!(numbers(&old_mac), [1, 3, 4]);

    let tabbed = read_table("a.csv", "姓名\t性别\n张三\t男\n".as_bytes()).unwrap();
    assert_eq!(tabbed.rows[1].cell(1), &text("男"));

    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("姓名,性别\n".encode_utf16().flat_map(u16::to_le_bytes));
    let table = read_table("a.csv", &utf16).unwrap();
    assert_eq!(table.rows[0].cell(1), &text("性别"));
}

#[test]
fn too_many_rows_or_columns_are_refused() {
    let rows = "x\n".repeat(MAX_ROWS + 1);
    let err = read_table("big.csv", rows.as_bytes()).unwrap_err();
    assert_eq!(err, TableError::TooManyRows { limit: MAX_ROWS });
    assert_eq!(err.to_string(), "表格超过200000行，请拆分成几个文件分别上传");
    let exactly = "x\n".repeat(MAX_ROWS);
    assert_eq!(read_table("ok.csv", exactly.as_bytes()).unwrap().rows.len(), MAX_ROWS);

    let wide = format!("{}x\n", ",".repeat(MAX_COLUMNS));
    let err = read_table("wide.csv", wide.as_bytes()).unwrap_err();
    assert_eq!(err, TableError::TooManyColumns { limit: MAX_COLUMNS });
    // A far-away cell in an .xlsx is refused instead of allocating a grid.
    let bytes = xlsx_bytes(|sheet| {
        sheet.write_string(0, 0, "姓名")?;
        sheet.write_string(1_000_000, 16_000, "x")?;
        Ok(())
    });
    assert!(matches!(read_table("a.xlsx", &bytes), Err(TableError::TooManyColumns { .. })));
}

#[test]
fn out_of_order_cells_are_sorted_and_merged() {
    let mut rows = RowsBuilder::default();
    rows.push(4, 0, text("b")).unwrap();
    rows.push(1, 1, text("a2")).unwrap();
    rows.push(1, 0, text("a1")).unwrap();
    rows.push(4, 2, text("b3")).unwrap();
    let table = rows.finish();
    assert_eq!(numbers(&table), [2, 5]);
    assert_eq!(table.rows[0].cells, vec![text("a1"), text("a2")]);
    assert_eq!(table.rows[1].cells, vec![text("b"), Cell::Empty, text("b3")]);
}

#[test]
fn cell_text_reads_like_excel() {
    assert_eq!(Cell::Number(13812345678.0).to_text(), "13812345678");
    assert_eq!(Cell::Number(1.25).to_text(), "1.25");
    assert_eq!(Cell::Number(-3.0).to_text(), "-3");
    assert_eq!(Cell::Number(3.201171990010112e17).to_text(), "320117199001011200");
    assert_eq!(Cell::Date(ymd(2021, 3, 2)).to_text(), "2021-03-02");
    assert_eq!(Cell::Empty.to_text(), "");
}

#[test]
fn iso_and_error_values_convert() {
    assert_eq!(cell_from_data(Data::DateTimeIso("2021-03-02T08:00:00".into())), Cell::Date(ymd(2021, 3, 2)));
    assert_eq!(cell_from_data(Data::DateTimeIso("08:00:00".into())), text("08:00:00"));
    assert_eq!(cell_from_data(Data::Int(7)), Cell::Number(7.0));
    assert_eq!(cell_from_data(Data::String(" \u{3000}".into())), Cell::Empty);
    assert_eq!(cell_from_data(Data::Error(calamine::CellErrorType::NA)), text("#N/A"));
}

#[test]
fn a_cell_longer_than_excel_allows_is_refused_with_its_position() {
    let at_limit = format!("姓名\n{}\n", "长".repeat(MAX_CELL_CHARS));
    assert_eq!(read_table("ok.csv", at_limit.as_bytes()).unwrap().rows.len(), 2);
    let over = format!("姓名,备注\n张三,{}\n", "x".repeat(MAX_CELL_CHARS + 1));
    let err = read_table("long.csv", over.as_bytes()).unwrap_err();
    assert_eq!(err, TableError::CellTooLong { row: 2, column: "B".into() });
    assert_eq!(
        err.to_string(),
        "第2行B列的内容超过32767个字符（Excel 单元格的上限），请检查该单元格后重新上传"
    );
}

#[test]
fn the_number_of_cells_and_their_text_are_bounded() {
    // 10,000 rows × 255 columns: the shape that took 2.8 GB.
    let wide = format!("{}x\n", "x,".repeat(254)).repeat(MAX_CELLS / 255 + 1);
    let err = read_table("wide.csv", wide.as_bytes()).unwrap_err();
    assert_eq!(err, TableError::TooMuchContent);
    assert_eq!(err.to_string(), "表格内容太多，请拆分成几个文件分别上传");
    // Blanks before a far-right value count: they are allocated too.
    let mut rows = RowsBuilder::default();
    let last_row = (MAX_CELLS / MAX_COLUMNS) as u32;
    for row in 0..last_row {
        rows.push(row, (MAX_COLUMNS - 1) as u32, text("x")).unwrap();
    }
    assert_eq!(rows.push(last_row, (MAX_COLUMNS - 1) as u32, text("x")), Err(TableError::TooMuchContent));
    // Long text repeated in every cell (one shared string, many references).
    let mut rows = RowsBuilder::default();
    let long = "x".repeat(MAX_CELL_CHARS);
    let fits = (MAX_TEXT_BYTES / MAX_CELL_CHARS) as u32;
    for row in 0..fits {
        rows.push(row, 0, text(&long)).unwrap();
    }
    assert_eq!(rows.push(fits, 0, text(&long)), Err(TableError::TooMuchContent));
}

#[test]
fn a_csv_line_of_endless_delimiters_is_refused_before_parsing() {
    let commas = format!("姓名\n{}\n", ",".repeat(1_000_000));
    let err = read_table("commas.csv", commas.as_bytes()).unwrap_err();
    assert_eq!(err, TableError::TooManyColumns { limit: MAX_COLUMNS });
    // Delimiters inside quotes are text, and trailing blank columns still read.
    let quoted = format!("姓名,备注\n张三,\"{}\"{}\n", ",".repeat(20_000), ",".repeat(300));
    assert_eq!(read_table("quoted.csv", quoted.as_bytes()).unwrap().rows.len(), 2);
}

#[test]
fn column_names_are_excel_letters() {
    assert_eq!(column_name(0), "A");
    assert_eq!(column_name(25), "Z");
    assert_eq!(column_name(26), "AA");
    assert_eq!(column_name(255), "IV");
}
