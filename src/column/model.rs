//! The column's pure rules: an article's states and who may move it between them, what an
//! article's fields must be, and the sanitiser every body passes before it is stored.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::auth::Role;
use crate::coded_enum;

coded_enum! {
    /// Where an article is on its way to the public column.
    ArticleStatus {
        /// 草稿: its writer is still working on it.
        Draft = ("draft", "草稿"),
        /// 待审核: submitted, waiting for the committee.
        Review = ("review", "待审核"),
        /// 已发布: on the public column and in its feeds.
        Published = ("published", "已发布"),
    }
}

/// A move an article can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Draft → review (提交审核).
    Submit,
    /// Draft or review → published (审核发布).
    Publish,
    /// Review or published → draft (退回修改 / 撤回).
    Return,
}

impl Step {
    /// Parses the step a form names.
    pub fn from_code(code: &str) -> Option<Step> {
        match code {
            "submit" => Some(Step::Submit),
            "publish" => Some(Step::Publish),
            "return" => Some(Step::Return),
            _ => None,
        }
    }

    /// What the audit log and the flash message call it.
    pub fn label(self) -> &'static str {
        match self {
            Step::Submit => "提交审核",
            Step::Publish => "审核发布",
            Step::Return => "退回修改",
        }
    }
}

/// Whether `role` may write articles at all: station admins write for their station, the
/// committee for the whole sub-district.
pub fn may_write(role: Role) -> bool {
    role.is_admin()
}

/// Whether `role` may edit an article in `status`: writers edit drafts; the committee also edits
/// what waits for its review. A published article is returned to draft first.
pub fn may_edit(role: Role, status: ArticleStatus) -> bool {
    match status {
        ArticleStatus::Draft => may_write(role),
        ArticleStatus::Review => role == Role::CommitteeAdmin,
        ArticleStatus::Published => false,
    }
}

/// The status after `step`, when `role` may take it from `status`; `None` when not.
pub fn next_status(role: Role, status: ArticleStatus, step: Step) -> Option<ArticleStatus> {
    let committee = role == Role::CommitteeAdmin;
    match (step, status) {
        (Step::Submit, ArticleStatus::Draft) if may_write(role) => Some(ArticleStatus::Review),
        (Step::Publish, ArticleStatus::Draft | ArticleStatus::Review) if committee => {
            Some(ArticleStatus::Published)
        }
        (Step::Return, ArticleStatus::Review | ArticleStatus::Published) if committee => {
            Some(ArticleStatus::Draft)
        }
        _ => None,
    }
}

/// Categories as stored: one per line, trimmed, without blanks or repeats.
pub fn join_categories<S: AsRef<str>>(categories: &[S]) -> String {
    let mut seen = HashSet::new();
    categories
        .iter()
        .map(|c| c.as_ref().trim())
        .filter(|c| !c.is_empty() && seen.insert(c.to_owned()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Categories typed in one field, separated by commas (either width), 、 or new lines.
pub fn split_categories(text: &str) -> Vec<String> {
    let parts: Vec<&str> = text.split([',', '，', '、', '\n']).collect();
    join_categories(&parts).lines().map(str::to_owned).collect()
}

/// The HTML allowed in a body: paragraphs, headings, emphasis, lists, quotes, tables, links and
/// images (http, https or this site's own paths), nothing that runs or restyles the page.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https"]))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .add_tag_attributes("img", ["referrerpolicy"])
        .add_tag_attributes("p", ["class"])
        .rm_tags(["small"]);
    builder
});

/// The body as stored: `html` with everything that could run, load from elsewhere unasked or
/// break the page removed (scripts, `on*` handlers, `javascript:` URLs, styles, SVG, frames).
pub fn sanitise(html: &str) -> String {
    CLEANER.clean(html).to_string().trim().to_owned()
}

/// A body typed as plain paragraphs (no tag at all) becomes `<p>` per paragraph; HTML is kept.
pub fn body_html(typed: &str) -> String {
    let typed = typed.trim();
    if looks_like_html(typed) {
        return sanitise(typed);
    }
    let paragraphs: Vec<String> = typed
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect();
    sanitise(&paragraphs.join("\n"))
}

/// Whether a text holds a tag (`<p`, `</`, `<!--`), not just a "<" in a sentence.
pub fn looks_like_html(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Text with `&`, `<`, `>` and `"` escaped for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The first `max` characters of the body's text, tags removed: a summary when none was given.
pub fn text_summary(html: &str, max: usize) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    let words: Vec<&str> = text.split_whitespace().collect();
    let text = words.join(" ");
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// What a writer typed, checked: every problem by field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleInput {
    /// 标题.
    pub title: String,
    /// 作者.
    pub author: String,
    /// 栏目分类 (one or more, comma separated).
    pub categories: String,
    /// 摘要.
    pub summary: String,
    /// 正文 (HTML or plain paragraphs).
    pub body: String,
    /// 封面图片 (a URL, or the path of an uploaded picture).
    pub cover_url: String,
}

/// An article's fields ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleFields {
    /// 标题.
    pub title: String,
    /// 作者.
    pub author: String,
    /// Categories, one per line.
    pub categories: String,
    /// 摘要 (the body's first words when none was typed).
    pub summary: String,
    /// The sanitised body.
    pub body: String,
    /// 封面.
    pub cover_url: String,
}

/// Whether a cover or image address is one the column may show: http(s) or this site's path.
pub fn acceptable_url(url: &str) -> bool {
    url.is_empty() || url.starts_with("https://") || url.starts_with("http://") || url.starts_with("/column/")
}

impl ArticleInput {
    /// The fields to store, or `(field, message)` for every problem.
    pub fn check(&self) -> Result<ArticleFields, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let title = self.title.trim();
        if !(2..=100).contains(&title.chars().count()) {
            problems.push(("title", "标题应为2到100个字".to_owned()));
        }
        if self.author.trim().chars().count() > 40 {
            problems.push(("author", "作者不能超过40个字".to_owned()));
        }
        let categories = split_categories(&self.categories);
        if categories.is_empty() {
            problems.push(("categories", "请填写栏目分类，如：工作动态".to_owned()));
        } else if categories.iter().any(|c| c.chars().count() > 20) {
            problems.push(("categories", "每个分类不能超过20个字".to_owned()));
        }
        if self.summary.trim().chars().count() > 200 {
            problems.push(("summary", "摘要不能超过200个字".to_owned()));
        }
        let body = body_html(&self.body);
        if text_summary(&body, 10).is_empty() && !body.contains("<img") {
            problems.push(("body", "请填写正文".to_owned()));
        } else if self.body.len() > 1_000_000 {
            problems.push(("body", "正文太长：不能超过100万字节".to_owned()));
        }
        let cover_url = self.cover_url.trim();
        if !acceptable_url(cover_url) {
            problems.push(("cover_url", "封面图片地址应以 http:// 或 https:// 开头，或上传图片".to_owned()));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let summary = match self.summary.trim() {
            "" => text_summary(&body, 80),
            typed => typed.to_owned(),
        };
        Ok(ArticleFields {
            title: title.to_owned(),
            author: self.author.trim().to_owned(),
            categories: join_categories(&categories),
            summary,
            body,
            cover_url: cover_url.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests;
