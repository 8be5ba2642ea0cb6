//! A player's seek, answered from a memory map: one closed byte range of a stored file (what
//! players send while seeking, and what iOS sends for every piece of a video) is mapped, read
//! ahead, and sent as one body chunk straight from the page cache. Through
//! `ServeFile` the same range is read into a buffer piece by piece, one thread hop per piece, and
//! copied once more; that cost nginx's `sendfile` does not pay (bench/README.md §11).
//! Everything else (open-ended ranges, whole files, conditional requests, several ranges, a
//! range past the end) still goes through `ServeFile`.

use std::fs::File;
use std::path::PathBuf;
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use memmap2::{Mmap, MmapOptions};

/// The longest range answered from a map. Players seek in pieces of a few hundred KiB to a few
/// MiB; a longer range streams through `ServeFile`, so a map never pins much of the page cache.
pub const MAPPED_RANGE_MAX: u64 = 4 * 1024 * 1024;

/// The single closed range `bytes=first-last` a request asks for, when that is all it asks:
/// nothing conditional (`If-Range`, `If-Modified-Since`, … are `ServeFile`'s, which answers 304
/// or the whole file as they require), one range, both ends, in order, and at most
/// [`MAPPED_RANGE_MAX`] long.
pub fn closed_range(headers: &HeaderMap) -> Option<(u64, u64)> {
    let conditional = [
        header::IF_RANGE,
        header::IF_MATCH,
        header::IF_NONE_MATCH,
        header::IF_MODIFIED_SINCE,
        header::IF_UNMODIFIED_SINCE,
    ];
    if conditional.iter().any(|name| headers.contains_key(name)) {
        return None;
    }
    let value = headers.get(header::RANGE)?.to_str().ok()?;
    let (first, last) = value.strip_prefix("bytes=")?.trim().split_once('-')?;
    let first: u64 = first.trim().parse().ok()?;
    let last: u64 = last.trim().parse().ok()?;
    (first <= last && last - first < MAPPED_RANGE_MAX).then_some((first, last))
}

/// A mapped range ready to send.
struct Mapped {
    map: Mmap,
    first: u64,
    total: u64,
    modified: Option<SystemTime>,
}

/// Maps `first..=last` of `path` (clipped to the file's end), its pages read ahead. `None` when
/// the range starts at or past the end (the 416 is `ServeFile`'s) or the file is empty.
fn map_range(path: PathBuf, first: u64, last: u64) -> std::io::Result<Option<Mapped>> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    let total = meta.len();
    if first >= total {
        return Ok(None);
    }
    let len = (last.min(total - 1) - first + 1) as usize;
    // SAFETY: stored media files are never changed in place: each is written once under a fresh
    // random name, and replacing or deleting one unlinks it, which leaves this map valid (the
    // inode lives until the map is dropped). So the mapped bytes cannot change or vanish under
    // the response.
    let map = unsafe { MmapOptions::new().offset(first).len(len).map(&file)? };
    // Start reading the range in now; a player's range is usually in the page cache already.
    let _ = map.advise(memmap2::Advice::WillNeed);
    Ok(Some(Mapped { map, first, total, modified: meta.modified().ok() }))
}

/// Answers a closed range of the file at `path` with 206 from a memory map, or `None` when the
/// request is not one [`closed_range`] accepts or the range is not inside the file; the caller
/// then serves it through `ServeFile`.
pub fn serve_range(path: PathBuf, headers: &HeaderMap) -> std::io::Result<Option<Response>> {
    let Some((first, last)) = closed_range(headers) else {
        return Ok(None);
    };
    // Opened and mapped here, not on the blocking pool: open, fstat and mmap are quick system
    // calls that read nothing from the file, and the two thread switches of a hop cost more than
    // they do (a quarter of the server's samples in a seek burst). The pages are read ahead
    // asynchronously (`WillNeed`); they are copied to the socket as hyper writes the body.
    let Some(mapped) = map_range(path, first, last)? else {
        return Ok(None);
    };
    Ok(Some(response(mapped)))
}

fn response(mapped: Mapped) -> Response {
    let len = mapped.map.len() as u64;
    let range = format!("bytes {}-{}/{}", mapped.first, mapped.first + len - 1, mapped.total);
    let mut response = Response::new(Body::from(Bytes::from_owner(mapped.map)));
    *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    let headers = response.headers_mut();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Ok(value) = HeaderValue::from_str(&range) {
        headers.insert(header::CONTENT_RANGE, value);
    }
    if let Some(modified) = mapped.modified
        && let Ok(value) = HeaderValue::from_str(&http_date(modified))
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    response
}

/// An HTTP date (`Last-Modified`), as `ServeFile` sends it.
fn http_date(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at).format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_range(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_one_short_closed_range_is_mapped() {
        assert_eq!(closed_range(&with_range("bytes=0-1")), Some((0, 1)));
        assert_eq!(closed_range(&with_range("bytes=100-1048675")), Some((100, 1_048_675)));
        assert_eq!(closed_range(&with_range("bytes=5-5")), Some((5, 5)));
        for refused in [
            "bytes=100-",
            "bytes=-500",
            "bytes=0-1,5-9",
            "bytes=9-5",
            "items=0-1",
            "bytes=a-b",
            "bytes=0-4194304",
        ] {
            assert_eq!(closed_range(&with_range(refused)), None, "{refused}");
        }
        assert_eq!(closed_range(&HeaderMap::new()), None);
        for name in [header::IF_RANGE, header::IF_MODIFIED_SINCE, header::IF_NONE_MATCH] {
            let mut conditional = with_range("bytes=0-1");
            conditional.insert(name, HeaderValue::from_static("\"x\""));
            assert_eq!(closed_range(&conditional), None);
        }
    }

    #[test]
    fn a_range_is_clipped_to_the_file_and_past_the_end_is_left_to_serve_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.mp4");
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let mapped = map_range(path.clone(), 4_097, 20_000).unwrap().unwrap();
        assert_eq!(&mapped.map[..], &bytes[4_097..]);
        assert_eq!((mapped.first, mapped.total), (4_097, 10_000));
        let middle = map_range(path.clone(), 3, 7).unwrap().unwrap();
        assert_eq!(&middle.map[..], &bytes[3..=7]);
        assert!(map_range(path, 10_000, 10_001).unwrap().is_none());
    }
}
