//! Bounds on voting: every vote attempt — counted or refused — spends from two budgets, the
//! account's and the client address's, kept by `governor`'s keyed limiters as check-in's guesses
//! are. Over either the answer is a Chinese 429 before anything is looked up or stored, so a
//! script cannot hammer the vote button, and many accounts behind one address are slowed too.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::web::AppError;

/// Keys kept before old ones are swept.
const SWEEP_ABOVE: usize = 10_000;

/// Per account: 20 votes at once (a member voting down a round's list), then one every 3 s.
pub const PER_ACCOUNT: (u32, Duration) = (20, Duration::from_secs(3));
/// Per address: 200 at once (a meeting hall behind one address), then five a second.
pub const PER_ADDRESS: (u32, Duration) = (200, Duration::from_millis(200));

/// The voting budgets, in memory per server (a sub-state of `AppState`).
#[derive(Clone)]
pub struct VoteLimiter(Arc<(DefaultKeyedRateLimiter<i64>, DefaultKeyedRateLimiter<String>)>);

fn quota((burst, every): (u32, Duration)) -> Quota {
    Quota::with_period(every.max(Duration::from_millis(1)))
        .expect("a positive period")
        .allow_burst(NonZeroU32::new(burst.max(1)).expect("at least one"))
}

impl VoteLimiter {
    /// Fresh budgets: `per_account` and `per_address` as (burst, one more every).
    pub fn new(per_account: (u32, Duration), per_address: (u32, Duration)) -> Self {
        Self(Arc::new((RateLimiter::keyed(quota(per_account)), RateLimiter::keyed(quota(per_address)))))
    }

    /// Spends one attempt of the account's and the address's budgets, or refuses with a 429.
    pub fn spend(&self, user_id: i64, address: &str) -> Result<(), AppError> {
        let (by_account, by_address) = &*self.0;
        if by_account.len() > SWEEP_ABOVE {
            by_account.retain_recent();
        }
        if by_address.len() > SWEEP_ABOVE {
            by_address.retain_recent();
        }
        // Both are spent even when the first refuses.
        let account = by_account.check_key(&user_id);
        let address = by_address.check_key(&address.to_owned());
        if account.is_err() || address.is_err() {
            return Err(AppError::TooManyAttempts("投票过于频繁，请稍等一会儿再投".into()));
        }
        Ok(())
    }
}

impl Default for VoteLimiter {
    fn default() -> Self {
        Self::new(PER_ACCOUNT, PER_ADDRESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_budget_runs_out_on_its_own_key() {
        let hour = Duration::from_secs(3600);
        let limiter = VoteLimiter::new((2, hour), (2, hour));
        assert!(limiter.spend(1, "10.0.0.1").is_ok());
        assert!(limiter.spend(1, "10.0.0.1").is_ok());
        assert!(limiter.spend(1, "10.0.0.2").is_err(), "the account's budget is spent");
        assert!(limiter.spend(2, "10.0.0.1").is_err(), "the address's budget is spent");
        assert!(limiter.spend(2, "10.0.0.3").is_ok());
    }
}
