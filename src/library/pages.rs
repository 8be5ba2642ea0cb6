//! The library's handlers: items and reading (`items.rs`), PDFs uploaded and served
//! (`files.rs`), curated lists (`lists.rs`), a book's page with its stock (`books.rs`).

mod books;
mod files;
mod items;
mod lists;

pub(super) use books::change_stock;
pub(super) use files::{pdf, upload_pdf};
pub(super) use items::{beat, create, index, new, show};
pub(super) use lists::{create_list, lists};
