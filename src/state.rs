//! [`AppState`]: what handlers can reach, defined apart from `startup` (which assembles every
//! room's router) so that a room naming its state does not import the module that imports it.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::checkin::limits::GuessLimiter;
use crate::contest::ContestRooms;
use crate::db::Db;
use crate::people::IdCardVault;
use crate::quiz::staging::QuizStaging;
use crate::rankings::LiveRanks;
use crate::roster::staging::RosterStaging;
use crate::web::WebConfig;

/// What handlers can reach. Each part is its own sub-state (`FromRef`), so a handler or extractor
/// asks only for what it uses (`State<Db>`, the config), and a capability with in-memory state of
/// its own (a rankings index, live contest rooms) adds a field here without `web/` knowing it.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// The database: the only durable state; everything else can be rebuilt from it.
    pub db: Db,
    /// Seals and opens ID-card numbers; its key never reaches `web/`.
    pub vault: IdCardVault,
    /// Limits and timeouts.
    pub config: Arc<WebConfig>,
    /// Budgets for guessing names, phones and check-in codes (check-in, online study).
    pub guesses: GuessLimiter,
    /// Uploaded rosters waiting for their unit column to be picked (a few, for minutes).
    pub roster_staging: RosterStaging,
    /// The rank index, rebuilt from the ledger at start and kept level with it.
    pub ranks: LiveRanks,
    /// Question banks uploaded and understood, waiting for the person to confirm them.
    pub quiz_staging: QuizStaging,
    /// Live contests: where each is, its totals, the snapshot its phones receive.
    pub contest_rooms: ContestRooms,
    /// Budgets for speech contest votes, per account and per address.
    pub speech_votes: crate::speech::VoteLimiter,
    /// The group-commit writer of self check-ins.
    pub checkins: crate::checkin::CheckinWriter,
    /// Each recorded lesson's stored video file, remembered between a player's range requests.
    pub episode_files: crate::classroom::episode_files::EpisodeFiles,
}
