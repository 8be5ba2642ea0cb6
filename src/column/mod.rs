//! The publicity column (冬训专栏, S9): articles that station admins write and the committee
//! reviews and publishes, read by anyone without logging in at `/column`, carried by RSS and Atom
//! feeds, exported as Hexo posts and imported from Hexo/Jekyll posts and feeds, with a log of
//! the outlets (微溧水, 学习强国, …) that carried each article.

pub mod command;
pub mod dates;
pub mod feed_read;
pub mod feed_write;
pub mod import;
pub mod model;
mod pages;
pub mod posts;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub use pages::base_url;

/// The column's routes: the public pages and feeds, and the staff's `/column/admin…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/column", get(pages::index))
        .route("/column/rss.xml", get(pages::rss_feed))
        .route("/column/atom.xml", get(pages::atom_feed))
        .route("/column/category/{category}/rss.xml", get(pages::category_rss))
        .route("/column/category/{category}/atom.xml", get(pages::category_atom))
        .route("/column/images/{name}", get(pages::image))
        .route("/column/admin", get(pages::admin_list))
        .route("/column/admin/new", get(pages::new_page).post(pages::create))
        .route("/column/admin/{id}", get(pages::edit_page).post(pages::update))
        .route("/column/admin/{id}/step", post(pages::step))
        .route("/column/admin/{id}/syndications", post(pages::add_syndication))
        .route("/column/admin/{id}/syndications/{line}/remove", post(pages::remove_syndication))
        .route("/column/{id}", get(pages::article))
}
