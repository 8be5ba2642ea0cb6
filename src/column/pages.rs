//! The column's pages: the public ones (`public.rs`: list, article, feeds, pictures — no login)
//! and the staff's (`admin.rs`: write, submit, review and publish, the syndication log).

mod admin;
mod article_form;
mod public;

pub(super) use admin::{
    add_syndication, admin_list, create, edit_page, new_page, remove_syndication, step, update,
};
pub(super) use public::{article, atom_feed, category_atom, category_rss, image, index, rss_feed};

use axum::http::HeaderMap;
use axum::http::header::HOST;

use crate::web::WebConfig;

/// The site's base URL for absolute links: `--public-url` when set, else the request's `Host`
/// (only a plain host name and port are believed), over https when the site is.
pub fn base_url(config: &WebConfig, headers: &HeaderMap) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)))
        .unwrap_or("localhost");
    let scheme = if config.https { "https" } else { "http" };
    format!("{scheme}://{host}")
}
