//! Importing a question bank: read the file (bounded, under the table gate), understand it,
//! leave out what the bank holds already, and — when the person confirms — store it in one
//! transaction, audited. A file with the template's header is all or nothing; a rough bank may
//! be stored in part when the person accepts that.

use super::parse::{self, FileKind, Shape, Understood};
use super::store;
use crate::audit::{self, Action, Actor};
use crate::db::Db;
use crate::formats::gate::GateError;
use crate::formats::table::{TABLE_READS, read_table};

/// Why a file could not be understood at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    /// Not a readable file; the message says why, in Chinese.
    #[error("{0}")]
    Unreadable(String),
    /// Other files are being read.
    #[error("服务器正在处理其他文件，请稍等一分钟后重新上传")]
    Busy,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Reads and understands a file, leaving out the questions the bank holds already.
pub async fn understand_file(db: &Db, file_name: &str, bytes: Vec<u8>) -> Result<Understood, ReadFailure> {
    let name = file_name.to_owned();
    let mut understood = TABLE_READS
        .run(move || -> Result<Understood, String> {
            match parse::file_kind(&name, &bytes) {
                FileKind::Table => {
                    read_table(&name, &bytes).map(|t| parse::understand_table(&t)).map_err(|e| e.to_string())
                }
                FileKind::Json => parse::understand_json(&parse::decode_text(&bytes)?),
                FileKind::Text => Ok(parse::understand_text(&parse::decode_text(&bytes)?)),
            }
        })
        .await
        .map_err(|refused| match refused {
            GateError::Busy => ReadFailure::Busy,
            GateError::Failed => ReadFailure::Unreadable("读取文件失败，请检查文件后重新上传".to_owned()),
        })?
        .map_err(ReadFailure::Unreadable)?;
    if understood.questions.is_empty() && understood.problems.is_empty() {
        return Err(ReadFailure::Unreadable("文件里没有找到题目".into()));
    }
    understood.drop_duplicates(&store::keys(db).await?);
    Ok(understood)
}

/// What storing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Questions added to the bank.
    pub inserted: usize,
    /// Questions left out as repeats (in the file or the bank).
    pub duplicates: usize,
    /// Lines or rows not understood, left out.
    pub left_out: usize,
}

/// Why nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Something was not understood and partial imports were not accepted (or the file has the
    /// template's header, which is all or nothing).
    #[error("有{0}处没有识别，未导入任何题目")]
    NotUnderstood(usize),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Stores what was understood, audited; refused (and the refusal audited) when anything was not
/// understood unless `accept_partial` (never for a file with the template's header).
pub async fn store_understood(
    db: &Db,
    actor: &Actor,
    file_name: &str,
    understood: &Understood,
    accept_partial: bool,
) -> Result<Stored, Refusal> {
    let target = format!("题库：{file_name}");
    let problems = understood.problems.len();
    if problems > 0 && (!accept_partial || understood.shape == Shape::Header) {
        audit::record(db, actor, Action::Import, &target, &format!("被拒绝：{problems}处没有识别"), false)
            .await?;
        return Err(Refusal::NotUnderstood(problems));
    }
    let questions: Vec<_> = understood.questions.iter().map(|l| l.question.clone()).collect();
    let mut tx = db.begin().await?;
    let inserted = store::insert_all(&mut tx, &questions, actor.user_id).await?;
    // Another import may have stored some of these meanwhile: they count as repeats.
    let duplicates = understood.duplicates.len() + questions.len() - inserted;
    let detail = format!("新增{inserted}题，重复{duplicates}题，未识别{problems}处");
    audit::record_in(&mut tx, actor, Action::Import, &target, &detail, true).await?;
    tx.commit().await?;
    Ok(Stored { inserted, duplicates, left_out: problems })
}
