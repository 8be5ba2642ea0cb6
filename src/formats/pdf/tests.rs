//! End-to-end tests of the sign-in sheet: the PDF is rendered and read back with poppler.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use super::*;

/// The system font, loaded once for all tests (it is a 20 MB file).
fn font() -> &'static FontSource {
    static FONT: OnceLock<FontSource> = OnceLock::new();
    FONT.get_or_init(|| find_cjk_font(None).expect("install fonts-noto-cjk"))
}

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: &[&str] = &["建国", "秀英", "卫东", "桂兰", "志强", "玉梅", "德华", "淑珍", "海燕"];
const UNITS: &[&str] = &["蟹塘社区", "石湫社区", "九塘行政村", "向阳村", "明觉村第二党支部"];

fn sheet(rows: usize) -> SignInSheet {
    SignInSheet {
        title: "2020–2021年度冬训 · 书记开讲第一课".into(),
        lines: vec![
            "时间：2020年12月7日（星期一）14:30".into(),
            "地点：石湫街道新时代文明实践所二楼报告厅".into(),
            "宣讲人：街道党工委书记".into(),
        ],
        rows: (0..rows)
            .map(|i| SignInRow {
                name: format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[i % GIVEN.len()]),
                unit: UNITS[i % UNITS.len()].into(),
                note: if i % 7 == 3 { "老党员".into() } else { String::new() },
            })
            .collect(),
    }
}

/// Counts page objects (`/Type/Page`, not `/Type/Pages`): krilla writes its object
/// dictionaries uncompressed and without spaces.
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
}

/// pdftotext's output without whitespace: it drops the narrow spaces between CJK glyphs
/// ("第 1 / 2 页" comes back as "第1/2页") and lays columns out with runs of spaces.
fn squeeze(text: &[u8]) -> String {
    String::from_utf8_lossy(text).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Runs a poppler tool. A missing tool fails the test: these tests are how we know the Chinese
/// text of the sheet reads back, and `scripts/test` installs poppler-utils.
fn poppler(tool: &str, args: &[&str]) -> std::process::Output {
    match Command::new(tool).args(args).output() {
        Ok(output) => {
            assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
            output
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("{tool} is not installed: apt-get install poppler-utils (scripts/test does it)")
        }
        Err(e) => panic!("{tool}: {e}"),
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dongxun-pdf-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_45_row_sheet_is_a_small_multi_page_pdf() {
    let pdf = sign_in_sheet_pdf(&sheet(45), font()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
    assert_eq!(page_count(&pdf), 2, "45 rows take two pages");
    // The font is subset: only the glyphs used are embedded.
    assert!(pdf.len() < 40_000, "{} bytes", pdf.len());
}

#[test]
fn every_row_appears_once_with_its_number() {
    let sheet = sheet(45);
    let pdf = sign_in_sheet_pdf(&sheet, font()).unwrap();
    let dir = temp_dir("rows");
    let path = dir.join("sheet.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let output = poppler("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
    std::fs::remove_dir_all(&dir).unwrap();
    let text = squeeze(&output.stdout);
    for (i, row) in sheet.rows.iter().enumerate() {
        let numbered = format!("{}{}{}", i + 1, row.name, row.unit);
        assert_eq!(text.matches(&numbered).count(), 1, "{numbered}:\n{text}");
    }
    assert!(text.contains("第1/2页") && text.contains("第2/2页"), "{text}");
    // The header row is repeated on the second page.
    assert_eq!(text.matches("所在单位").count(), 2, "{text}");
    assert!(text.contains("签到表（续）"));
    assert!(text.contains("应到45人"), "{text}");
}

#[test]
fn page_one_renders_and_its_chinese_text_round_trips() {
    let pdf = sign_in_sheet_pdf(&sheet(45), font()).unwrap();
    let dir = temp_dir("render");
    let path = dir.join("sheet.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let pdf_arg = path.to_str().unwrap();

    let prefix = dir.join("page");
    let args = ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"];
    poppler("pdftoppm", &[&args[..], &[pdf_arg, prefix.to_str().unwrap()]].concat());
    let png = std::fs::read(dir.join("page.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    // 60 dpi A4 is about 496 × 702 pixels.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert!((490..=500).contains(&width) && (698..=706).contains(&height), "{width}×{height}");
    // Outside the work tree, so running the tests leaves no stray file in the repository.
    let keep = std::env::temp_dir().join("dongxun-sign-in-sheet-page1.png");
    // A sharper copy is kept for a person to look at.
    let hi_res = dir.join("hi");
    let hi_args = ["-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile"];
    poppler("pdftoppm", &[&hi_args[..], &[pdf_arg, hi_res.to_str().unwrap()]].concat());
    std::fs::copy(dir.join("hi.png"), &keep).unwrap();
    println!("page 1 rendered to {}", keep.display());

    let output = poppler("pdftotext", &["-f", "1", "-l", "1", pdf_arg, "-"]);
    std::fs::remove_dir_all(&dir).unwrap();
    let text = squeeze(&output.stdout);
    for expected in [
        "签到表",
        "书记开讲第一课",
        "序号",
        "姓名",
        "所在单位",
        "备注",
        "签名",
        "王建国",
        "蟹塘社区",
        "老党员",
        "第1/2页",
        "地点：石湫街道新时代文明实践所二楼报告厅",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
}

#[test]
fn an_empty_list_prints_one_page_of_blank_rows() {
    let pdf = sign_in_sheet_pdf(&sheet(0), font()).unwrap();
    assert_eq!(page_count(&pdf), 1);
}

#[test]
fn a_sheet_that_exactly_fills_page_one_has_one_page() {
    let capacity = rows_that_fit(first_page_header_height(3));
    let pdf = sign_in_sheet_pdf(&sheet(capacity), font()).unwrap();
    assert_eq!(page_count(&pdf), 1);
    let pdf = sign_in_sheet_pdf(&sheet(capacity + 1), font()).unwrap();
    assert_eq!(page_count(&pdf), 2);
}

#[test]
fn page_one_holds_about_twenty_rows() {
    let first = rows_that_fit(first_page_header_height(3));
    let next = rows_that_fit(CONTINUED_TABLE_TOP);
    assert!((18..=23).contains(&first), "{first}");
    assert!((23..=26).contains(&next), "{next}");
    // Fewer meta lines leave more room, never less.
    assert!(rows_that_fit(first_page_header_height(0)) >= first);
}

#[test]
fn long_and_odd_text_is_fitted_not_overflowed() {
    let mut sheet = sheet(3);
    sheet.title = "2020–2021年度冬训 · ".repeat(8);
    sheet.lines.push("备注：".repeat(40));
    sheet.rows[0].unit = "石湫街道新时代文明实践所理论宣讲志愿服务队第一分队第三小组".into();
    sheet.rows[1].name = "欧阳\n娜娜\t".into();
    sheet.rows[2].note = "".into();
    let pdf = sign_in_sheet_pdf(&sheet, font()).unwrap();
    assert_eq!(page_count(&pdf), 1);
    let dir = temp_dir("odd");
    let path = dir.join("sheet.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let output = poppler("pdftotext", &[path.to_str().unwrap(), "-"]);
    std::fs::remove_dir_all(&dir).unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("欧阳 娜娜") || text.contains("欧阳娜娜"), "{text}");
    assert!(text.contains("石湫街道新时代文明实践所"), "{text}");
    assert!(text.contains('…'), "{text}");
}

#[test]
fn too_many_rows_is_refused_in_chinese() {
    let err = sign_in_sheet_pdf(&sheet(MAX_ROWS + 1), font()).unwrap_err();
    assert_eq!(err.to_string(), "签到名单太长：一次最多打印 2000 人，请按村社或支部分开打印");
}

#[test]
fn the_document_title_and_language_are_set() {
    let pdf = sign_in_sheet_pdf(&sheet(1), font()).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Lang(zh-CN)"), "language missing");
    assert!(text.contains("<dc:language><rdf:Bag><rdf:li>zh-CN"), "XMP language missing");
}

fn certificate(name: &str) -> Certificate {
    Certificate {
        name: name.into(),
        unit: "蟹塘社区".into(),
        month: "2026年11月".into(),
        reason: "2026年11月积分蟹塘社区第1名（86分，参加学习4次）".into(),
        issuer: "石湫街道党工委".into(),
        date: "2026年12月1日".into(),
        citation: None,
    }
}

#[test]
fn certificates_are_landscape_a4_one_page_each_and_read_back() {
    let pdf = certificates_pdf(&[certificate("王建国"), certificate("欧阳秀英")], font()).unwrap();
    assert_eq!(page_count(&pdf), 2);
    let dir = temp_dir("certificate");
    let path = dir.join("awards.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let pdf_arg = path.to_str().unwrap();
    let prefix = dir.join("page");
    poppler(
        "pdftoppm",
        &["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf_arg, prefix.to_str().unwrap()],
    );
    let png = std::fs::read(dir.join("page.png")).unwrap();
    // 60 dpi A4 landscape is about 702 × 496 pixels.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert!((698..=706).contains(&width) && (490..=500).contains(&height), "{width}×{height}");
    let hi = dir.join("hi");
    poppler(
        "pdftoppm",
        &["-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile", pdf_arg, hi.to_str().unwrap()],
    );
    let keep = std::env::temp_dir().join("dongxun-certificate-page1.png");
    std::fs::copy(dir.join("hi.png"), &keep).unwrap();
    println!("certificate rendered to {}", keep.display());
    // -raw: in drawing order, so the widely spaced title 「奖　状」 reads as one word.
    let text = squeeze(&poppler("pdftotext", &["-raw", pdf_arg, "-"]).stdout);
    std::fs::remove_dir_all(&dir).unwrap();
    for expected in [
        "奖状",
        "王建国同志",
        "欧阳秀英同志",
        "蟹塘社区",
        "2026年11月",
        "第1名",
        "石湫街道党工委",
        "2026年12月1日",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
}

#[test]
fn too_many_certificates_are_refused_in_chinese() {
    let many = vec![certificate("王建国"); MAX_CERTIFICATES + 1];
    let error = certificates_pdf(&many, font()).unwrap_err();
    assert!(error.to_string().contains("奖状太多"), "{error}");
}
