//! The column's RSS 2.0 and Atom feeds, written with the `rss` and `atom_syndication` crates:
//! newest first, every link and image absolute (the site's base URL before this site's paths).

use chrono::{DateTime, Utc};

use super::store::Article;

/// The most articles a feed carries.
pub const FEED_LENGTH: usize = 50;

/// What a feed is about: the whole column or one category.
pub struct FeedInfo<'a> {
    /// The site's base URL, without a trailing slash (`https://dongxun.example`).
    pub base: &'a str,
    /// The category, or `None` for the whole column.
    pub category: Option<&'a str>,
}

impl FeedInfo<'_> {
    fn title(&self) -> String {
        match self.category {
            Some(c) => format!("冬训专栏 · {c}"),
            None => "冬训专栏".to_owned(),
        }
    }

    fn page(&self) -> String {
        match self.category {
            Some(c) => format!("{}/column?category={}", self.base, crate::web::error::urlencode(c)),
            None => format!("{}/column", self.base),
        }
    }
}

/// A path of this site (`/column/…`) made absolute; other URLs as they are.
pub fn absolute(base: &str, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") { format!("{base}{url}") } else { url.to_owned() }
}

/// A body's own pictures and links made absolute, so a feed reader elsewhere finds them.
pub fn absolute_body(base: &str, body: &str) -> String {
    body.replace("src=\"/", &format!("src=\"{base}/")).replace("href=\"/", &format!("href=\"{base}/"))
}

/// An article's public address.
pub fn article_url(base: &str, id: i64) -> String {
    format!("{base}/column/{id}")
}

/// The RSS 2.0 document of `articles` (already newest first).
pub fn rss(info: &FeedInfo<'_>, articles: &[Article]) -> String {
    let items: Vec<rss::Item> = articles
        .iter()
        .take(FEED_LENGTH)
        .map(|a| {
            let url = article_url(info.base, a.id);
            let mut item = rss::Item::default();
            item.set_title(a.title.clone());
            item.set_link(url.clone());
            item.set_guid(rss::Guid { value: url, permalink: true });
            item.set_pub_date(a.dated_at.to_rfc2822());
            item.set_description(a.summary.clone());
            item.set_content(absolute_body(info.base, &a.body));
            item.set_categories(
                a.categories()
                    .into_iter()
                    .map(|c| rss::Category { name: c.to_owned(), domain: None })
                    .collect::<Vec<_>>(),
            );
            if !a.author.is_empty() {
                let dc = rss::extension::dublincore::DublinCoreExtension {
                    creators: vec![a.author.clone()],
                    ..Default::default()
                };
                item.set_dublin_core_ext(dc);
            }
            if !a.cover_url.is_empty() {
                item.set_enclosure(rss::Enclosure {
                    url: absolute(info.base, &a.cover_url),
                    length: "0".to_owned(),
                    mime_type: "image/jpeg".to_owned(),
                });
            }
            item
        })
        .collect();
    let mut channel = rss::Channel::default();
    channel.set_title(info.title());
    channel.set_link(info.page());
    channel.set_description("溧水区石湫街道党员冬训宣传专栏");
    channel.set_language("zh-CN".to_owned());
    if let Some(newest) = articles.first() {
        channel.set_last_build_date(newest.dated_at.to_rfc2822());
    }
    channel.set_items(items);
    channel.to_string()
}

/// The Atom document of `articles` (already newest first).
pub fn atom(info: &FeedInfo<'_>, articles: &[Article], self_url: &str) -> String {
    let updated: DateTime<Utc> = articles.iter().map(|a| a.dated_at).max().unwrap_or(DateTime::UNIX_EPOCH);
    let entries: Vec<atom_syndication::Entry> = articles
        .iter()
        .take(FEED_LENGTH)
        .map(|a| {
            let url = article_url(info.base, a.id);
            let mut entry = atom_syndication::Entry::default();
            entry.set_id(url.clone());
            entry.set_title(a.title.clone());
            entry.set_updated(a.dated_at);
            entry.set_published(Some(a.dated_at.into()));
            entry.set_links(vec![link(&url, "alternate")]);
            let mut author = atom_syndication::Person::default();
            author.set_name(if a.author.is_empty() { "冬训专栏".to_owned() } else { a.author.clone() });
            entry.set_authors(vec![author]);
            entry.set_categories(
                a.categories()
                    .into_iter()
                    .map(|c| {
                        let mut category = atom_syndication::Category::default();
                        category.set_term(c.to_owned());
                        category
                    })
                    .collect::<Vec<_>>(),
            );
            entry.set_summary(Some(atom_syndication::Text::plain(a.summary.clone())));
            let mut content = atom_syndication::Content::default();
            content.set_content_type(Some("html".to_owned()));
            content.set_value(Some(absolute_body(info.base, &a.body)));
            entry.set_content(Some(content));
            entry
        })
        .collect();
    let mut feed = atom_syndication::Feed::default();
    feed.set_id(info.page());
    feed.set_title(info.title());
    feed.set_updated(updated);
    feed.set_lang(Some("zh-CN".to_owned()));
    feed.set_links(vec![link(&info.page(), "alternate"), link(self_url, "self")]);
    feed.set_entries(entries);
    feed.to_string()
}

fn link(href: &str, rel: &str) -> atom_syndication::Link {
    let mut link = atom_syndication::Link::default();
    link.set_href(href.to_owned());
    link.set_rel(rel.to_owned());
    link
}

#[cfg(test)]
mod tests;
