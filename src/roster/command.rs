//! `dongxun import members`: the roster import from the command line, reporting as the page does.

use std::process::ExitCode;

use super::import::{ImportFailure, Importer, import_roster};
use super::parse::RosterOptions;
use crate::audit::Actor;
use crate::db::Db;
use crate::org::store as org_store;
use crate::people::IdCardVault;

/// Imports a roster file into the whole sub-district; prints what it did, every error, or the
/// headers to pick the unit's column from (`--unit-column`). Exit code 2 when refused.
pub async fn import_members(
    db: &Db,
    vault: &IdCardVault,
    file: &std::path::Path,
    options: RosterOptions,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", file.display()))?;
    let root =
        org_store::root(db).await?.ok_or_else(|| anyhow::anyhow!("还没有组织架构，请先建立街道和村社"))?;
    let actor = Actor::command_line();
    let importer = Importer { scope: root.scope(), actor: &actor, vault };
    let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match import_roster(db, &importer, &file_name, bytes, options).await {
        Ok(o) => {
            println!("导入成功：新增{}人，更新{}人，未变{}人", o.inserted, o.updated, o.unchanged);
            if !o.warnings.is_empty() {
                println!("以下{}处数据存疑，已导入并标记“数据存疑”，请所在支部核实：", o.warnings.len());
                for w in &o.warnings {
                    println!("  {w}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportFailure::Rows(rows)) => {
            eprintln!("导入被拒绝，名册中有{}处错误，未导入任何数据：", rows.len());
            for row in &rows {
                eprintln!("  第{}行 {}「{}」：{}", row.row, row.column, row.value, row.reason);
            }
            Ok(ExitCode::from(2))
        }
        Err(failure @ ImportFailure::NoUnitColumn { .. }) => {
            eprintln!("导入被拒绝：{failure}");
            eprintln!(
                "请用 --unit-column 列名 指定哪一列是所在单位，或用 --unit 单位名 把全部党员归入一个单位。"
            );
            Ok(ExitCode::from(2))
        }
        Err(ImportFailure::Unreadable(message)) => {
            eprintln!("导入被拒绝：{message}");
            Ok(ExitCode::from(2))
        }
        Err(busy @ ImportFailure::Busy) => {
            eprintln!("{busy}");
            Ok(ExitCode::FAILURE)
        }
        Err(ImportFailure::Database(e)) => Err(e.into()),
        Err(ImportFailure::Vault(e)) => Err(e),
    }
}
