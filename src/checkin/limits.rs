//! Bounds on guessing: identifying oneself by name and phone (check-in, online study) and typing
//! a six-digit check-in code are open to anyone, so each attempt spends from two budgets — the
//! client address's and the browser session's — kept by `governor`'s keyed limiters (GCRA, no
//! background task). Over either budget the answer is a Chinese 429 before anything is looked up,
//! so a refused attempt tells nothing about the guess.
//!
//! The address budget is the wider one: members at a lecture often share one address (the
//! venue's Wi-Fi, a carrier's NAT), while one browser needs only a few tries.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::web::csrf::{ANONYMOUS_COOKIE, cookie_value};
use crate::web::{AppError, WebConfig};

/// Keys kept before old ones are swept, so a flood of fresh addresses cannot grow memory for
/// long.
const SWEEP_ABOVE: usize = 10_000;

/// One budget: `burst` attempts at once, then one more every `every`.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Attempts allowed in a row from a full budget.
    pub burst: u32,
    /// How long it takes for one spent attempt to come back.
    pub every: Duration,
}

impl Budget {
    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst.max(1)).expect("at least one");
        Quota::with_period(self.every.max(Duration::from_millis(1)))
            .expect("a positive period")
            .allow_burst(burst)
    }
}

/// How many guesses an address and a browser session may make.
#[derive(Clone, Copy, Debug)]
pub struct GuessLimits {
    /// Per client address: 30 at once, then one every 2 seconds (a lecture hall of a hundred
    /// behind one address checks in within a few minutes; a script gets 1,800 tries an hour).
    pub per_address: Budget,
    /// Per browser session: 20 at once (impatient double taps), then one every 15 seconds.
    pub per_session: Budget,
}

impl GuessLimits {
    /// The default limits with `n` attempts a minute per address (`serve --guesses-per-address`).
    pub fn per_address_per_minute(n: u32) -> Self {
        let n = n.max(1);
        let per_address = Budget { burst: n, every: Duration::from_secs(60) / n };
        Self { per_address, ..Self::default() }
    }
}

impl Default for GuessLimits {
    fn default() -> Self {
        Self {
            per_address: Budget { burst: 30, every: Duration::from_secs(2) },
            per_session: Budget { burst: 20, every: Duration::from_secs(15) },
        }
    }
}

/// The limiters' state: in memory, per server; losing it on restart only refills the budgets.
#[derive(Clone)]
pub struct GuessLimiter(Arc<Limiters>);

struct Limiters {
    by_address: DefaultKeyedRateLimiter<String>,
    by_session: DefaultKeyedRateLimiter<String>,
}

impl GuessLimiter {
    /// Fresh budgets under `limits`.
    pub fn new(limits: GuessLimits) -> Self {
        Self(Arc::new(Limiters {
            by_address: RateLimiter::keyed(limits.per_address.quota()),
            by_session: RateLimiter::keyed(limits.per_session.quota()),
        }))
    }

    /// Spends one attempt of `guesser`'s budgets, or refuses with a Chinese 429.
    pub fn spend(&self, guesser: &Guesser) -> Result<(), AppError> {
        let limiters = &self.0;
        for limiter in [&limiters.by_address, &limiters.by_session] {
            if limiter.len() > SWEEP_ABOVE {
                limiter.retain_recent();
            }
        }
        // Both are spent even when the first refuses, so a session cannot dodge its own budget
        // by waiting out the address's.
        let address = limiters.by_address.check_key(&guesser.address);
        let session = limiters.by_session.check_key(&guesser.session);
        if address.is_err() || session.is_err() {
            return Err(AppError::TooManyAttempts(
                "尝试次数过多，请稍等几分钟再试，或请工作人员代为签到".into(),
            ));
        }
        Ok(())
    }
}

impl Default for GuessLimiter {
    fn default() -> Self {
        Self::new(GuessLimits::default())
    }
}

/// Who is guessing: the client address (as `auth` reads it) and the browser session (the
/// anonymous CSRF cookie, which every browser carries from its first page on).
pub struct Guesser {
    address: String,
    session: String,
}

impl<S> FromRequestParts<S> for Guesser
where
    S: Send + Sync,
    Arc<WebConfig>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let config = Arc::<WebConfig>::from_ref(state);
        let address = crate::auth::client_ip(parts, &config.trusted_proxies);
        let session = cookie_value(&parts.headers, ANONYMOUS_COOKIE).unwrap_or_default();
        Ok(Self { address, session })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guesser(address: &str, session: &str) -> Guesser {
        Guesser { address: address.into(), session: session.into() }
    }

    #[test]
    fn each_budget_runs_out_on_its_own_key() {
        let hour = Duration::from_secs(3600);
        let limiter = GuessLimiter::new(GuessLimits {
            per_address: Budget { burst: 3, every: hour },
            per_session: Budget { burst: 2, every: hour },
        });
        assert!(limiter.spend(&guesser("10.0.0.1", "a")).is_ok());
        assert!(limiter.spend(&guesser("10.0.0.1", "a")).is_ok());
        assert!(matches!(limiter.spend(&guesser("10.0.0.1", "a")), Err(AppError::TooManyAttempts(_))));
        // A new browser on the same address has its session budget, not the address's.
        assert!(matches!(limiter.spend(&guesser("10.0.0.1", "b")), Err(AppError::TooManyAttempts(_))));
        assert!(limiter.spend(&guesser("10.0.0.2", "b")).is_ok());
    }

    #[test]
    fn the_address_budget_can_be_set_per_minute() {
        let limits = GuessLimits::per_address_per_minute(120);
        assert_eq!(limits.per_address.burst, 120);
        assert_eq!(limits.per_address.every, Duration::from_millis(500));
        assert_eq!(limits.per_session.burst, GuessLimits::default().per_session.burst);
    }
}
