//! The points pages: the rules (积分规则), a member's own ledger (我的积分), staff reading and
//! correcting a member's ledger and recording offline points one at a time, and the offline
//! points sheet upload.

pub(super) mod ledger;
pub(super) mod mine;
pub(super) mod rules;
pub(super) mod sheet;
