//! The library's handlers: items and reading (`items.rs`), curated lists (`lists.rs`).

mod items;
mod lists;

pub(super) use items::{beat, create, index, new, show};
pub(super) use lists::{create_list, lists};
