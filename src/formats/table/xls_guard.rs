//! Checks an .xls before calamine reads it. calamine parses every sheet of
//! an .xls when it opens the file and lays each out as a dense grid from
//! its first to its last cell, after reserving what the sheet's DIMENSIONS
//! record claims: two cells far apart in a 2 KB file cost gigabytes. So
//! the workbook stream is walked here first, record by record (nothing is
//! decoded), and a file whose grids would pass [`MAX_XLS_GRID_CELLS`] is
//! refused.

use super::TableError;

/// Most grid cells all sheets of an .xls may span together (blanks within
/// each sheet's used range included); at about 56 bytes a cell (value and
/// formula grids) this is under 170 MB. Twice the cells an upload may fill.
pub const MAX_XLS_GRID_CELLS: u64 = 3_000_000;

const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const MUL_RK: u16 = 0x00BD;
const LABEL_SST: u16 = 0x00FD;
const SST: u16 = 0x00FC;
const CONTINUE: u16 = 0x003C;
/// Records that start with the row and column of one cell.
const CELLS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, LABEL_SST, 0x0006];

/// Refuses an .xls whose sheets would take calamine past the grid bound.
/// A file whose container cannot be read is left to calamine to report.
pub(super) fn check_xls(bytes: &[u8]) -> Result<(), TableError> {
    let Some(stream) = workbook_stream(bytes) else { return Ok(()) };
    let strings = shared_string_lengths(&stream);
    // Each is a `String` in calamine, even when empty.
    if strings.len() as u64 > super::zip_guard::MAX_SHARED_STRINGS {
        return Err(TableError::TooMuchContent);
    }
    let (mut cells, mut text) = (0u64, 0u64);
    for position in sheet_positions(&stream) {
        let sheet = sheet_grid(&stream, position, &strings)?;
        cells = cells.saturating_add(sheet.cells);
        text = text.saturating_add(sheet.text_bytes);
        if cells > MAX_XLS_GRID_CELLS || text > super::MAX_TEXT_BYTES as u64 {
            return Err(TableError::TooMuchContent);
        }
    }
    Ok(())
}

/// What calamine would allocate for one sheet.
struct SheetCost {
    /// Grid cells from the first to the last used row and column.
    cells: u64,
    /// Bytes of shared strings copied into cells: each reference is a copy.
    text_bytes: u64,
}

fn u16_at(bytes: &[u8], offset: usize) -> Option<u16> {
    bytes.get(offset..offset + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    bytes.get(offset..offset + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// BIFF records from `offset`: (type, data), stopping at the first one
/// that runs past the end.
fn records(stream: &[u8], mut offset: usize) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16_at(stream, offset)?;
        let length = usize::from(u16_at(stream, offset + 2)?);
        let data = stream.get(offset + 4..offset + 4 + length)?;
        offset += 4 + length;
        Some((typ, data))
    })
}

/// Where each sheet starts, from the BOUNDSHEET records of the globals.
fn sheet_positions(stream: &[u8]) -> Vec<usize> {
    records(stream, 0)
        .take_while(|(typ, _)| *typ != EOF)
        .filter(|(typ, _)| *typ == BOUND_SHEET)
        .filter_map(|(_, data)| u32_at(data, 0).map(|p| p as usize))
        .collect()
}

/// What the sheet at `position` would cost, or the refusal when its
/// DIMENSIONS record alone claims too many cells.
fn sheet_grid(stream: &[u8], position: usize, strings: &[u32]) -> Result<SheetCost, TableError> {
    let mut text_bytes = 0u64;
    let mut extent: Option<(u32, u32, u32, u32)> = None;
    let mut cover = |row: u32, first: u32, last: u32| {
        let (r0, r1, c0, c1) = extent.get_or_insert((row, row, first, last));
        (*r0, *r1, *c0, *c1) = ((*r0).min(row), (*r1).max(row), (*c0).min(first), (*c1).max(last));
    };
    let mut depth = 0usize;
    for (typ, data) in records(stream, position) {
        match typ {
            BOF => depth += 1,
            EOF if depth <= 1 => break,
            EOF => depth -= 1,
            DIMENSIONS if declared_cells(data) > MAX_XLS_GRID_CELLS => {
                return Err(TableError::TooMuchContent);
            }
            MUL_RK if data.len() >= 6 => {
                let row = u32::from(u16_at(data, 0).unwrap_or(0));
                let first = u32::from(u16_at(data, 2).unwrap_or(0));
                // calamine places one cell per 6-byte entry from the first column on.
                let entries = u32::try_from((data.len() - 6) / 6).unwrap_or(u32::MAX);
                cover(row, first, first.saturating_add(entries));
            }
            _ if CELLS.contains(&typ) && data.len() >= 4 => {
                if typ == LABEL_SST {
                    let index = u32_at(data, 6).unwrap_or(0) as usize;
                    // At most three UTF-8 bytes per UTF-16 unit.
                    text_bytes += strings.get(index).map_or(0, |&length| u64::from(length) * 3);
                }
                let (row, column) = (u16_at(data, 0).unwrap_or(0), u16_at(data, 2).unwrap_or(0));
                cover(u32::from(row), u32::from(column), u32::from(column));
            }
            _ => {}
        }
    }
    let cells = extent.map_or(0, |(r0, r1, c0, c1)| u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1));
    Ok(SheetCost { cells, text_bytes })
}

/// The length in characters of each string of the shared-string table
/// (SST and its CONTINUE records), in order; stops at the first string
/// that does not parse.
fn shared_string_lengths(stream: &[u8]) -> Vec<u32> {
    let mut globals = records(stream, 0).take_while(|(typ, _)| *typ != EOF);
    let Some((_, sst)) = globals.find(|(typ, _)| *typ == SST) else { return Vec::new() };
    let mut chunks = vec![sst.get(8..).unwrap_or_default()];
    chunks.extend(globals.take_while(|(typ, _)| *typ == CONTINUE).map(|(_, data)| data));
    let mut reader = Chunks { chunks, chunk: 0, offset: 0 };
    std::iter::from_fn(|| reader.string_length()).collect()
}

/// Reads across the SST record and its CONTINUE records.
struct Chunks<'a> {
    chunks: Vec<&'a [u8]>,
    chunk: usize,
    offset: usize,
}

impl Chunks<'_> {
    fn byte(&mut self) -> Option<u8> {
        while self.offset >= self.chunks.get(self.chunk)?.len() {
            (self.chunk, self.offset) = (self.chunk + 1, 0);
        }
        self.offset += 1;
        Some(self.chunks[self.chunk][self.offset - 1])
    }

    fn skip(&mut self, mut count: usize) -> Option<()> {
        while count > 0 {
            let available = self.chunks.get(self.chunk)?.len() - self.offset;
            if available == 0 {
                (self.chunk, self.offset) = (self.chunk + 1, 0);
                continue;
            }
            let step = available.min(count);
            (self.offset, count) = (self.offset + step, count - step);
        }
        Some(())
    }

    /// One XLUnicodeRichExtendedString ([MS-XLS] 2.5.293), returning its
    /// character count. Where its characters run into a CONTINUE record,
    /// that record starts with a byte saying how wide the rest are.
    fn string_length(&mut self) -> Option<u32> {
        let length = u16::from_le_bytes([self.byte()?, self.byte()?]);
        let flags = self.byte()?;
        let runs = if flags & 0x08 != 0 { u16::from_le_bytes([self.byte()?, self.byte()?]) } else { 0 };
        let extra = if flags & 0x04 != 0 {
            u32::from_le_bytes([self.byte()?, self.byte()?, self.byte()?, self.byte()?])
        } else {
            0
        };
        let (mut wide, mut left) = (flags & 0x01 != 0, usize::from(length));
        while left > 0 {
            let available = self.chunks.get(self.chunk)?.len() - self.offset;
            let width = if wide { 2 } else { 1 };
            let step = left.min(available / width);
            (self.offset, left) = (self.offset + step * width, left - step);
            if left > 0 {
                (self.chunk, self.offset) = (self.chunk + 1, 0);
                wide = self.byte()? & 0x01 != 0;
            }
        }
        self.skip(usize::from(runs) * 4 + extra as usize)?;
        Some(u32::from(length))
    }
}

/// The cells a DIMENSIONS record makes calamine reserve, read as it does;
/// a range whose end comes before its start counts as unbounded.
fn declared_cells(data: &[u8]) -> u64 {
    let (first_row, last_row, first_column, last_column) = match data.len() {
        10 => {
            (u16_at(data, 0).map(u32::from), u16_at(data, 2).map(u32::from), u16_at(data, 4), u16_at(data, 6))
        }
        14 | 16 => (u32_at(data, 0), u32_at(data, 4), u16_at(data, 8), u16_at(data, 10)),
        _ => return 0,
    };
    let (Some(rf), Some(rl), Some(cf), Some(cl)) = (first_row, last_row, first_column, last_column) else {
        return 0;
    };
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    if rl < 1 || cl < 1 {
        return 1;
    }
    let rows = i64::from(rl) - i64::from(rf);
    let columns = i64::from(cl) - i64::from(cf);
    if rows < 0 || columns < 0 { u64::MAX } else { (rows as u64).max(1) * (columns as u64).max(1) }
}

/// The "Workbook" (or BIFF5 "Book") stream of an OLE compound file, read
/// the way the format lays it out: sectors chained through the FAT, small
/// streams in the mini stream. `None` when the container is not readable.
fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let file = Compound::open(bytes)?;
    let directory = file.chain(u32_at(bytes, 0x30)?, usize::MAX)?;
    let entry = |index: usize| directory.get(index * 128..(index + 1) * 128);
    let root = entry(0)?;
    let book = (0..directory.len() / 128).filter_map(entry).find(|e| {
        let length = usize::from(u16_at(e, 64).unwrap_or(0)).clamp(2, 64) - 2;
        let name: Vec<u16> = (0..length / 2).filter_map(|i| u16_at(e, i * 2)).collect();
        e[66] == 2 && ["Workbook", "Book"].iter().any(|n| String::from_utf16_lossy(&name) == *n)
    })?;
    let (start, size) = (u32_at(book, 116)?, u32_at(book, 120)? as usize);
    if size >= u32_at(bytes, 0x38)? as usize {
        return file.chain(start, size);
    }
    let mini_stream = file.chain(u32_at(root, 116)?, u32_at(root, 120)? as usize)?;
    let mini_fat = file.chain(u32_at(bytes, 0x3C)?, usize::MAX)?;
    let mini_size = 1usize << u16_at(bytes, 0x20)?.min(12);
    let mut stream = Vec::new();
    let mut sector = start;
    while sector != END_OF_CHAIN && stream.len() < size {
        let offset = (sector as usize).checked_mul(mini_size)?;
        stream.extend_from_slice(mini_stream.get(offset..offset + mini_size)?);
        sector = u32_at(&mini_fat, sector as usize * 4)?;
    }
    stream.truncate(size);
    Some(stream)
}

/// The sectors of a compound file and its FAT.
struct Compound<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    fat: Vec<u32>,
}

impl<'a> Compound<'a> {
    fn open(bytes: &'a [u8]) -> Option<Compound<'a>> {
        let shift = u16_at(bytes, 0x1E)?;
        if shift != 9 && shift != 12 {
            return None;
        }
        let mut file = Compound { bytes, sector_size: 1 << shift, fat: Vec::new() };
        // The FAT's own sectors: 109 listed in the header, the rest in a chain of DIFAT sectors.
        let mut fat_sectors: Vec<u32> = (0..109).filter_map(|i| u32_at(bytes, 0x4C + i * 4)).collect();
        let mut difat = u32_at(bytes, 0x44)?;
        let per_sector = file.sector_size / 4 - 1;
        for _ in 0..file.sector_count() {
            let Some(sector) = file.sector(difat) else { break };
            fat_sectors.extend((0..per_sector).filter_map(|i| u32_at(sector, i * 4)));
            difat = u32_at(sector, per_sector * 4)?;
        }
        let fat: Vec<u32> = fat_sectors
            .iter()
            .filter_map(|&s| file.sector(s))
            .flat_map(|sector| sector.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            .collect();
        file.fat = fat;
        Some(file)
    }

    fn sector_count(&self) -> usize {
        self.bytes.len() / self.sector_size
    }

    fn sector(&self, index: u32) -> Option<&'a [u8]> {
        let start = (index as usize).checked_add(1)?.checked_mul(self.sector_size)?;
        self.bytes.get(start..start + self.sector_size)
    }

    /// The bytes of the chain from `start`, at most `size`; a loop in the
    /// chain ends it after as many sectors as the file has.
    fn chain(&self, start: u32, size: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut sector = start;
        for _ in 0..=self.sector_count() {
            if sector == END_OF_CHAIN || out.len() >= size {
                break;
            }
            out.extend_from_slice(self.sector(sector)?);
            sector = *self.fat.get(sector as usize)?;
        }
        out.truncate(size);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_is_walked_sheet_by_sheet() {
        let bytes = include_bytes!("../../../tests/fixtures/roster.xls");
        let stream = workbook_stream(bytes).expect("the workbook stream is found");
        let positions = sheet_positions(&stream);
        assert!(!positions.is_empty());
        // Seven rows, at most a dozen columns: the grid is small.
        let strings = shared_string_lengths(&stream);
        assert!(strings.contains(&2), "姓名 is among the shared strings: {strings:?}");
        let sheet = sheet_grid(&stream, positions[0], &strings).unwrap();
        assert!((7..=7 * 16).contains(&sheet.cells), "{}", sheet.cells);
        assert!(sheet.text_bytes > 0);
    }

    #[test]
    fn declared_dimensions_are_read_as_calamine_reads_them() {
        let biff8 = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut data = Vec::new();
            data.extend(rf.to_le_bytes());
            data.extend(rl.to_le_bytes());
            data.extend(cf.to_le_bytes());
            data.extend(cl.to_le_bytes());
            data.extend([0, 0]);
            declared_cells(&data)
        };
        assert_eq!(biff8(0, 7, 0, 12), 84);
        assert_eq!(biff8(0, 0, 0, 0), 1);
        assert_eq!(biff8(0, 4_000_000, 0, 256), 1_024_000_000);
        assert_eq!(biff8(9, 3, 0, 1), u64::MAX, "an end before the start");
    }
}
