//! 冬训+ volunteer service activities (S6): 春联义写, 走访慰问, 手工制作 … held by a unit on a
//! day, with volunteers and their hours (reported, then approved or corrected by staff) and the
//! people served counted by category — counts, not names (migration 0023).
//!
//! `village_totals` is the public summary other rooms read (the villages' comparison page, a
//! village's brand page): what each station did between two days, counting approved hours only.

pub mod public;
pub mod totals;

pub use totals::{VillageActivityTotals, village_totals};
