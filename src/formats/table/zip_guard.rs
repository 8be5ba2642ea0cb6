//! Checks an .xlsx container before calamine opens it. An .xlsx is a zip
//! archive, and a megabyte of deflate can expand to gigabytes; calamine
//! loads some parts (the shared-strings table, styles, the workbook) whole
//! into memory. So every entry is decompressed once here into a counter,
//! never into memory, and refused past its limit. Declared sizes are
//! checked first (cheap) and the actual bytes counted too, because a
//! crafted archive can declare a small size and expand further.

use std::io::{Cursor, Read};

use super::TableError;

/// Most bytes a worksheet part may expand to. Worksheets are streamed cell
/// by cell, so this bounds time, not memory: a 200,000-row roster of a
/// dozen columns is about 150 MB of XML.
pub const MAX_SHEET_PART_BYTES: u64 = 512 * 1024 * 1024;
/// Most bytes any other part may expand to: calamine holds these whole in
/// memory (the shared strings of a large roster are a few megabytes).
pub const MAX_LOADED_PART_BYTES: u64 = 32 * 1024 * 1024;
/// Most bytes the whole archive may expand to.
pub const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// Most entries in the shared-strings table; each costs a `String` in
/// calamine even when empty.
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;

/// Most entries in the archive. A real workbook has a dozen or two parts; each entry costs a
/// decompressor and a pass here, so a directory of hundreds of thousands of empty entries (the
/// upload limit allows that many) is refused before any of them is read.
pub const MAX_ENTRIES: usize = 10_000;

const SHARED_STRINGS_PART: &str = "xl/sharedStrings.xml";

/// Refuses an archive with too many entries, an entry or a total that expands
/// past the limits, or a shared-strings table with too many entries.
pub(super) fn check_xlsx_container(bytes: &[u8]) -> Result<(), TableError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(super::corrupt)?;
    if archive.len() > MAX_ENTRIES {
        return Err(TableError::TooMuchContent);
    }
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(super::corrupt)?;
        let name = entry.name().map_err(super::corrupt)?.into_owned();
        let limit = part_limit(&name).min(MAX_TOTAL_BYTES - total);
        if entry.size() > limit {
            return Err(TableError::ExpandsTooMuch);
        }
        let counted = count_entry(&mut entry, limit, name == SHARED_STRINGS_PART)?;
        if counted.bytes > limit {
            return Err(TableError::ExpandsTooMuch);
        }
        if counted.shared_strings > MAX_SHARED_STRINGS {
            return Err(TableError::TooMuchContent);
        }
        total += counted.bytes;
    }
    Ok(())
}

fn part_limit(name: &str) -> u64 {
    let streamed = name.starts_with("xl/worksheets/") && !name.contains("/_rels/");
    if streamed { MAX_SHEET_PART_BYTES } else { MAX_LOADED_PART_BYTES }
}

#[derive(Default)]
struct Counted {
    bytes: u64,
    shared_strings: u64,
}

/// Decompresses an entry into a fixed buffer, counting bytes (stopping
/// once past `limit`) and, for the shared-strings part, `<si>` elements.
fn count_entry(entry: &mut impl Read, limit: u64, count_strings: bool) -> Result<Counted, TableError> {
    const TAG: &[u8] = b"<si";
    let mut buffer = vec![0u8; 64 * 1024];
    // The last bytes of the previous chunk, so a tag split across chunks counts.
    let mut carry = 0usize;
    let mut counted = Counted::default();
    loop {
        let read = entry.read(&mut buffer[carry..]).map_err(super::corrupt)?;
        if read == 0 {
            return Ok(counted);
        }
        counted.bytes += read as u64;
        if counted.bytes > limit {
            return Ok(counted);
        }
        let filled = carry + read;
        if count_strings {
            let window = &buffer[..filled];
            // `<si>` and `<si …>`; the rare other tag starting so only makes the count stricter.
            counted.shared_strings += window.windows(TAG.len()).filter(|w| *w == TAG).count() as u64;
            // Too short to hold a whole tag, so nothing in it was counted yet.
            carry = (TAG.len() - 1).min(filled);
            buffer.copy_within(filled - carry..filled, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn archive_of(entries: usize) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for index in 0..entries {
            zip.start_file(format!("x/{index}"), stored).unwrap();
            zip.write_all(b"").unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn an_archive_of_too_many_entries_is_refused_before_any_is_read() {
        assert!(check_xlsx_container(&archive_of(MAX_ENTRIES)).is_ok());
        let refused = check_xlsx_container(&archive_of(MAX_ENTRIES + 1)).unwrap_err();
        assert!(matches!(refused, TableError::TooMuchContent), "{refused:?}");
    }
}
