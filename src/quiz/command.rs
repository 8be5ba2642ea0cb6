//! `dongxun import questions` and `dongxun export questions`: the bank from the command line,
//! reporting as the preview page does.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::import::{ReadFailure, Refusal, store_understood, understand_file};
use super::parse::Understood;
use crate::audit::{self, Action, Actor};
use crate::db::Db;

fn report(understood: &Understood) {
    let counts: Vec<String> =
        understood.counts().iter().map(|(k, n)| format!("{}{}题", k.label(), n)).collect();
    println!("识别为{}：{}题（{}）", understood.shape.label(), understood.questions.len(), counts.join("，"));
    if !understood.duplicates.is_empty() {
        println!("重复{}题，不再存入：", understood.duplicates.len());
        for d in &understood.duplicates {
            let of = d.of.map_or("题库中已有".to_owned(), |p| format!("与第{p}行重复"));
            println!("  第{}行「{}」：{of}", d.place, d.stem);
        }
    }
}

/// `import questions`' arguments.
#[derive(Args)]
#[command(about = "Import a question bank (.xlsx, .csv, .json, .txt — with the template's header or rough).")]
pub struct ImportArgs {
    /// The bank file.
    file: PathBuf,
    /// Report what would be imported, store nothing.
    #[arg(long)]
    dry_run: bool,
    /// Store the questions understood even when some lines or rows were not.
    #[arg(long)]
    accept_partial: bool,
}

/// `export questions`' arguments.
#[derive(Args)]
#[command(about = "Export every question as .xlsx in the import's header shape.")]
pub struct ExportArgs {
    /// The file to write.
    #[arg(short, long)]
    output: PathBuf,
}

impl ImportArgs {
    /// Runs `import questions`.
    pub async fn run(&self, db: &Db) -> anyhow::Result<ExitCode> {
        import_questions(db, self).await
    }
}

impl ExportArgs {
    /// Runs `export questions`.
    pub async fn run(&self, db: &Db) -> anyhow::Result<ExitCode> {
        export_questions(db, self).await
    }
}

/// Imports a bank; exit 2 when refused (unreadable, or something not understood without
/// `accept_partial`), naming every line or row not understood.
pub async fn import_questions(db: &Db, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let (file, dry_run, accept_partial) = (&args.file, args.dry_run, args.accept_partial);
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", file.display()))?;
    let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let understood = match understand_file(db, &file_name, bytes).await {
        Ok(understood) => understood,
        Err(ReadFailure::Unreadable(message)) => {
            eprintln!("导入被拒绝：{message}");
            return Ok(ExitCode::from(2));
        }
        Err(busy @ ReadFailure::Busy) => {
            eprintln!("{busy}");
            return Ok(ExitCode::FAILURE);
        }
        Err(ReadFailure::Database(e)) => return Err(e.into()),
    };
    report(&understood);
    if !understood.problems.is_empty() {
        eprintln!("以下{}处没有识别：", understood.problems.len());
        for p in &understood.problems {
            eprintln!("  第{}行「{}」：{}", p.place, p.text, p.reason);
        }
    }
    if dry_run {
        println!("试运行（--dry-run）：未存入任何题目");
        let refused = !understood.problems.is_empty() && !accept_partial;
        return Ok(if refused { ExitCode::from(2) } else { ExitCode::SUCCESS });
    }
    match store_understood(db, &Actor::command_line(), &file_name, &understood, accept_partial).await {
        Ok(stored) => {
            println!(
                "导入成功：新增{}题，重复{}题，未识别{}处",
                stored.inserted, stored.duplicates, stored.left_out
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(Refusal::NotUnderstood(n)) => {
            eprintln!("导入被拒绝：有{n}处没有识别，未导入任何题目。");
            if understood.shape == super::parse::Shape::Header {
                eprintln!("带表头的题库要全部正确才导入，请改正后重试。");
            } else {
                eprintln!("改正后重试，或加 --accept-partial 只导入识别出的题目。");
            }
            Ok(ExitCode::from(2))
        }
        Err(Refusal::Database(e)) => Err(e.into()),
    }
}

/// Writes every question as .xlsx in the import's header shape; audited.
pub async fn export_questions(db: &Db, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let output = &args.output;
    let questions = super::store::all(db).await?;
    let count = questions.len();
    let bytes = tokio::task::spawn_blocking(move || super::xlsx::write_questions_xlsx(&questions)).await??;
    std::fs::write(output, bytes).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", output.display()))?;
    audit::record(db, &Actor::command_line(), Action::Export, "题库", &format!("{count}题"), true).await?;
    println!("已导出{count}题到 {}", output.display());
    Ok(ExitCode::SUCCESS)
}
