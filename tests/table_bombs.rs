//! Spreadsheet bombs (issue 8, item 2): crafted uploads that expand to
//! gigabytes are refused in Chinese, and reading any of them stays within
//! 300 MB. Its own test binary, because peak memory is measured with a
//! counting global allocator that the other tests need not pay for.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Cursor, Read};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use dongxun::formats::table::{MAX_CELL_CHARS, Table, TableError, read_table};
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

#[path = "table_bombs/xls.rs"]
mod xls;

/// The memory goal of the issue for any upload up to the upload limit.
const MEMORY_BOUND: usize = 300 * 1024 * 1024;
const GIB: u64 = 1024 * 1024 * 1024;

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

/// One zip entry as it will be written.
struct Entry {
    name: String,
    /// 0 stored, 8 deflate.
    method: u16,
    data: Vec<u8>,
    /// What the headers claim the entry expands to.
    declared_size: u32,
    crc: u32,
}

impl Entry {
    fn stored(name: &str, data: Vec<u8>) -> Entry {
        let crc = crc32(&data);
        let declared_size = u32::try_from(data.len()).unwrap();
        Entry { name: name.into(), method: 0, data, declared_size, crc }
    }
}

/// The parts of a real one-sheet workbook, stored uncompressed, with the
/// shared-strings part replaced by `shared_strings`.
fn workbook_with(
    build: impl FnOnce(&mut Worksheet) -> Result<(), XlsxError>,
    shared_strings: Entry,
) -> Vec<u8> {
    let mut workbook = Workbook::new();
    build(workbook.add_worksheet()).unwrap();
    let real = workbook.save_to_buffer().unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(real)).unwrap();
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let name = file.name().unwrap().into_owned();
        if name != shared_strings.name {
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            entries.push(Entry::stored(&name, data));
        }
    }
    entries.push(shared_strings);
    zip_bytes(&entries)
}

fn zip_bytes(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = u32::try_from(out.len()).unwrap();
        let compressed = u32::try_from(entry.data.len()).unwrap();
        let name_length = u16::try_from(entry.name.len()).unwrap();
        let common = |bytes: &mut Vec<u8>| {
            for value in [20u16, 0, entry.method, 0, 0x21] {
                bytes.extend(value.to_le_bytes());
            }
            for value in [entry.crc, compressed, entry.declared_size] {
                bytes.extend(value.to_le_bytes());
            }
            bytes.extend(name_length.to_le_bytes());
            bytes.extend(0u16.to_le_bytes());
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend(entry.name.as_bytes());
        out.extend(&entry.data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        common(&mut central);
        central.extend([0u8; 6]); // comment length, disk, internal attributes
        central.extend(0u32.to_le_bytes()); // external attributes
        central.extend(offset.to_le_bytes());
        central.extend(entry.name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).unwrap();
    let count = u16::try_from(entries.len()).unwrap();
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend(u32::try_from(central.len()).unwrap().to_le_bytes());
    out.extend(central_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let table: Vec<u32> = (0..256u32)
        .map(|n| (0..8).fold(n, |c, _| if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 }))
        .collect();
    !data.iter().fold(!0u32, |crc, &byte| table[((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8))
}

/// Raw deflate (fixed Huffman codes) of `prefix`, then `count` copies of
/// `byte`, then `suffix`: each run of 258 copies costs 13 bits, so a
/// gigabyte takes about 6 MB, the way real bombs are made.
fn deflate_run(prefix: &[u8], byte: u8, count: u64, suffix: &[u8]) -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.push(1, 1); // last block
    bits.push(1, 2); // fixed Huffman codes
    let literal = |bits: &mut BitWriter, b: u8| {
        if b < 144 { bits.code(0x30 + u32::from(b), 8) } else { bits.code(0x190 + u32::from(b) - 144, 9) }
    };
    prefix.iter().for_each(|&b| literal(&mut bits, b));
    literal(&mut bits, byte);
    for _ in 0..(count - 1) / 258 {
        bits.code(0xC5, 8); // length 258
        bits.code(0, 5); // distance 1
    }
    for _ in 0..(count - 1) % 258 {
        literal(&mut bits, byte);
    }
    suffix.iter().for_each(|&b| literal(&mut bits, b));
    bits.code(0, 7); // end of block
    bits.finish()
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    filled: u32,
}

impl BitWriter {
    fn push(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.filled;
        self.filled += count;
        while self.filled >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.filled -= 8;
        }
    }

    /// Huffman codes are packed starting from their most significant bit.
    fn code(&mut self, code: u32, length: u32) {
        self.push(code.reverse_bits() >> (32 - length), length);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.filled > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

const SST_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">"#;

fn one_cell(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    sheet.write_string(0, 0, "姓名")?;
    sheet.write_string(1, 0, "x")?;
    Ok(())
}

/// The shared-strings part holding one string of `count` copies of "a",
/// deflated; `declared` is the size the headers claim.
fn shared_string_bomb(count: u64, declared: u32) -> Entry {
    let prefix = format!("{SST_HEAD}<si><t>姓名</t></si><si><t>");
    let data = deflate_run(prefix.as_bytes(), b'a', count, b"</t></si></sst>");
    Entry { name: "xl/sharedStrings.xml".into(), method: 8, data, declared_size: declared, crc: 0 }
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
