//! Which parts of a recording a member has played, as 10-second stretches, merged over sittings.
//! Pure rules; the page reports the player's played ranges, the store keeps the stretches.

/// Length of one stretch, in seconds.
pub const STRETCH_SECONDS: i64 = 10;
/// A recording counts for coverage once this share (per mille) of it has been played.
pub const WATCHED_PERMILLE: i64 = 900;
/// Longest recording accepted (six hours).
pub const MAX_DURATION_SECONDS: i64 = 6 * 3600;
/// Most ranges one report may carry (a player's `played` list stays short in practice).
const MAX_RANGES: usize = 500;

/// The stretches of a `duration`-second video, `'1'` for played.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    marks: Vec<bool>,
    duration: i64,
}

impl Watched {
    /// The stored marks (`"0110…"`) of a `duration`-second video; a different length (the file
    /// was replaced) starts over.
    pub fn from_stored(marks: &str, duration: i64) -> Self {
        let count = stretches(duration);
        let mut parsed: Vec<bool> = marks.chars().map(|c| c == '1').collect();
        if parsed.len() != count {
            parsed = vec![false; count];
        }
        Self { marks: parsed, duration }
    }

    /// Marks every stretch lying wholly inside a played range (the last one, shorter, when the
    /// range reaches the end). Returns how many seconds this adds.
    pub fn add(&mut self, ranges: &[(f64, f64)]) -> i64 {
        let before = self.seconds();
        for &(start, end) in ranges {
            for (i, mark) in self.marks.iter_mut().enumerate() {
                let from = i as f64 * STRETCH_SECONDS as f64;
                let to = ((i as i64 + 1) * STRETCH_SECONDS).min(self.duration) as f64;
                if start <= from + 0.5 && end >= to - 0.5 {
                    *mark = true;
                }
            }
        }
        self.seconds() - before
    }

    /// Seconds played (stretches × 10, at most the length).
    pub fn seconds(&self) -> i64 {
        (self.marks.iter().filter(|m| **m).count() as i64 * STRETCH_SECONDS).min(self.duration)
    }

    /// Played share in percent, rounded down.
    pub fn percent(&self) -> i64 {
        if self.duration <= 0 { 0 } else { self.seconds() * 100 / self.duration }
    }

    /// Whether enough has been played to count.
    pub fn enough(&self) -> bool {
        self.duration > 0 && self.seconds() * 1000 >= self.duration * WATCHED_PERMILLE
    }

    /// The marks to store.
    pub fn to_stored(&self) -> String {
        self.marks.iter().map(|m| if *m { '1' } else { '0' }).collect()
    }
}

fn stretches(duration: i64) -> usize {
    usize::try_from((duration.max(0) + STRETCH_SECONDS - 1) / STRETCH_SECONDS).unwrap_or(0)
}

/// Played ranges as (start, end) seconds.
pub type Ranges = Vec<(f64, f64)>;

/// Reads a report: the video's length (seconds, as the player gives it) and its played ranges
/// `"start-end,start-end"`. `Err` says in Chinese what is wrong.
pub fn parse_report(duration: &str, ranges: &str) -> Result<(i64, Ranges), &'static str> {
    let duration: f64 = duration.trim().parse().map_err(|_| "视频时长无效")?;
    if !duration.is_finite() || duration < 1.0 || duration > MAX_DURATION_SECONDS as f64 {
        return Err("视频时长无效");
    }
    let mut parsed = Vec::new();
    for range in ranges.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        let (start, end) = range.split_once('-').ok_or("观看进度无效")?;
        let (start, end): (f64, f64) =
            (start.parse().map_err(|_| "观看进度无效")?, end.parse().map_err(|_| "观看进度无效")?);
        if !(start.is_finite() && end.is_finite() && 0.0 <= start && start <= end && end <= duration + 1.0) {
            return Err("观看进度无效");
        }
        parsed.push((start, end));
    }
    if parsed.len() > MAX_RANGES {
        return Err("观看进度无效");
    }
    Ok((duration.ceil() as i64, parsed))
}

/// Whether a report may add `added` seconds `elapsed` seconds after the previous one: no faster
/// than double-speed playback, with half a minute of slack for clocks and buffering.
pub fn plausible(added: i64, elapsed: i64) -> bool {
    added <= elapsed.max(0) * 2 + 30
}

/// The origin (`scheme://host[:port]`) of a live lesson's HLS playlist, when its address is one:
/// a web address whose path ends in `.m3u8` (SRS's `http://host:8080/live/livestream.m3u8`).
/// Such a lesson plays in the page; any other live address is a room the member is sent to.
pub fn hls_origin(url: &str) -> Option<String> {
    if !crate::schedule::model::is_online_url(url) {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(end);
    let path = tail.split(['?', '#']).next().unwrap_or_default();
    path.to_ascii_lowercase()
        .ends_with(".m3u8")
        .then(|| format!("{}://{}", scheme.to_ascii_lowercase(), host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stretches_merge_over_sittings_and_skipping_does_not_count() {
        let mut w = Watched::from_stored("", 1000);
        assert_eq!(w.add(&[(0.0, 450.3)]), 450);
        assert!(!w.enough());
        // Later, a second sitting; part of it again.
        assert_eq!(w.add(&[(400.0, 905.0)]), 450);
        assert_eq!((w.seconds(), w.percent()), (900, 90));
        assert!(w.enough());
        let stored = w.to_stored();
        assert_eq!(Watched::from_stored(&stored, 1000), w);
        // Jumping to the end plays only the end.
        let mut skipper = Watched::from_stored("", 1000);
        skipper.add(&[(0.0, 5.0), (990.0, 1000.0)]);
        assert_eq!(skipper.seconds(), 10);
        // A different length starts over.
        assert_eq!(Watched::from_stored(&stored, 1200).seconds(), 0);
    }

    #[test]
    fn the_short_last_stretch_counts_when_played_to_the_end() {
        let mut w = Watched::from_stored("", 95);
        w.add(&[(0.0, 95.0)]);
        assert_eq!((w.seconds(), w.percent()), (95, 100));
    }

    #[test]
    fn reports_are_read_strictly() {
        assert_eq!(parse_report("120.5", "0-60.2, 70-121").unwrap(), (121, vec![(0.0, 60.2), (70.0, 121.0)]));
        assert_eq!(parse_report("60", "").unwrap(), (60, vec![]));
        for (duration, ranges) in [
            ("0", ""),
            ("NaN", ""),
            ("99999", ""),
            ("60", "10"),
            ("60", "30-20"),
            ("60", "0-90"),
            ("60", "-5-3"),
        ] {
            assert!(parse_report(duration, ranges).is_err(), "{duration} {ranges}");
        }
        assert!(plausible(600, 300) && !plausible(600, 60));
    }

    #[test]
    fn an_hls_playlist_is_known_by_its_path_and_gives_its_origin() {
        assert_eq!(
            hls_origin("http://live.example.cn:8080/live/livestream.m3u8").as_deref(),
            Some("http://live.example.cn:8080")
        );
        assert_eq!(
            hls_origin("https://cdn.example/a/b.M3U8?token=1").as_deref(),
            Some("https://cdn.example")
        );
        for not_hls in [
            "https://meeting.example/room/1",
            "https://x.example/a.mp4?x=.m3u8",
            "javascript:alert(1)//.m3u8",
            "/live/livestream.m3u8",
            "http://a b/x.m3u8",
        ] {
            assert_eq!(hls_origin(not_hls), None, "{not_hls}");
        }
    }
}
