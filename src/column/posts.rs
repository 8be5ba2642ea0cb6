//! Hexo/Jekyll Markdown posts, read leniently and written in the founding document's shape.
//!
//! Posts written by feed generators and people are messy, so the front matter is read line by
//! line (`key: value`, lists as `- item` lines or `[a, b]`, block scalars), never by a strict
//! YAML parser that would refuse a title wrapped in stray quotes: quoting is undone where it is
//! well formed and trimmed where it is not. Dates are read in every usual form ([`parse_date`]).
//! Pure and bounded: the caller reads at most [`MAX_POST_BYTES`].

use chrono::{DateTime, Utc};

pub use super::dates::{hexo_date, parse_date};

use super::model::{join_categories, sanitise, text_summary};

/// The largest post or feed file read, in bytes.
pub const MAX_POST_BYTES: usize = 8 * 1024 * 1024;

/// A post as read from a file or a feed entry, ready to become a draft article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// 标题.
    pub title: String,
    /// Its date, when one was given and readable.
    pub date: Option<DateTime<Utc>>,
    /// 分类, in order.
    pub categories: Vec<String>,
    /// 作者.
    pub author: String,
    /// 封面 (Hexo's `thumbnail`).
    pub thumbnail: String,
    /// Whether comments are open (Hexo's `comments`).
    pub comments: bool,
    /// 摘要.
    pub summary: String,
    /// The sanitised HTML body.
    pub body: String,
    /// A permalink or guid that names the post wherever it is found again.
    pub permalink: String,
}

/// Why a post could not be read: the field and the reason, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}：{reason}")]
pub struct PostError {
    /// The field (标题, 日期, 正文, 文件…).
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl PostError {
    /// A problem with `field`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self { field, reason: reason.into() }
    }
}

/// A front-matter value: one text or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Text(String),
    List(Vec<String>),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::List(items) => items.join(", "),
        }
    }

    fn list(&self) -> Vec<String> {
        match self {
            Value::Text(t) if t.is_empty() => Vec::new(),
            Value::Text(t) => vec![t.clone()],
            Value::List(items) => items.clone(),
        }
    }
}

/// Undoes a scalar's quoting: well-formed YAML double or single quotes are read as YAML reads
/// them; stray quotes around the text (`"""'标题'"""`) are trimmed.
pub fn unquote(raw: &str) -> String {
    let raw = raw.trim();
    let stray = |s: &str| s.trim_matches(|c| c == '"' || c == '\'').trim().to_owned();
    if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
        let inner = &raw[1..raw.len() - 1];
        return match unescape_double(inner) {
            Some(text) if !(text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'')) => text,
            _ => stray(raw),
        };
    }
    if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        let inner = &raw[1..raw.len() - 1];
        if !inner.replace("''", "").contains('\'') {
            return inner.replace("''", "'");
        }
        return stray(raw);
    }
    raw.to_owned()
}

/// A YAML double-quoted scalar's inside, or `None` when it holds an unescaped quote.
fn unescape_double(inner: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '/' => out.push('/'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => {
                    out.push('\\');
                    out.push(other);
                }
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// `[a, "b", c]` as a list.
fn inline_list(raw: &str) -> Option<Vec<String>> {
    let inner = raw.trim().strip_prefix('[')?.strip_suffix(']')?;
    Some(inner.split(',').map(unquote).filter(|s| !s.is_empty()).collect())
}

/// The front matter's keys (lower case) and values, line by line.
fn read_front_matter(lines: &[&str]) -> Vec<(String, Value)> {
    let mut fields: Vec<(String, Value)> = Vec::new();
    let mut block: Option<(bool, Vec<String>)> = None;
    for line in lines {
        let indented = line.starts_with([' ', '\t']);
        let trimmed = line.trim();
        if indented || trimmed.is_empty() {
            if let Some((_, parts)) = block.as_mut() {
                parts.push(trimmed.to_owned());
                continue;
            }
            if let Some(item) = trimmed.strip_prefix("- ").or(if trimmed == "-" { Some("") } else { None }) {
                if let Some((_, value)) = fields.last_mut() {
                    let item = unquote(item);
                    match value {
                        Value::List(items) => items.push(item),
                        Value::Text(t) if t.is_empty() => *value = Value::List(vec![item]),
                        Value::Text(t) => {
                            t.push(' ');
                            t.push_str(&item);
                        }
                    }
                }
            } else if let Some((_, Value::Text(t))) = fields.last_mut() {
                // A plain scalar folded onto the next line.
                if !trimmed.is_empty() {
                    t.push(' ');
                    t.push_str(&unquote(trimmed));
                }
            }
            continue;
        }
        if let Some((folded, parts)) = block.take() {
            let joined = if folded { parts.join(" ") } else { parts.join("\n") };
            if let Some((_, value)) = fields.last_mut() {
                *value = Value::Text(joined.trim().to_owned());
            }
        }
        if let Some(item) = trimmed.strip_prefix("- ")
            && let Some((_, Value::List(items))) = fields.last_mut()
        {
            items.push(unquote(item));
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else { continue };
        let key = key.trim().trim_matches(|c| c == '"' || c == '\'').to_lowercase();
        let value = value.trim();
        if matches!(value, "|" | ">" | "|-" | ">-" | "|+" | ">+") {
            block = Some((value.starts_with('>'), Vec::new()));
            fields.push((key, Value::Text(String::new())));
        } else if let Some(items) = inline_list(value) {
            fields.push((key, Value::List(items)));
        } else {
            fields.push((key, Value::Text(unquote(value))));
        }
    }
    if let Some((folded, parts)) = block
        && let Some((_, value)) = fields.last_mut()
    {
        let joined = if folded { parts.join(" ") } else { parts.join("\n") };
        *value = Value::Text(joined.trim().to_owned());
    }
    fields
}

/// Splits a post into its front matter's lines and its body. A post without front matter has
/// none; a Hexo post may also omit the opening `---`.
fn split_post(text: &str) -> (Vec<&str>, &str) {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let Some(rest) = text.strip_prefix("---") else {
        // Hexo allows the front matter without its opening line.
        if let Some((head, body)) = text.split_once("\n---")
            && head.lines().next().is_some_and(|l| l.contains(':') && !l.starts_with('<'))
            && head.lines().all(|l| l.trim().is_empty() || l.contains(':') || l.starts_with([' ', '-', '\t']))
        {
            let body = body.split_once('\n').map_or("", |(_, b)| b);
            return (head.lines().collect(), body);
        }
        return (Vec::new(), text);
    };
    let rest = rest.trim_start_matches('-');
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        let bare = line.trim();
        if bare == "---" || bare == "..." {
            return (lines, &rest[offset..]);
        }
        lines.push(line.trim_end_matches(['\n', '\r']));
    }
    // No closing line: everything was front matter, or the post is broken.
    (lines, "")
}

/// The body as HTML: kept when it is HTML, rendered when it is Markdown; sanitised either way.
pub fn body_to_html(body: &str) -> String {
    let body = body.trim();
    if body.starts_with('<') {
        return sanitise(body);
    }
    let parser = pulldown_cmark::Parser::new_ext(body, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    sanitise(&html)
}

/// Reads a Hexo or Jekyll Markdown post.
pub fn read_markdown(text: &str) -> Result<Post, PostError> {
    let (front, body) = split_post(text);
    let fields = read_front_matter(&front);
    let get = |names: &[&str]| fields.iter().find(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| v);
    let mut body = body.to_owned();
    let mut title = get(&["title"]).map(Value::text).unwrap_or_default();
    if title.trim().is_empty() {
        // A Markdown post may carry its title as its first heading.
        if let Some(line) = body.lines().find(|l| !l.trim().is_empty())
            && let Some(heading) = line.trim().strip_prefix("# ")
        {
            title = heading.trim().to_owned();
            body = body.replacen(line, "", 1);
        }
    }
    let title = title.trim().to_owned();
    if title.is_empty() {
        return Err(PostError::new("标题", "没有找到标题（front matter 的 title）"));
    }
    let date = match get(&["date", "pubdate", "created", "updated"]).map(Value::text) {
        Some(raw) if !raw.trim().is_empty() => Some(
            parse_date(&raw).ok_or_else(|| PostError::new("日期", format!("无法识别“{}”", raw.trim())))?,
        ),
        _ => None,
    };
    let html = body_to_html(&body);
    if html.is_empty() {
        return Err(PostError::new("正文", "正文为空"));
    }
    let comments = get(&["comments"]).map(Value::text).is_some_and(|c| is_true(&c));
    let summary = match get(&["summary", "description", "excerpt"]).map(Value::text) {
        Some(s) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => text_summary(&html, 80),
    };
    let categories = get(&["categories", "category"]).map(Value::list).unwrap_or_default();
    Ok(Post {
        title,
        date,
        categories: join_categories(&categories).lines().map(str::to_owned).collect(),
        author: get(&["author"]).map(Value::text).unwrap_or_default().trim().to_owned(),
        thumbnail: get(&["thumbnail", "cover", "image", "cover_image", "banner"])
            .map(Value::text)
            .unwrap_or_default()
            .trim()
            .to_owned(),
        comments,
        summary,
        body: html,
        permalink: get(&["permalink", "guid", "link"]).map(Value::text).unwrap_or_default(),
    })
}

fn is_true(text: &str) -> bool {
    matches!(text.trim().to_lowercase().as_str(), "true" | "yes" | "on" | "1")
}

/// A text as a YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What an exported post says about its article.
#[derive(Debug, Clone)]
pub struct HexoPost<'a> {
    /// 标题.
    pub title: &'a str,
    /// 日期.
    pub date: DateTime<Utc>,
    /// 分类.
    pub categories: Vec<&'a str>,
    /// 作者.
    pub author: &'a str,
    /// 封面 (an absolute URL).
    pub thumbnail: &'a str,
    /// Comments open.
    pub comments: bool,
    /// Published (drafts are written with `published: false`).
    pub published: bool,
    /// 摘要.
    pub summary: &'a str,
    /// The HTML body.
    pub body: &'a str,
}

/// The post as Markdown with YAML front matter, in the founding document's shape.
pub fn write_hexo(post: &HexoPost<'_>) -> String {
    let mut out = String::from("---\n");
    out.push_str(&format!("title: {}\n", quoted(post.title)));
    out.push_str("categories: \n");
    for category in &post.categories {
        out.push_str(&format!("    - {}\n", quoted(category)));
    }
    out.push_str(&format!("author: {}\n", quoted(post.author)));
    out.push_str(&format!("comments: {}\n", post.comments));
    out.push_str(&format!("date: {}\n", hexo_date(post.date)));
    out.push_str(&format!("thumbnail: {}\n", quoted(post.thumbnail)));
    out.push_str(&format!("summary: {}\n", quoted(post.summary)));
    if !post.published {
        out.push_str("published: false\n");
    }
    out.push_str("---\n\n");
    out.push_str(post.body.trim());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests;
