//! Login throttling: guessing stays impractical, yet a stranger cannot keep a member or an admin
//! out.
//!
//! - **Every attempt is recorded before it is judged**, as a failure that a correct password later
//!   turns into a success. Counting after recording means parallel guesses count each other: of 60
//!   sent at once, at most the limit get their password checked.
//! - **Per address and account**: [`ADDRESS_ACCOUNT_LIMIT`] failures at one account from one address
//!   in [`ADDRESS_WINDOW_MINUTES`] make that address wait, for that account, until the oldest of them
//!   ages out. The address is the peer's, or the client a configured trusted proxy names
//!   (`--trusted-proxy`); never a header from anyone else.
//! - **Per address**: [`ADDRESS_LIMIT`] failures at any accounts in the same window make the whole
//!   address wait. A village station's members share one Wi-Fi address: a dozen elderly members
//!   mistyping once or twice must not shut the station out, yet one address spraying a common
//!   password over many phone numbers is stopped after a few dozen tries.
//! - **Per account**: [`ACCOUNT_LIMIT`] failures in [`ACCOUNT_WINDOW_MINUTES`] (after the last
//!   success), from all addresses together, stop further attempts at that account — ASVS 2.2.1 allows
//!   at most 100 an hour — except from an address the account has logged in from in the last
//!   [`KNOWN_ADDRESS_DAYS`] days. A stranger spreading guesses over many addresses therefore cannot
//!   lock the owner out of their usual phone or office, and each of those addresses is still held
//!   to the per-address limit.
//! - **Unlock**: an admin's password reset (账号管理 → 重置密码) forgets the account's failures, for an
//!   owner who must log in from a new place while the account is under attack.
//!
//! Throttled attempts are refused before any password is hashed, and unknown phone numbers are
//! throttled exactly like accounts, so the answers do not reveal which numbers have accounts.

use chrono::{DateTime, Duration, Utc};

use super::store::{self, Failures};
use crate::db::Db;

/// Failures one address may make at one account inside its window.
pub const ADDRESS_ACCOUNT_LIMIT: i64 = 5;
/// Failures one address may make at all accounts together inside its window.
pub const ADDRESS_LIMIT: i64 = 30;
/// The per-address window.
pub const ADDRESS_WINDOW_MINUTES: i64 = 15;
/// Failures one account may suffer from unknown addresses inside its window.
pub const ACCOUNT_LIMIT: i64 = 20;
/// The per-account window.
pub const ACCOUNT_WINDOW_MINUTES: i64 = 60;
/// How long a successful login makes an address known to the account.
pub const KNOWN_ADDRESS_DAYS: i64 = 90;

/// Whether a recorded attempt may have its password checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password.
    Proceed,
    /// This address has failed too often: wait this many minutes.
    AddressWaits(i64),
    /// The account has failed too often from strangers: wait this many minutes.
    AccountWaits(i64),
}

/// Records the attempt (as failed until proven otherwise) and judges it; returns its id, to mark a
/// success.
pub async fn admit(db: &Db, phone: &str, ip: &str) -> Result<(i64, Verdict), sqlx::Error> {
    let id = store::record_attempt(db, phone, ip).await?;
    let now = Utc::now();
    let failures = store::failures(
        db,
        phone,
        ip,
        now - Duration::minutes(ADDRESS_WINDOW_MINUTES),
        now - Duration::minutes(ACCOUNT_WINDOW_MINUTES),
        now - Duration::days(KNOWN_ADDRESS_DAYS),
    )
    .await?;
    Ok((id, judge(&failures, now)))
}

/// The rule itself; the counts include the attempt being judged.
fn judge(failures: &Failures, now: DateTime<Utc>) -> Verdict {
    if failures.by_address_at_account > ADDRESS_ACCOUNT_LIMIT {
        return Verdict::AddressWaits(minutes_left(
            failures.oldest_by_address_at_account,
            ADDRESS_WINDOW_MINUTES,
            now,
        ));
    }
    if failures.by_address > ADDRESS_LIMIT {
        return Verdict::AddressWaits(minutes_left(failures.oldest_by_address, ADDRESS_WINDOW_MINUTES, now));
    }
    if failures.by_account > ACCOUNT_LIMIT && !failures.known_address {
        return Verdict::AccountWaits(minutes_left(failures.oldest_by_account, ACCOUNT_WINDOW_MINUTES, now));
    }
    Verdict::Proceed
}

/// Whole minutes until the oldest failure leaves a window, at least one.
fn minutes_left(oldest: Option<DateTime<Utc>>, window: i64, now: DateTime<Utc>) -> i64 {
    oldest
        .map(|at| (at + Duration::minutes(window) - now).num_minutes() + 1)
        .unwrap_or(window)
        .clamp(1, window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(by_address_at_account: i64, by_account: i64, known_address: bool) -> Failures {
        Failures {
            by_address: by_address_at_account,
            oldest_by_address: None,
            by_address_at_account,
            oldest_by_address_at_account: None,
            by_account,
            oldest_by_account: None,
            known_address,
        }
    }

    #[test]
    fn a_shared_address_fails_at_many_accounts_before_it_waits() {
        let now = Utc::now();
        let station = Failures { by_address: ADDRESS_LIMIT, ..failures(1, 1, false) };
        assert_eq!(judge(&station, now), Verdict::Proceed);
        let spraying = Failures { by_address: ADDRESS_LIMIT + 1, ..failures(1, 1, false) };
        assert_eq!(judge(&spraying, now), Verdict::AddressWaits(15));
    }

    #[test]
    fn the_limits_count_the_attempt_itself() {
        let now = Utc::now();
        assert_eq!(judge(&failures(ADDRESS_ACCOUNT_LIMIT, 1, false), now), Verdict::Proceed);
        assert_eq!(judge(&failures(ADDRESS_ACCOUNT_LIMIT + 1, 1, true), now), Verdict::AddressWaits(15));
        assert_eq!(judge(&failures(1, ACCOUNT_LIMIT + 1, false), now), Verdict::AccountWaits(60));
        assert_eq!(judge(&failures(1, ACCOUNT_LIMIT + 1, true), now), Verdict::Proceed);
    }
}
