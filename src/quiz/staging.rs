//! Uploaded banks waiting for the person to confirm the preview: the roster's staging
//! (`roster::staging`) — in memory, one per login session, 15 minutes, bounded in bytes, handed
//! out once with the preview's token — kept apart so a roster and a bank never take each other's
//! place. The file is read again on confirming (reading is deterministic), so what is stored is
//! what the preview showed, less what another import stored meanwhile.

use crate::roster::staging::RosterStaging;

/// Staged question banks, by login session. A sub-state of `AppState`.
#[derive(Clone, Default)]
pub struct QuizStaging(RosterStaging);

impl QuizStaging {
    /// Keeps `bytes` for `session`; returns the token the preview page carries.
    pub fn put(&self, session: i64, file_name: &str, bytes: Vec<u8>) -> String {
        self.0.put(session, file_name, bytes)
    }

    /// Hands out (and forgets) the file `session` staged under `token`.
    pub fn take(&self, session: i64, token: &str) -> Option<(String, Vec<u8>)> {
        self.0.take(session, token)
    }
}
