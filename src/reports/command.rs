//! `dongxun export coverage`: a campaign's coverage workbook from the command line, audited
//! before the file is written.

use std::process::ExitCode;

use crate::audit::{self, Action, Actor};
use crate::db::Db;
use crate::org::store as org_store;

/// Writes the coverage workbook of the campaign named `name` (or the current one) to `output`.
pub async fn export_coverage(
    db: &Db,
    output: &std::path::Path,
    name: Option<&str>,
) -> anyhow::Result<ExitCode> {
    use crate::campaign::store as campaigns;
    let campaign = match name {
        Some(name) => campaigns::list(db).await?.into_iter().find(|c| c.name == name),
        None => campaigns::current(db).await?,
    };
    let Some(campaign) = campaign else {
        let known: Vec<String> = campaigns::list(db).await?.into_iter().map(|c| c.name).collect();
        anyhow::bail!(
            "找不到冬训计划{}（已有：{}）",
            name.map(|n| format!("“{n}”")).unwrap_or_default(),
            known.join("、")
        );
    };
    let root = org_store::root(db).await?.ok_or_else(|| anyhow::anyhow!("还没有组织架构"))?;
    let (bytes, count) = crate::reports::coverage_workbook(db, &campaign, &root).await?;
    let detail = format!("{}：{count}人 → {}", campaign.name, output.display());
    audit::record(db, &Actor::command_line(), Action::Export, "冬训覆盖率", &detail, true).await?;
    std::fs::write(output, bytes).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", output.display()))?;
    println!("已导出“{}”覆盖情况（{count}人）到 {}", campaign.name, output.display());
    Ok(ExitCode::SUCCESS)
}
