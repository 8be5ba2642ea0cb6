//! Posts and feeds become draft articles: each file read on its own (a Markdown post or an
//! RSS/Atom feed), each post named by its guid/permalink or the hash of its text so importing
//! it again adds nothing, all of one run stored in one audited transaction.

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::feed_read::{looks_like_feed, read_feed};
use super::model::{ArticleFields, ArticleStatus, acceptable_url, join_categories};
use super::posts::{MAX_POST_BYTES, Post, PostError, read_markdown};
use super::store::{self as column, NewArticle};
use crate::audit::{self, Action, Actor};
use crate::db::Db;

/// What one file held: its posts (each read or refused), or why the whole file was refused.
pub struct ReadFile {
    /// The file's name, for messages.
    pub name: String,
    /// Each post with its key, or the entry's problem (`第N条` for a feed's entries).
    pub posts: Vec<Result<(String, Post), String>>,
}

fn hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

/// Reads one file's bytes (UTF-8, or GB18030 as older Chinese sites write) into posts.
pub fn read_file(name: &str, bytes: &[u8]) -> ReadFile {
    let refuse = |e: PostError| ReadFile { name: name.to_owned(), posts: vec![Err(e.to_string())] };
    if bytes.len() > MAX_POST_BYTES {
        return refuse(PostError::new("文件", format!("超过{} MB，未读取", MAX_POST_BYTES / 1024 / 1024)));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return refuse(PostError::new("编码", "既不是 UTF-8 也不是 GBK 文本"));
            }
            text.into_owned()
        }
    };
    if looks_like_feed(&text) {
        return match read_feed(&text) {
            Ok(entries) if entries.is_empty() => {
                refuse(PostError::new("条目", "订阅文件里没有 <item> 或 <entry>"))
            }
            Ok(entries) => ReadFile {
                name: name.to_owned(),
                posts: entries
                    .into_iter()
                    .enumerate()
                    .map(|(i, entry)| match entry {
                        Ok(post) => {
                            let key = if post.permalink.trim().is_empty() {
                                format!(
                                    "feed:{}",
                                    hash(&format!("{}\n{:?}\n{}", post.title, post.date, post.body))
                                )
                            } else {
                                format!("feed:{}", post.permalink.trim())
                            };
                            Ok((key, post))
                        }
                        Err(e) => Err(format!("第{}条 {e}", i + 1)),
                    })
                    .collect(),
            },
            Err(e) => refuse(e),
        };
    }
    match read_markdown(&text) {
        Ok(mut post) => {
            // Jekyll names a post by its day (2021-03-02-title.md) and may leave `date` out.
            if post.date.is_none() {
                post.date = name.get(..10).and_then(super::dates::parse_date);
            }
            ReadFile { name: name.to_owned(), posts: vec![Ok((format!("post:{}", hash(&text)), post))] }
        }
        Err(e) => refuse(e),
    }
}

/// The fields of a post as an article. A cover that is no web address is left out.
pub fn fields_of(post: &Post) -> ArticleFields {
    let cover = post.thumbnail.trim();
    ArticleFields {
        title: post.title.chars().take(200).collect(),
        author: post.author.chars().take(100).collect(),
        categories: join_categories(&post.categories),
        summary: post.summary.chars().take(500).collect(),
        body: post.body.clone(),
        cover_url: if acceptable_url(cover) { cover.to_owned() } else { String::new() },
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Drafts added.
    pub added: usize,
    /// Posts imported before, left as they are.
    pub duplicates: usize,
    /// Every post or file refused, as "file：field：reason".
    pub refused: Vec<String>,
}

/// Stores every post read as a draft (one transaction, audited as `actor`).
pub async fn store(db: &Db, actor: &Actor, files: &[ReadFile]) -> Result<Outcome, sqlx::Error> {
    let mut outcome = Outcome::default();
    let mut tx = db.begin().await?;
    for file in files {
        for post in &file.posts {
            let (key, post) = match post {
                Ok(found) => found,
                Err(problem) => {
                    outcome.refused.push(format!("{}：{problem}", file.name));
                    continue;
                }
            };
            let fields = fields_of(post);
            let new = NewArticle {
                fields: &fields,
                comments: post.comments,
                status: ArticleStatus::Draft,
                dated_at: post.date.unwrap_or_else(Utc::now),
                unit_id: None,
                created_by: actor.user_id,
                source_key: Some(key),
            };
            match column::insert(&mut tx, &new).await? {
                Some(_) => outcome.added += 1,
                None => outcome.duplicates += 1,
            }
        }
    }
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).take(5).collect();
    let detail = format!(
        "导入文章（{}{}）：新增{}篇，已有{}篇，未能导入{}处",
        names.join("、"),
        if files.len() > 5 { "等" } else { "" },
        outcome.added,
        outcome.duplicates,
        outcome.refused.len()
    );
    audit::record_in(&mut tx, actor, Action::Column, "冬训专栏", &detail, outcome.refused.is_empty()).await?;
    tx.commit().await?;
    Ok(outcome)
}
