//! One ranked population (a unit, or the whole sub-district, in one period): an order-statistics
//! structure over integer scores, so that "how many are above me" is O(log span), never a scan.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use super::MemberId;

/// Counts of members by score, as a Fenwick tree (binary indexed tree) over the dense score range
/// `base .. base + len`. The range grows (doubling) when a score falls outside it, so its size
/// is about twice the spread of the scores in the population (a few thousand for a campaign's
/// point totals), independent of how many members there are.
#[derive(Debug, Default, Clone)]
pub(super) struct Fenwick {
    base: i64,
    tree: Vec<u32>,
    total: u32,
}

impl Fenwick {
    /// Adds `delta` (±1) members at `score`.
    pub(super) fn add(&mut self, score: i64, delta: i32) {
        self.cover(score);
        let mut i = (score - self.base) as usize + 1;
        while i <= self.tree.len() {
            self.tree[i - 1] = self.tree[i - 1].wrapping_add_signed(delta);
            i += i & i.wrapping_neg();
        }
        self.total = self.total.wrapping_add_signed(delta);
    }

    /// A tree holding `scores` (one member each), built in O(members + span).
    fn from_scores(scores: impl Iterator<Item = i64> + Clone) -> Self {
        let Some((low, high)) = scores.clone().fold(None, |range: Option<(i64, i64)>, s| {
            Some(range.map_or((s, s), |(low, high)| (low.min(s), high.max(s))))
        }) else {
            return Self::default();
        };
        let span = (high - low + 1) as usize;
        let len = (span * 2).next_power_of_two().max(16);
        let base = low - ((len - span) / 2) as i64;
        let mut counts = vec![0u32; len];
        let mut total = 0;
        for score in scores {
            counts[(score - base) as usize] += 1;
            total += 1;
        }
        Self { base, tree: fenwick_from_counts(counts), total }
    }

    /// Members with a score ≤ `score`.
    fn at_most(&self, score: i64) -> u32 {
        if self.tree.is_empty() || score < self.base {
            return 0;
        }
        let mut i = ((score - self.base) as u64 + 1).min(self.tree.len() as u64) as usize;
        let mut sum = 0u32;
        while i > 0 {
            sum = sum.wrapping_add(self.tree[i - 1]);
            i &= i - 1;
        }
        sum
    }

    /// Members with a score strictly above `score`: a competition rank is this plus one.
    pub(super) fn above(&self, score: i64) -> u32 {
        self.total - self.at_most(score)
    }

    /// Bytes held by the tree.
    pub(super) fn bytes(&self) -> usize {
        self.tree.capacity() * size_of::<u32>()
    }

    /// Makes the range include `score`, rebuilding (in O(len)) with twice the needed span.
    fn cover(&mut self, score: i64) {
        let len = self.tree.len() as i64;
        if !self.tree.is_empty() && score >= self.base && score < self.base + len {
            return;
        }
        let counts: Vec<u32> =
            (0..len).map(|i| self.at_most(self.base + i) - self.at_most(self.base + i - 1)).collect();
        let (low, high) = if self.tree.is_empty() {
            (score, score)
        } else {
            (self.base.min(score), (self.base + len - 1).max(score))
        };
        let span = (high - low + 1) as usize;
        let new_len = (span * 2).next_power_of_two().max(16);
        let new_base = low - ((new_len - span) / 2) as i64;
        let mut tree = vec![0u32; new_len];
        for (i, count) in counts.into_iter().enumerate() {
            tree[(self.base + i as i64 - new_base) as usize] = count;
        }
        self.base = new_base;
        self.tree = fenwick_from_counts(tree);
    }
}

/// A Fenwick tree from per-slot counts, in linear time: each node's sum is pushed to its parent.
fn fenwick_from_counts(mut tree: Vec<u32>) -> Vec<u32> {
    let len = tree.len();
    for i in 1..=len {
        let parent = i + (i & i.wrapping_neg());
        if parent <= len {
            tree[parent - 1] = tree[parent - 1].wrapping_add(tree[i - 1]);
        }
    }
    tree
}

/// A ranked population: members by score (for ranks) and in ranking order (for the top N),
/// with the sum of their points (for a unit's points per member).
#[derive(Debug, Default, Clone)]
pub(super) struct Board {
    counts: Fenwick,
    order: BTreeSet<(Reverse<i64>, MemberId)>,
    total: i64,
}

impl Board {
    /// A board holding `scores` at once (for a rebuild): one sort, no per-member rebalancing.
    pub(super) fn from_scores(scores: &[(MemberId, i64)]) -> Self {
        Self {
            counts: Fenwick::from_scores(scores.iter().map(|(_, score)| *score)),
            order: scores.iter().map(|(member, score)| (Reverse(*score), *member)).collect(),
            total: scores.iter().map(|(_, score)| score).sum(),
        }
    }

    /// Moves `member` from `old` (None: not on the board) to `new` (None: off the board).
    pub(super) fn change(&mut self, member: MemberId, old: Option<i64>, new: Option<i64>) {
        if let Some(old) = old {
            self.counts.add(old, -1);
            self.order.remove(&(Reverse(old), member));
            self.total -= old;
        }
        if let Some(new) = new {
            self.counts.add(new, 1);
            self.order.insert((Reverse(new), member));
            self.total += new;
        }
    }

    /// Competition rank of `score` on this board: 1 + how many score strictly more.
    pub(super) fn rank_of(&self, score: i64) -> u32 {
        self.counts.above(score) + 1
    }

    /// Members with a positive total (participants, see the module doc).
    pub(super) fn positive(&self) -> u32 {
        self.counts.above(0)
    }

    /// Sum of the members' points.
    pub(super) fn total(&self) -> i64 {
        self.total
    }

    /// The board in ranking order: highest score first, ties by member id.
    pub(super) fn ordered(&self) -> impl Iterator<Item = (MemberId, i64)> + '_ {
        self.order.iter().map(|(Reverse(score), member)| (*member, *score))
    }

    /// Bytes held, estimated: the tree exactly; the ordered set at about 1.5 × its keys (a B-tree's
    /// nodes are 2/3 full on average, plus their headers).
    pub(super) fn bytes(&self) -> usize {
        size_of::<Self>()
            + self.counts.bytes()
            + self.order.len() * size_of::<(Reverse<i64>, MemberId)>() * 3 / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fenwick_tree_counts_above_across_growth_and_negative_scores() {
        let mut tree = Fenwick::default();
        for score in [5, 5, 3, -40, 1000, 0] {
            tree.add(score, 1);
        }
        assert_eq!(tree.above(5), 1);
        assert_eq!(tree.above(4), 3);
        assert_eq!(tree.above(-41), 6);
        assert_eq!(tree.above(1000), 0);
        tree.add(5, -1);
        assert_eq!(tree.above(4), 2);
        assert_eq!(tree.above(-1), 4);
    }

    #[test]
    fn a_board_ranks_ties_together_and_skips_after_them() {
        let mut board = Board::default();
        for (member, score) in [(1, 10), (2, 7), (3, 7), (4, 3)] {
            board.change(member, None, Some(score));
        }
        let ranks: Vec<u32> = board.ordered().map(|(_, score)| board.rank_of(score)).collect();
        assert_eq!(ranks, [1, 2, 2, 4]);
        board.change(4, Some(3), Some(12));
        assert_eq!(board.rank_of(12), 1);
        assert_eq!(board.total(), 36);
    }
}
