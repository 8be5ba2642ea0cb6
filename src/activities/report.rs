//! The activities' reports, approved hours only: volunteer hours per person and per village,
//! people served per category and village — for a month or the campaign — and the two
//! command-line exports (`export activities`, `export volunteer-hours`), which count the same
//! approved hours so their totals agree.

use std::process::ExitCode;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::audit::{self, Action, Actor};
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;

/// One volunteer's approved hours: (name, unit, activities, minutes).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonHours {
    /// Name.
    pub name: String,
    /// Their unit's name.
    pub unit_name: String,
    /// Activities with approved hours.
    pub activities: i64,
    /// Approved minutes.
    pub minutes: i64,
}

/// One village's (a station's or the hub's) activities, hours and people served per category.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VillageRow {
    /// The village's name.
    pub name: String,
    /// Activities held.
    pub activities: i64,
    /// Approved volunteer minutes.
    pub minutes: i64,
    /// 老年人.
    pub elderly: i64,
    /// 低收入.
    pub low_income: i64,
    /// 残疾人.
    pub disabled: i64,
    /// 留守/务工.
    pub left_behind: i64,
    /// 儿童.
    pub children: i64,
    /// 其他.
    pub others: i64,
}

impl VillageRow {
    /// People served per category, in `model::SERVED` order.
    pub fn served(&self) -> [i64; 6] {
        [self.elderly, self.low_income, self.disabled, self.left_behind, self.children, self.others]
    }
}

/// One activity as exported.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityLine {
    /// Day held.
    pub held_on: NaiveDate,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind_name: String,
    /// Organising unit.
    pub unit_name: String,
    /// Volunteers with approved hours.
    pub volunteers: i64,
    /// Approved minutes.
    pub minutes: i64,
    /// People served, all categories.
    pub served: i64,
}

/// Volunteers' approved hours on activities of units in `scope` held from `from` to `to`, most
/// hours first. One person is one identity (an account, or a phone added by staff).
pub async fn per_person(
    db: &Db,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<PersonHours>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT MAX(v.name) AS name, MAX(vu.name) AS unit_name, COUNT(*) AS activities, \
             CAST(SUM(v.minutes_approved) AS BIGINT) AS minutes \
             FROM activity_volunteers v JOIN units vu ON vu.id = v.unit_id JOIN activities a ON a.id = v.activity_id \
             JOIN units u ON u.id = a.unit_id \
             WHERE v.status = 'approved' AND u.path LIKE $1 AND a.held_on >= $2 AND a.held_on <= $3 \
             GROUP BY v.identity ORDER BY minutes DESC, name",
        )
        .bind(scope)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    })
}

/// Per village (station or hub) in `scope`: activities, approved minutes, people served by
/// category, for activities held from `from` to `to`. Villages with nothing are left out.
pub async fn per_village(
    db: &Db,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<VillageRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT MAX(v.name) AS name, COUNT(a.id) AS activities, \
             CAST(COALESCE(SUM((SELECT COALESCE(SUM(av.minutes_approved), 0) FROM activity_volunteers av \
                  WHERE av.activity_id = a.id AND av.status = 'approved')), 0) AS BIGINT) AS minutes, \
             CAST(SUM(a.served_elderly) AS BIGINT) AS elderly, CAST(SUM(a.served_low_income) AS BIGINT) AS low_income, \
             CAST(SUM(a.served_disabled) AS BIGINT) AS disabled, CAST(SUM(a.served_left_behind) AS BIGINT) AS left_behind, \
             CAST(SUM(a.served_children) AS BIGINT) AS children, CAST(SUM(a.served_others) AS BIGINT) AS others \
             FROM units v JOIN units u ON u.path LIKE v.path || '%' JOIN activities a ON a.unit_id = u.id \
             WHERE v.kind IN ('station', 'hub') AND v.path LIKE $1 AND a.held_on >= $2 AND a.held_on <= $3 \
             GROUP BY v.id, v.sort_order ORDER BY v.sort_order, v.id",
        )
        .bind(scope)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    })
}

/// Every activity in `scope` (held from `from` to `to`), oldest first, with its approved hours.
pub async fn activity_lines(
    db: &Db,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<ActivityLine>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT a.held_on, a.title, k.name AS kind_name, u.name AS unit_name, \
             (SELECT COUNT(*) FROM activity_volunteers v WHERE v.activity_id = a.id AND v.status = 'approved') AS volunteers, \
             CAST((SELECT COALESCE(SUM(v.minutes_approved), 0) FROM activity_volunteers v \
                   WHERE v.activity_id = a.id AND v.status = 'approved') AS BIGINT) AS minutes, \
             CAST(a.served_elderly + a.served_low_income + a.served_disabled + a.served_left_behind \
                  + a.served_children + a.served_others AS BIGINT) AS served \
             FROM activities a JOIN units u ON u.id = a.unit_id JOIN activity_kinds k ON k.id = a.kind_id \
             WHERE u.path LIKE $1 AND a.held_on >= $2 AND a.held_on <= $3 ORDER BY a.held_on, a.id",
        )
        .bind(scope)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    })
}

/// Hours as an Excel number: minutes / 60.
fn hours(minutes: i64) -> f64 {
    minutes as f64 / 60.0
}

/// A sheet: bold header row, then rows of text and numbers (a number is a cell Excel can sum).
fn sheet(
    book: &mut Workbook,
    name: &str,
    header: &[&str],
    rows: Vec<Vec<Result<String, f64>>>,
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(name)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, if c == 1 { 24.0 } else { 14.0 })?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Ok(text) => sheet.write_string(r as u32 + 1, c as u16, text)?,
                Err(n) => sheet.write_number(r as u32 + 1, c as u16, *n)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The activities sheet: 日期, 活动, 类型, 组织单位, 志愿者人数, 志愿服务时长, 服务人数.
pub fn activities_sheet(book: &mut Workbook, lines: &[ActivityLine]) -> Result<(), XlsxError> {
    let header = ["日期", "活动", "类型", "组织单位", "志愿者人数", "志愿服务时长", "服务人数"];
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                Ok(l.held_on.to_string()),
                Ok(l.title.clone()),
                Ok(l.kind_name.clone()),
                Ok(l.unit_name.clone()),
                Err(l.volunteers as f64),
                Err(hours(l.minutes)),
                Err(l.served as f64),
            ]
        })
        .collect();
    sheet(book, "冬训+活动", &header, rows)
}

/// The volunteer-hours sheet: 姓名, 所在单位, 活动次数, 时长.
pub fn people_sheet(book: &mut Workbook, people: &[PersonHours]) -> Result<(), XlsxError> {
    let header = ["姓名", "所在单位", "活动次数", "时长"];
    let rows = people
        .iter()
        .map(|p| {
            vec![Ok(p.name.clone()), Ok(p.unit_name.clone()), Err(p.activities as f64), Err(hours(p.minutes))]
        })
        .collect();
    sheet(book, "志愿服务时长", &header, rows)
}

/// The villages sheet: 村社, 活动, 志愿服务时长, then people served per category.
pub fn villages_sheet(book: &mut Workbook, villages: &[VillageRow]) -> Result<(), XlsxError> {
    let mut header = vec!["村社", "活动", "志愿服务时长"];
    header.extend(super::model::SERVED.iter().map(|(_, label)| *label));
    let rows = villages
        .iter()
        .map(|v| {
            let mut row = vec![Ok(v.name.clone()), Err(v.activities as f64), Err(hours(v.minutes))];
            row.extend(v.served().iter().map(|n| Err(*n as f64)));
            row
        })
        .collect();
    sheet(book, "各村社", &header, rows)
}

/// Every day an activity can have: what the command line exports (both backends store these).
fn all_days() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(1900, 1, 1).expect("a day"),
        NaiveDate::from_ymd_opt(9999, 12, 31).expect("a day"),
    )
}

/// Export every 冬训+ activity as .xlsx, one row per activity (approved hours only).
#[derive(clap::Args)]
pub struct ActivitiesArgs {
    /// The file to write.
    #[arg(short, long)]
    output: std::path::PathBuf,
}

impl ActivitiesArgs {
    /// Runs `export activities`.
    pub async fn run(&self, db: &Db) -> anyhow::Result<ExitCode> {
        export_activities(db, &self.output).await
    }
}

/// Export volunteer hours as .xlsx, one row per volunteer (approved hours only).
#[derive(clap::Args)]
pub struct VolunteerHoursArgs {
    /// The file to write.
    #[arg(short, long)]
    output: std::path::PathBuf,
}

impl VolunteerHoursArgs {
    /// Runs `export volunteer-hours`.
    pub async fn run(&self, db: &Db) -> anyhow::Result<ExitCode> {
        export_volunteer_hours(db, &self.output).await
    }
}

/// `dongxun export activities -o FILE`: one row per activity, approved hours only.
pub async fn export_activities(db: &Db, output: &std::path::Path) -> anyhow::Result<ExitCode> {
    let lines = activity_lines(db, &Scope::whole_tree(), all_days()).await?;
    let count = lines.len();
    let mut book = Workbook::new();
    activities_sheet(&mut book, &lines)?;
    let minutes: i64 = lines.iter().map(|l| l.minutes).sum();
    write_out(
        db,
        output,
        book,
        "冬训+活动",
        &format!("{count}项活动，{}小时", super::model::hours_text(minutes)),
    )
    .await
}

/// `dongxun export volunteer-hours -o FILE`: one row per volunteer, approved hours only.
pub async fn export_volunteer_hours(db: &Db, output: &std::path::Path) -> anyhow::Result<ExitCode> {
    let people = per_person(db, &Scope::whole_tree(), all_days()).await?;
    let count = people.len();
    let mut book = Workbook::new();
    people_sheet(&mut book, &people)?;
    let minutes: i64 = people.iter().map(|p| p.minutes).sum();
    write_out(
        db,
        output,
        book,
        "志愿服务时长",
        &format!("{count}名志愿者，{}小时", super::model::hours_text(minutes)),
    )
    .await
}

async fn write_out(
    db: &Db,
    output: &std::path::Path,
    mut book: Workbook,
    what: &str,
    summary: &str,
) -> anyhow::Result<ExitCode> {
    let bytes = book.save_to_buffer()?;
    let detail = format!("{summary} → {}", output.display());
    audit::record(db, &Actor::command_line(), Action::Export, what, &detail, true).await?;
    std::fs::write(output, bytes).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", output.display()))?;
    println!("已导出{what}（{summary}）到 {}", output.display());
    Ok(ExitCode::SUCCESS)
}
