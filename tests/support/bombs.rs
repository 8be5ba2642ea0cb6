//! Spreadsheet bombs built in memory, for the tests that must refuse them:
//! a real workbook re-packed by hand around a crafted shared-strings part.

use std::io::{Cursor, Read};

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

/// A gigabyte: what the crafted shared string expands to.
pub const GIB: u64 = 1024 * 1024 * 1024;

/// One zip entry as it will be written.
pub struct Entry {
    pub name: String,
    /// 0 stored, 8 deflate.
    pub method: u16,
    pub data: Vec<u8>,
    /// What the headers claim the entry expands to.
    pub declared_size: u32,
    pub crc: u32,
}

impl Entry {
    pub fn stored(name: &str, data: Vec<u8>) -> Entry {
        let crc = crc32(&data);
        let declared_size = u32::try_from(data.len()).unwrap();
        Entry { name: name.into(), method: 0, data, declared_size, crc }
    }
}

/// The parts of a real one-sheet workbook, stored uncompressed, with the
/// shared-strings part replaced by `shared_strings`.
pub fn workbook_with(
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

pub const SST_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">"#;

pub fn one_cell(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    sheet.write_string(0, 0, "姓名")?;
    sheet.write_string(1, 0, "x")?;
    Ok(())
}

/// The shared-strings part holding one string of `count` copies of "a",
/// deflated; `declared` is the size the headers claim.
pub fn shared_string_bomb(count: u64, declared: u32) -> Entry {
    let prefix = format!("{SST_HEAD}<si><t>姓名</t></si><si><t>");
    let data = deflate_run(prefix.as_bytes(), b'a', count, b"</t></si></sst>");
    Entry { name: "xl/sharedStrings.xml".into(), method: 8, data, declared_size: declared, crc: 0 }
}
