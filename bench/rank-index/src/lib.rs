//! What the rank-index benchmarks share: a deterministic generator of ledger entries, and
//! reading the process's memory.

use chrono::{Days, NaiveDate};
use dongxun::points::index::Event;

/// xorshift64*: deterministic, fast, no dependency.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The campaign every benchmark generates: 90 days from 1 November 2026.
pub struct Campaign {
    /// Members, numbered 0..members.
    pub members: u64,
    /// Units; member m is in unit m % units.
    pub units: u64,
    /// First day.
    pub first: NaiveDate,
    /// Days.
    pub days: u64,
}

impl Campaign {
    /// A campaign of `members` in `units`.
    pub fn new(members: u64, units: u64) -> Self {
        Campaign { members, units, first: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), days: 90 }
    }
    /// The last day, "today".
    pub fn today(&self) -> NaiveDate {
        self.first + Days::new(self.days - 1)
    }
    /// The unit of a member.
    pub fn unit_of(&self, member: u64) -> i64 {
        (member % self.units) as i64
    }
    /// `entries` ledger entries, generated on the fly: a uniformly random member and campaign
    /// day; one in 50 a correction (−1…−5), the rest earn 1–5 points.
    pub fn events(&self, entries: u64, seed: u64) -> impl Iterator<Item = Event> + use<> {
        let (members, units, first, days) = (self.members, self.units, self.first, self.days);
        let mut rng = Rng(seed);
        (0..entries).map(move |_| {
            let member = rng.below(members);
            let points = if rng.below(50) == 0 { -(rng.below(5) as i64 + 1) } else { rng.below(5) as i64 + 1 };
            Event {
                member: member as i64,
                unit: (member % units) as i64,
                day: first + Days::new(rng.below(days)),
                points,
            }
        })
    }
}

/// The process's resident memory, KiB.
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The n-th command-line argument as a number (`1_000_000` and `1,000,000` allowed).
pub fn arg(n: usize, default: u64) -> u64 {
    std::env::args().nth(n).map_or(default, |a| a.replace(['_', ','], "").parse().expect("a number"))
}

/// Nanoseconds per call of `f`, over `count` calls.
pub fn time_per(count: u64, f: &mut dyn FnMut() -> u64) -> f64 {
    let started = std::time::Instant::now();
    let mut sink = 0u64;
    for _ in 0..count {
        sink = sink.wrapping_add(f());
    }
    std::hint::black_box(sink);
    started.elapsed().as_nanos() as f64 / count as f64
}
