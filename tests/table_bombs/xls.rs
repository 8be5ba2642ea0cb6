//! .xls bombs: an OLE compound file built by hand around a BIFF8 stream
//! whose cells or DIMENSIONS record claim a huge grid.

use super::{TableError, assert_refused_within_bound, read_table};

fn biff_record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = typ.to_le_bytes().to_vec();
    out.extend(u16::try_from(data.len()).unwrap().to_le_bytes());
    out.extend(data);
    out
}

fn biff_bof(kind: u16) -> Vec<u8> {
    let mut data = vec![0x00, 0x06];
    data.extend(kind.to_le_bytes());
    data.extend([0u8; 12]);
    biff_record(0x0809, &data)
}

/// A BIFF8 workbook stream: `globals` records, then `sheets` BOUNDSHEET
/// records all pointing at one sheet made of `sheet` records.
fn workbook_stream(globals: &[u8], sheet: &[u8], sheets: usize) -> Vec<u8> {
    let bound_sheet = |position: u32| {
        let mut data = position.to_le_bytes().to_vec();
        data.extend([0, 0, 6, 0]);
        data.extend(b"Sheet1");
        biff_record(0x0085, &data)
    };
    let globals_length = biff_bof(0x0005).len() + globals.len() + sheets * bound_sheet(0).len() + 4;
    let mut stream = biff_bof(0x0005);
    stream.extend(globals);
    for _ in 0..sheets {
        stream.extend(bound_sheet(u32::try_from(globals_length).unwrap()));
    }
    stream.extend(biff_record(0x000A, &[]));
    stream.extend(biff_bof(0x0010));
    stream.extend(sheet);
    stream.extend(biff_record(0x000A, &[]));
    // Past the 4 KB a stream needs to live in ordinary sectors rather than the mini stream.
    stream.resize(stream.len().max(4096), 0);
    stream
}

/// Sheet records: a DIMENSIONS record claiming `dimensions` (first row,
/// last row + 1) when given, then the number 1 at each of `cells`.
fn numbers(cells: &[(u16, u16)], dimensions: Option<(u32, u32)>) -> Vec<u8> {
    let mut records = Vec::new();
    if let Some((first, last)) = dimensions {
        let mut data = first.to_le_bytes().to_vec();
        data.extend(last.to_le_bytes());
        data.extend([0, 0, 0, 1, 0, 0]);
        records.extend(biff_record(0x0200, &data));
    }
    for &(row, column) in cells {
        let mut data = row.to_le_bytes().to_vec();
        data.extend(column.to_le_bytes());
        data.extend([0, 0]);
        data.extend(1.0f64.to_le_bytes());
        records.extend(biff_record(0x0203, &data));
    }
    records
}

/// An SST holding one string of `length` "a"s, split into CONTINUE records
/// of at most 8,224 bytes as Excel writes them (each continuing the string
/// with a byte saying its characters are one byte wide).
fn shared_string_table(length: u16) -> Vec<u8> {
    let mut data = 1u32.to_le_bytes().to_vec();
    data.extend(1u32.to_le_bytes());
    data.extend(length.to_le_bytes());
    data.push(0);
    let mut chars = vec![b'a'; usize::from(length)];
    let first = chars.len().min(8224 - data.len());
    data.extend(chars.drain(..first));
    let mut records = biff_record(0x00FC, &data);
    while !chars.is_empty() {
        let mut data = vec![0];
        data.extend(chars.drain(..chars.len().min(8223)));
        records.extend(biff_record(0x003C, &data));
    }
    records
}

/// `count` cells in column A referring to shared string 0.
fn shared_string_cells(count: u16) -> Vec<u8> {
    let mut records = Vec::new();
    for row in 0..count {
        let mut data = row.to_le_bytes().to_vec();
        data.extend([0u8; 4]);
        data.extend(0u32.to_le_bytes());
        records.extend(biff_record(0x00FD, &data));
    }
    records
}

/// An OLE compound file (512-byte sectors: FAT, directory, then the
/// stream) holding `stream` as "Workbook": the container of an .xls.
fn compound_file(stream: &[u8]) -> Vec<u8> {
    const END: u32 = 0xFFFF_FFFE;
    const NONE: u32 = 0xFFFF_FFFF;
    let sectors = stream.len().div_ceil(512);
    // FAT sectors first, then the directory, then the stream.
    let fat_sectors = (sectors + 1).div_ceil(127);
    let directory = u32::try_from(fat_sectors).unwrap();
    let mut header = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    header.resize(0x18, 0);
    for value in [0x3Eu16, 3, 0xFFFE, 9, 6, 0, 0, 0] {
        header.extend(value.to_le_bytes());
    }
    for value in [0u32, directory, directory, 0, 4096, END, 0, END, 0] {
        header.extend(value.to_le_bytes());
    }
    header.extend((0..directory).flat_map(u32::to_le_bytes));
    header.resize(512, 0xFF);
    let mut fat = vec![0xFFFF_FFFDu32; fat_sectors];
    fat.push(END);
    let first = directory + 1;
    let last = first + u32::try_from(sectors).unwrap() - 1;
    fat.extend((first..=last).map(|i| if i == last { END } else { i + 1 }));
    fat.resize(128 * fat_sectors, NONE);
    let entry = |name: &str, kind: u8, child: u32, start: u32, size: usize| {
        let mut bytes: Vec<u8> = name.encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect();
        let name_length = if name.is_empty() { 0 } else { u16::try_from(bytes.len()).unwrap() };
        bytes.resize(64, 0);
        bytes.extend(name_length.to_le_bytes());
        bytes.extend([kind, 1]);
        for value in [NONE, NONE, child] {
            bytes.extend(value.to_le_bytes());
        }
        bytes.resize(116, 0);
        bytes.extend(start.to_le_bytes());
        bytes.extend(u64::try_from(size).unwrap().to_le_bytes());
        bytes
    };
    let mut out = header;
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    out.extend(entry("Root Entry", 5, 1, END, 0));
    out.extend(entry("Workbook", 2, NONE, first, stream.len()));
    out.extend(entry("", 0, NONE, 0, 0));
    out.extend(entry("", 0, NONE, 0, 0));
    out.extend(stream);
    out.resize(512 * (2 + fat_sectors + sectors), 0);
    out
}

#[test]
fn a_crafted_xls_is_read_like_any_other() {
    let small = compound_file(&workbook_stream(&[], &numbers(&[(0, 0), (1, 1)], Some((0, 2))), 1));
    let table = read_table("small.xls", &small).unwrap();
    assert_eq!(table.rows.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn xls_cells_far_apart_are_refused_before_calamine_lays_out_the_grid() {
    // Two cells, A1 and IV65536: calamine would lay out 16.7 million cells.
    let far = compound_file(&workbook_stream(&[], &numbers(&[(0, 0), (65_535, 255)], None), 1));
    assert_refused_within_bound("far.xls", &far, &TableError::TooMuchContent);
}

#[test]
fn an_xls_dimension_record_claiming_billions_of_cells_is_refused() {
    let claim = compound_file(&workbook_stream(&[], &numbers(&[(0, 0)], Some((0, 4_000_000))), 1));
    assert_refused_within_bound("claim.xls", &claim, &TableError::TooMuchContent);
}

#[test]
fn many_xls_sheets_together_are_bounded() {
    // One 2,000 × 256 grid (512,000 cells), listed as twelve sheets.
    let grid = compound_file(&workbook_stream(&[], &numbers(&[(0, 0), (1_999, 255)], None), 12));
    assert_refused_within_bound("sheets.xls", &grid, &TableError::TooMuchContent);
}

#[test]
fn one_long_shared_string_in_every_xls_cell_is_refused() {
    // calamine copies the string into each cell: 10,000 × 32,767 bytes.
    let stream = workbook_stream(&shared_string_table(32_767), &shared_string_cells(10_000), 1);
    assert_refused_within_bound("copies.xls", &compound_file(&stream), &TableError::TooMuchContent);
    // In a few cells the string reads; one character more is too long for a cell.
    let few = workbook_stream(&shared_string_table(32_767), &shared_string_cells(3), 1);
    let (result, _) = super::read_measured("few.xls", &compound_file(&few));
    assert_eq!(result.map(|table| table.rows.len()).ok(), Some(3));
    let long = workbook_stream(&shared_string_table(32_768), &shared_string_cells(3), 1);
    let (result, _) = super::read_measured("long.xls", &compound_file(&long));
    assert_eq!(result.err(), Some(TableError::CellTooLong { row: 1, column: "A".into() }));
}
