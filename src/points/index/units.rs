//! Units ranked against each other: by points per member of the audience, or by participation
//! rate. There are tens of units, so this sorts them on each call; fractions are compared exactly
//! (cross-multiplied), so two units with equal rates share a rank.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use super::{Period, Ranks, UnitId};

/// How units are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitOrder {
    /// Net points per member of the unit's audience (人均积分).
    PointsPerMember,
    /// Share of the audience with a positive total in the period (参与率).
    Participation,
}

/// One unit's row in a unit ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitStanding {
    /// Competition rank among the units.
    pub rank: u32,
    /// The unit.
    pub unit: UnitId,
    /// Its members' net points in the period.
    pub points: i64,
    /// Members with a positive total in the period.
    pub participants: u32,
    /// Its audience (0 when never set: its rates count as 0).
    pub audience: u32,
}

impl UnitStanding {
    /// Points per member of the audience.
    pub fn points_per_member(&self) -> f64 {
        if self.audience == 0 { 0.0 } else { self.points as f64 / f64::from(self.audience) }
    }

    /// Participation rate, 0 to 1 (it may pass 1 if the audience was set too small).
    pub fn participation(&self) -> f64 {
        if self.audience == 0 { 0.0 } else { f64::from(self.participants) / f64::from(self.audience) }
    }

    /// The rate `order` ranks by, as an exact fraction (numerator, denominator > 0).
    fn rate(&self, order: UnitOrder) -> (i128, i128) {
        if self.audience == 0 {
            return (0, 1);
        }
        let numerator = match order {
            UnitOrder::PointsPerMember => i128::from(self.points),
            UnitOrder::Participation => i128::from(self.participants),
        };
        (numerator, i128::from(self.audience))
    }

    /// Compares two units' rates under `order` (greater rate first).
    fn by_rate(&self, other: &Self, order: UnitOrder) -> Ordering {
        let (a, b) = (self.rate(order), other.rate(order));
        (b.0 * a.1).cmp(&(a.0 * b.1))
    }
}

impl Ranks {
    /// Every unit with an audience or an entry in `period`, ranked by `order` (ties by unit id).
    /// Empty when the period's rankings were dropped.
    pub fn units(&self, period: Period, order: UnitOrder) -> Vec<UnitStanding> {
        let bucket = period.bucket();
        if !self.kept(bucket) {
            return Vec::new();
        }
        let table = self.tables.get(&bucket);
        let ids: BTreeSet<UnitId> = self
            .audience
            .keys()
            .copied()
            .chain(table.into_iter().flat_map(|t| t.units.keys().copied()))
            .collect();
        let mut rows: Vec<UnitStanding> = ids
            .into_iter()
            .map(|unit| {
                let board = table.and_then(|t| t.units.get(&unit));
                UnitStanding {
                    rank: 0,
                    unit,
                    points: board.map_or(0, |b| b.total()),
                    participants: board.map_or(0, |b| b.positive()),
                    audience: self.audience.get(&unit).copied().unwrap_or(0),
                }
            })
            .collect();
        rows.sort_by(|a, b| a.by_rate(b, order).then(a.unit.cmp(&b.unit)));
        for i in 0..rows.len() {
            rows[i].rank = if i > 0 && rows[i].by_rate(&rows[i - 1], order).is_eq() {
                rows[i - 1].rank
            } else {
                i as u32 + 1
            };
        }
        rows
    }
}
