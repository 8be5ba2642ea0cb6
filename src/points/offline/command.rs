//! `dongxun import points FILE`: the offline points sheet from the command line, reporting as
//! the upload page does. Exit code 2 when the sheet is refused.

use std::process::ExitCode;

use super::import::{SheetFailure, Uploader, import_sheet};
use crate::audit::Actor;
use crate::db::Db;
use crate::org::store as org_store;
use crate::people::IdCardVault;

/// Imports a sheet for the whole sub-district; prints what was added, or every bad row.
pub async fn import_points(db: &Db, vault: &IdCardVault, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", file.display()))?;
    let root =
        org_store::root(db).await?.ok_or_else(|| anyhow::anyhow!("还没有组织架构，请先建立街道和村社"))?;
    let actor = Actor::command_line();
    let uploader = Uploader { scope: root.scope(), user_id: None, actor: &actor, vault };
    let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match import_sheet(db, &uploader, &file_name, bytes).await {
        Ok(outcome) => {
            let points: i64 = outcome.added.iter().map(|a| a.points).sum();
            println!(
                "导入成功：新增{}条线下积分，共{points}分；{}条此前已导入，未重复记分",
                outcome.added.len(),
                outcome.already
            );
            for a in &outcome.added {
                println!("  第{}行 {} {} {} +{}", a.row, a.name, a.day, a.item, a.points);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(SheetFailure::Rows(rows)) => {
            eprintln!("导入被拒绝，积分表中有{}处错误，未导入任何数据：", rows.len());
            for row in &rows {
                eprintln!("  第{}行 {}「{}」：{}", row.row, row.column, row.value, row.reason);
            }
            Ok(ExitCode::from(2))
        }
        Err(SheetFailure::Unreadable(message)) => {
            eprintln!("导入被拒绝：{message}");
            Ok(ExitCode::from(2))
        }
        Err(busy @ SheetFailure::Busy) => {
            eprintln!("{busy}");
            Ok(ExitCode::FAILURE)
        }
        Err(SheetFailure::Database(e)) => Err(e.into()),
    }
}
