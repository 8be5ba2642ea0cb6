//! Rosters waiting for their unit column to be picked, so the person picks a column instead of
//! uploading the file again.
//!
//! Kept in memory only (the file may hold plain ID-card numbers, which never rest in the
//! database), one file per login session, for [`KEPT_FOR`], at most [`MAX_BYTES`] in all (the
//! oldest go first), and handed out once: to the same login, with the token its page carried.
//! A restart forgets them; the page then asks for the file again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;

/// How long a staged roster waits for its column to be picked.
pub const KEPT_FOR: Duration = Duration::from_secs(15 * 60);
/// How many bytes all staged rosters may hold together.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// One staged roster.
struct Staged {
    token: String,
    file_name: String,
    bytes: Vec<u8>,
    at: Instant,
}

/// The staged rosters, by login session id. A sub-state of `AppState`.
#[derive(Clone, Default)]
pub struct RosterStaging(Arc<Mutex<HashMap<i64, Staged>>>);

impl RosterStaging {
    /// Keeps `bytes` for `session`, replacing what it had; returns the token the page carries.
    pub fn put(&self, session: i64, file_name: &str, bytes: Vec<u8>) -> String {
        let token: String = rand::rng().sample_iter(&Alphanumeric).take(24).map(char::from).collect();
        let mut staged = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        staged.retain(|_, s| s.at.elapsed() < KEPT_FOR);
        staged.remove(&session);
        while staged.values().map(|s| s.bytes.len()).sum::<usize>() + bytes.len() > MAX_BYTES {
            let Some(oldest) = staged.iter().min_by_key(|(_, s)| s.at).map(|(id, _)| *id) else {
                break;
            };
            staged.remove(&oldest);
        }
        let file_name = file_name.to_owned();
        staged.insert(session, Staged { token: token.clone(), file_name, bytes, at: Instant::now() });
        token
    }

    /// Hands out (and forgets) the roster `session` staged under `token`, if still kept.
    pub fn take(&self, session: i64, token: &str) -> Option<(String, Vec<u8>)> {
        let mut staged = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let fresh = staged.get(&session).is_some_and(|s| s.token == token && s.at.elapsed() < KEPT_FOR);
        fresh.then(|| staged.remove(&session)).flatten().map(|s| (s.file_name, s.bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_roster_is_handed_out_once_to_its_session_with_its_token() {
        let staging = RosterStaging::default();
        let token = staging.put(7, "名册.xlsx", vec![1, 2, 3]);
        assert_eq!(staging.take(8, &token), None, "another login");
        assert_eq!(staging.take(7, "wrong"), None, "another page's token");
        assert_eq!(staging.take(7, &token), Some(("名册.xlsx".into(), vec![1, 2, 3])));
        assert_eq!(staging.take(7, &token), None, "only once");
    }

    #[test]
    fn the_oldest_go_first_when_the_bytes_run_out() {
        let staging = RosterStaging::default();
        let first = staging.put(1, "a", vec![0; MAX_BYTES / 2]);
        let second = staging.put(2, "b", vec![0; MAX_BYTES / 2]);
        let third = staging.put(3, "c", vec![0; 10]);
        assert!(staging.take(1, &first).is_none());
        assert!(staging.take(2, &second).is_some());
        assert!(staging.take(3, &third).is_some());
    }
}
