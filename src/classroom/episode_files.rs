//! Which stored file (and type) each episode's video is, remembered between a player's requests:
//! a player seeking through a lesson asks for dozens of ranges of one episode, and looking the
//! episode up for each was a quarter of the server's work per seek (bench/README.md §11).
//!
//! A remembered name is only a shortcut, never trusted: a video replaced or deleted has its file
//! removed, so serving the old name finds no file, and the caller forgets it and looks the
//! episode up again. Entries also expire after [`KEEP`], and the map is bounded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a remembered file is used before the episode is looked up again.
pub const KEEP: Duration = Duration::from_secs(60);
/// Most episodes remembered at once (a campaign has dozens); past it the map starts afresh.
const MOST: usize = 1_024;

/// The remembered files, shared by every request (a sub-state of `AppState`).
#[derive(Clone, Default, Debug)]
pub struct EpisodeFiles(Arc<Mutex<HashMap<i64, Remembered>>>);

#[derive(Debug)]
struct Remembered {
    file_name: String,
    mime: String,
    at: Instant,
}

impl EpisodeFiles {
    /// The stored file name and type of episode `id`, if remembered within [`KEEP`].
    pub fn get(&self, id: i64) -> Option<(String, String)> {
        let map = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        map.get(&id).filter(|r| r.at.elapsed() < KEEP).map(|r| (r.file_name.clone(), r.mime.clone()))
    }

    /// Remembers episode `id`'s stored file and type.
    pub fn remember(&self, id: i64, file_name: &str, mime: &str) {
        let mut map = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= MOST {
            map.clear();
        }
        map.insert(id, Remembered { file_name: file_name.into(), mime: mime.into(), at: Instant::now() });
    }

    /// Forgets episode `id` (its remembered file is gone).
    pub fn forget(&self, id: i64) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_until_forgotten_and_bounded() {
        let files = EpisodeFiles::default();
        assert_eq!(files.get(1), None);
        files.remember(1, "a.mp4", "video/mp4");
        assert_eq!(files.get(1), Some(("a.mp4".into(), "video/mp4".into())));
        files.forget(1);
        assert_eq!(files.get(1), None);
        for id in 0..MOST as i64 + 1 {
            files.remember(id, "b.webm", "video/webm");
        }
        assert!(files.0.lock().unwrap().len() <= MOST);
    }
}
