//! Spreadsheet bombs (issue 8, item 2): crafted uploads that expand to
//! gigabytes are refused in Chinese, and reading any of them stays within
//! 300 MB. Its own test binary, because peak memory is measured with a
//! counting global allocator that the other tests need not pay for.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use dongxun::formats::table::{MAX_CELL_CHARS, Table, TableError, read_table};
use rust_xlsxwriter::Worksheet;

#[path = "support/bombs.rs"]
mod bombs;
#[path = "table_bombs/xls.rs"]
mod xls;

use bombs::{Entry, GIB, SST_HEAD, one_cell, shared_string_bomb, workbook_with};

/// The memory goal of the issue for any upload up to the upload limit.
const MEMORY_BOUND: usize = 300 * 1024 * 1024;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// One measurement at a time: the counters are process-wide.
static MEASURING: Mutex<()> = Mutex::new(());

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::SeqCst) + by;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
            grew(new_size);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Reads the upload and returns the result with the most memory held at
/// once while reading, beyond what was held before.
fn read_measured(file_name: &str, bytes: &[u8]) -> (Result<Table, TableError>, usize) {
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let result = read_table(file_name, bytes);
    (result, PEAK.load(Ordering::SeqCst) - before)
}

fn assert_refused_within_bound(file_name: &str, bytes: &[u8], expected: &TableError) {
    let (result, peak) = read_measured(file_name, bytes);
    assert_eq!(result.as_ref().err(), Some(expected), "{file_name}");
    assert!(peak < MEMORY_BOUND, "{file_name}: peak {} MB", peak >> 20);
}

#[test]
fn a_shared_string_expanding_to_a_gigabyte_is_refused() {
    let bomb = workbook_with(one_cell, shared_string_bomb(GIB, GIB as u32));
    assert!(bomb.len() < 8 * 1024 * 1024, "{} bytes", bomb.len());
    assert_refused_within_bound("bomb.xlsx", &bomb, &TableError::ExpandsTooMuch);
    assert_eq!(
        TableError::ExpandsTooMuch.to_string(),
        "文件解压后过大，可能已损坏或含有异常内容；请用 Excel 打开后另存为新文件，或拆分成几个文件分别上传"
    );
}

#[test]
fn a_bomb_that_declares_a_small_size_is_refused_all_the_same() {
    let liar = workbook_with(one_cell, shared_string_bomb(GIB, 1000));
    let (result, peak) = read_measured("liar.xlsx", &liar);
    assert!(result.is_err(), "a lying archive is never read");
    assert!(peak < MEMORY_BOUND, "peak {} MB", peak >> 20);
}

#[test]
fn a_shared_string_longer_than_an_excel_cell_is_refused() {
    let long = "a".repeat(MAX_CELL_CHARS + 1);
    let part = format!("{SST_HEAD}<si><t>姓名</t></si><si><t>{long}</t></si></sst>");
    let file = workbook_with(one_cell, Entry::stored("xl/sharedStrings.xml", part.into_bytes()));
    let expected = TableError::CellTooLong { row: 2, column: "A".into() };
    assert_refused_within_bound("long.xlsx", &file, &expected);
}

#[test]
fn one_long_string_in_every_cell_is_refused() {
    // 10,000 references to one 30,000-character string: 300 MB once copied.
    let cells = |sheet: &mut Worksheet| {
        for row in 0..10_000 {
            sheet.write_string(row, 0, "x")?;
        }
        Ok(())
    };
    let part = format!("{SST_HEAD}<si><t>{}</t></si></sst>", "a".repeat(30_000));
    let file = workbook_with(cells, Entry::stored("xl/sharedStrings.xml", part.into_bytes()));
    assert_refused_within_bound("many.xlsx", &file, &TableError::TooMuchContent);
}

#[test]
fn a_million_shared_strings_are_refused() {
    let part = format!("{SST_HEAD}{}</sst>", "<si><t>a</t></si>".repeat(1_100_000));
    let file = workbook_with(one_cell, Entry::stored("xl/sharedStrings.xml", part.into_bytes()));
    assert_refused_within_bound("strings.xlsx", &file, &TableError::TooMuchContent);
}

#[test]
fn a_wide_csv_at_the_upload_limit_stays_within_the_bound() {
    // 40,000 rows × 255 columns, 20 MB: the shape that took 2.8 GB as a sheet.
    let csv = format!("{}x\n", "x,".repeat(254)).repeat(40_000);
    assert_refused_within_bound("wide.csv", csv.as_bytes(), &TableError::TooMuchContent);
}
