//! `dongxun export posts` and `dongxun import posts`: the column as Hexo posts, and Hexo/Jekyll
//! posts and RSS/Atom feeds brought in as drafts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use sha2::{Digest, Sha256};

use super::feed_write::{absolute, absolute_body};
use super::import::{ReadFile, read_file, store};
use super::model::ArticleStatus;
use super::posts::{HexoPost, MAX_POST_BYTES, write_hexo};
use super::store::{self as column, Article};
use crate::audit::{self, Action, Actor};
use crate::db::Db;

/// `import posts`' arguments.
#[derive(Args)]
#[command(
    about = "Import Hexo/Jekyll Markdown posts and RSS/Atom feed files as draft articles of the column.",
    after_help = "A folder is read file by file (.md, .markdown, .txt, .html, .xml, .rss, .atom). \
                  A post imported before is not added again. Exit code: 0 when every post was imported \
                  (or was there already), 2 when any file or entry was refused (each named with its field; \
                  the others are imported)."
)]
pub struct ImportArgs {
    /// A post, a feed file, or a folder of them.
    path: PathBuf,
}

/// `export posts`' arguments.
#[derive(Args)]
#[command(about = "Export the column's articles as Hexo posts (Markdown with YAML front matter, HTML body).")]
pub struct ExportArgs {
    /// The folder to write into (created when missing).
    #[arg(short, long)]
    output: PathBuf,
    /// Drafts and articles in review too, marked `published: false`.
    #[arg(long)]
    all: bool,
    /// The site's public address, to make this site's picture links absolute.
    #[arg(long, env = "DONGXUN_PUBLIC_URL")]
    public_url: Option<String>,
}

const EXTENSIONS: [&str; 7] = ["md", "markdown", "txt", "html", "xml", "rss", "atom"];

fn files_in(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| anyhow::anyhow!("无法读取文件夹 {}：{e}", path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e.to_lowercase().as_str()))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Reads one file within the size cap; a file that cannot be read is refused by name.
fn read_one(path: &Path) -> ReadFile {
    let name =
        path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let too_big = std::fs::metadata(path).map(|m| m.len() > MAX_POST_BYTES as u64).unwrap_or(false);
    let bytes = if too_big { Ok(vec![0; MAX_POST_BYTES + 1]) } else { std::fs::read(path) };
    match bytes {
        Ok(bytes) => read_file(&name, &bytes),
        Err(e) => ReadFile { name, posts: vec![Err(format!("文件：无法读取（{e}）"))] },
    }
}

impl ImportArgs {
    /// Runs `import posts`.
    pub async fn run(&self, db: &Db) -> anyhow::Result<ExitCode> {
        let files: Vec<ReadFile> = files_in(&self.path)?.iter().map(|p| read_one(p)).collect();
        if files.is_empty() {
            eprintln!("导入被拒绝：{} 里没有文章文件（.md、.xml …）", self.path.display());
            return Ok(ExitCode::from(2));
        }
        let outcome = store(db, &Actor::command_line(), &files).await?;
        println!(
            "导入完成：新增草稿{}篇，已导入过{}篇，未能导入{}处",
            outcome.added,
            outcome.duplicates,
            outcome.refused.len()
        );
        for problem in &outcome.refused {
            eprintln!("  {problem}");
        }
        Ok(if outcome.refused.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
    }
}

/// The file name of an exported article: its day and a hash of its title, the same on every
/// export and in every database.
fn file_name(article: &Article) -> String {
    let hash = hex::encode(&Sha256::digest(article.title.as_bytes())[..4]);
    format!("{}-{hash}.md", article.day())
}

/// One article as a Hexo post; this site's paths made absolute under `base` when given.
pub fn hexo_text(article: &Article, base: Option<&str>) -> String {
    let base = base.map(|b| b.trim_end_matches('/'));
    let thumbnail = base.map_or(article.cover_url.clone(), |b| absolute(b, &article.cover_url));
    let body = base.map_or(article.body.clone(), |b| absolute_body(b, &article.body));
    write_hexo(&HexoPost {
        title: &article.title,
        date: article.dated_at,
        categories: article.categories(),
        author: &article.author,
        thumbnail: &thumbnail,
        comments: article.comments,
        published: article.status == ArticleStatus::Published,
        summary: &article.summary,
        body: &body,
    })
}

impl ExportArgs {
    /// Runs `export posts`.
    pub async fn run(&self, db: &Db) -> anyhow::Result<ExitCode> {
        let articles = column::for_export(db, self.all).await?;
        std::fs::create_dir_all(&self.output)
            .map_err(|e| anyhow::anyhow!("无法创建 {}：{e}", self.output.display()))?;
        let mut names = std::collections::HashSet::new();
        for article in &articles {
            let mut name = file_name(article);
            if !names.insert(name.clone()) {
                name = name.replace(".md", &format!("-{}.md", article.id));
            }
            let path = self.output.join(&name);
            std::fs::write(&path, hexo_text(article, self.public_url.as_deref()))
                .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", path.display()))?;
        }
        let detail =
            format!("导出文章{}篇（{}）", articles.len(), if self.all { "含草稿" } else { "已发布" });
        audit::record(db, &Actor::command_line(), Action::Export, "冬训专栏", &detail, true).await?;
        println!("已导出{}篇文章到 {}", articles.len(), self.output.display());
        Ok(ExitCode::SUCCESS)
    }
}
