//! RSS 2.0 and Atom feed files read leniently into posts: HTML escaped or in CDATA, the body in
//! `content:encoded` or `content` when the description is empty, `dc:creator` and `dc:date`,
//! images from enclosures and `media:thumbnail`, end tags that do not match, a whole document
//! on one line. Every entry is its own result, so one unreadable entry leaves the others.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::model::{join_categories, text_summary};
use super::posts::{Post, PostError, body_to_html, parse_date};

/// Whether a file's text is a feed rather than a Markdown post.
pub fn looks_like_feed(text: &str) -> bool {
    let head: String = text.trim_start_matches('\u{feff}').trim_start().chars().take(1000).collect();
    head.starts_with("<?xml")
        || head.starts_with("<rss")
        || head.starts_with("<feed")
        || head.contains("<rss ")
}

/// An entry's fields as found.
#[derive(Default)]
struct Entry {
    title: String,
    link: String,
    guid: String,
    published: String,
    updated: String,
    author: String,
    categories: Vec<String>,
    description: String,
    content: String,
    thumbnail: String,
}

/// An element's name as this reader knows it: lower case, namespace prefixes dropped except
/// the ones that tell two elements apart (`content:encoded`, `dc:*`, `media:*`).
fn name_of(start: &BytesStart<'_>) -> String {
    let raw = String::from_utf8_lossy(start.name().as_ref()).to_lowercase();
    match raw.split_once(':') {
        Some((prefix, local)) if matches!(prefix, "content" | "dc" | "media") => format!("{prefix}:{local}"),
        Some((_, local)) => local.to_owned(),
        None => raw,
    }
}

fn attribute(start: &BytesStart<'_>, name: &str) -> String {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref().eq_ignore_ascii_case(name.as_bytes()))
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
        .unwrap_or_default()
}

impl Entry {
    /// What an element's attributes say (Atom links, categories as terms, images).
    fn take_attributes(&mut self, name: &str, start: &BytesStart<'_>) {
        match name {
            "link" => {
                let rel = attribute(start, "rel");
                let href = attribute(start, "href");
                if !href.is_empty() && (rel.is_empty() || rel == "alternate") && self.link.is_empty() {
                    self.link = href;
                }
            }
            "category" => {
                let term = attribute(start, "term");
                if !term.is_empty() {
                    self.categories.push(term);
                }
            }
            "enclosure" | "media:thumbnail" | "media:content" => {
                let kind = attribute(start, "type");
                let url = attribute(start, "url");
                let image = name == "media:thumbnail"
                    || kind.starts_with("image/")
                    || attribute(start, "medium") == "image";
                if image && self.thumbnail.is_empty() && !url.is_empty() {
                    self.thumbnail = url;
                }
            }
            _ => {}
        }
    }

    /// An element's text, by the path below the entry (`title`, `author/name`, …).
    fn take_text(&mut self, path: &str, text: String) {
        let text = text.trim().to_owned();
        if text.is_empty() {
            return;
        }
        let slot = match path {
            "title" => &mut self.title,
            "link" => &mut self.link,
            "guid" | "id" => &mut self.guid,
            "pubdate" | "published" | "dc:date" | "issued" => &mut self.published,
            "updated" | "modified" => &mut self.updated,
            "author" | "dc:creator" | "author/name" => &mut self.author,
            "category" => {
                self.categories.push(text);
                return;
            }
            "description" | "summary" => &mut self.description,
            "content:encoded" | "content" => &mut self.content,
            _ => return,
        };
        if slot.is_empty() {
            *slot = text;
        }
    }

    fn into_post(self) -> Result<Post, PostError> {
        let title = unescape_html_text(&self.title);
        if title.is_empty() {
            return Err(PostError::new("标题", "条目没有标题"));
        }
        let raw_date = if self.published.is_empty() { &self.updated } else { &self.published };
        let date = match raw_date.trim() {
            "" => None,
            raw => Some(parse_date(raw).ok_or_else(|| PostError::new("日期", format!("无法识别“{raw}”")))?),
        };
        let raw_body = if self.content.trim().is_empty() { &self.description } else { &self.content };
        let body = body_to_html(&double_escaped(raw_body));
        if body.is_empty() {
            return Err(PostError::new("正文", "条目的 description 和 content 都为空"));
        }
        let summary = if self.content.trim().is_empty() || self.description.trim().is_empty() {
            text_summary(&body, 80)
        } else {
            text_summary(&double_escaped(&self.description), 200)
        };
        Ok(Post {
            title,
            date,
            categories: join_categories(&self.categories).lines().map(str::to_owned).collect(),
            author: self.author,
            thumbnail: self.thumbnail,
            comments: false,
            summary,
            body,
            permalink: if self.guid.is_empty() { self.link } else { self.guid },
        })
    }
}

/// HTML that was escaped twice (`&lt;p&gt;` after the XML's own escaping is undone).
fn double_escaped(text: &str) -> String {
    let trimmed = text.trim();
    if !trimmed.contains('<') && trimmed.contains("&lt;") {
        unescape_html_text(trimmed)
    } else {
        trimmed.to_owned()
    }
}

/// A few HTML entities undone in a plain text (titles).
fn unescape_html_text(text: &str) -> String {
    text.trim()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

fn entity(name: &str) -> Option<String> {
    let text = match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "mdash" => "—",
        "ldquo" => "“",
        "rdquo" => "”",
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            return char::from_u32(code).map(String::from);
        }
    };
    Some(text.to_owned())
}

/// Every entry (`<item>` or `<entry>`) of a feed, each read or refused on its own; `Err` when the
/// file is no feed at all.
pub fn read_feed(text: &str) -> Result<Vec<Result<Post, PostError>>, PostError> {
    let mut reader = Reader::from_str(text.trim_start_matches('\u{feff}'));
    reader.config_mut().check_end_names = false;
    let mut entries = Vec::new();
    let mut current: Option<Entry> = None;
    let mut path: Vec<String> = Vec::new();
    let mut text_buffer = String::new();
    let mut saw_feed = false;
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) if saw_feed => {
                let at = reader.buffer_position();
                entries.push(Err(PostError::new(
                    "XML",
                    format!("第{at}字节处格式错误（{e}），其后的条目未能读取"),
                )));
                break;
            }
            Err(e) => return Err(PostError::new("XML", format!("不是可读的 RSS/Atom 文件：{e}"))),
        };
        match event {
            Event::Start(start)
                if current.is_none() && matches!(name_of(&start).as_str(), "item" | "entry") =>
            {
                current = Some(Entry::default());
                path.clear();
            }
            Event::Empty(start)
                if current.is_none() && matches!(name_of(&start).as_str(), "item" | "entry") =>
            {
                entries.push(Entry::default().into_post());
            }
            Event::Start(start) => {
                let name = name_of(&start);
                if matches!(name.as_str(), "rss" | "feed" | "channel" | "rdf") {
                    saw_feed = true;
                }
                if let Some(entry) = current.as_mut() {
                    entry.take_attributes(&name, &start);
                    path.push(name);
                    text_buffer.clear();
                }
            }
            Event::Empty(start) => {
                if let Some(entry) = current.as_mut() {
                    entry.take_attributes(&name_of(&start), &start);
                }
            }
            Event::Text(t) => text_buffer.push_str(&t.xml10_content().unwrap_or_default()),
            Event::CData(t) => text_buffer.push_str(&String::from_utf8_lossy(&t.into_inner())),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_default();
                text_buffer.push_str(&entity(&name).unwrap_or_else(|| format!("&{name};")));
            }
            Event::End(end) => {
                let Some(entry) = current.as_mut() else { continue };
                let name = String::from_utf8_lossy(end.name().as_ref()).to_lowercase();
                let local = name.rsplit(':').next().unwrap_or_default();
                if path.is_empty() && matches!(local, "item" | "entry") {
                    if let Some(done) = current.take() {
                        entries.push(done.into_post());
                    }
                    continue;
                }
                entry.take_text(&path.join("/"), std::mem::take(&mut text_buffer));
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_feed && entries.is_empty() {
        return Err(PostError::new("XML", "没有找到 <rss> 或 <feed>，不是 RSS/Atom 文件"));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests;
