//! `dongxun export rankings` and `dongxun export points`: the same workbooks as the web, for the
//! whole sub-district with phone numbers in full (the command line is an administrator's tool).
//! Audited before the file is written, like every export.

use std::path::Path;
use std::process::ExitCode;

use super::export::{By, ledger_workbook, ranking_workbook};
use super::live::LiveRanks;
use super::pages::asked;
use crate::audit::{self, Action, Actor};
use crate::db::Db;
use crate::points::index::Scope;

/// Writes one ranking to `output`; exit 2 when the period, date or `by` is not understood.
pub async fn export_rankings(
    db: &Db,
    output: &Path,
    period: &str,
    date: Option<&str>,
    by: &str,
) -> anyhow::Result<ExitCode> {
    let by = match by {
        "member" => By::Member,
        "unit" => By::Unit,
        other => return refuse(&format!("--by 只能是 member 或 unit，不是“{other}”")),
    };
    let asked = match asked(period, date.unwrap_or("")) {
        Ok(asked) => asked,
        Err(error) => return refuse(&error.to_string()),
    };
    let live = LiveRanks::load(db).await?;
    let full = |p: Option<&str>| p.unwrap_or("").to_owned();
    let (bytes, title, count) = match ranking_workbook(&live, db, asked, by, Scope::All, full).await? {
        Ok(done) => done,
        Err(message) => return refuse(&message),
    };
    let detail = format!("{title}：{count}行 → {}", output.display());
    audit::record(db, &Actor::command_line(), Action::Export, "积分排名", &detail, true).await?;
    std::fs::write(output, bytes).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", output.display()))?;
    println!("已导出{title}（{count}行）到 {}", output.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes the whole ledger to `output`.
pub async fn export_points(db: &Db, output: &Path) -> anyhow::Result<ExitCode> {
    let (bytes, count) = ledger_workbook(db).await?;
    let detail = format!("{count}条 → {}", output.display());
    audit::record(db, &Actor::command_line(), Action::Export, "积分记录", &detail, true).await?;
    std::fs::write(output, bytes).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", output.display()))?;
    println!("已导出{count}条积分记录到 {}", output.display());
    Ok(ExitCode::SUCCESS)
}

fn refuse(message: &str) -> anyhow::Result<ExitCode> {
    eprintln!("错误：{message}");
    Ok(ExitCode::from(2))
}
