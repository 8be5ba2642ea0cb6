//! Importing an offline points sheet: read it (bounded, as the roster is), find each row's
//! member — by ID card through its keyed hash, else by phone, the name checked against either —
//! inside the uploader's subtree, and record every row in one transaction, audited. Any bad row
//! rejects the whole sheet, every one named; rows already in the ledger (the same sheet again)
//! add nothing.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::sheet::{Column, ParsedSheet, SheetRow, read_sheet};
use super::{OfflineEntry, Window, award_of, offline_key, refuse_points};
use crate::audit::{self, Action, Actor};
use crate::db::Db;
use crate::formats::gate::GateError;
use crate::formats::table::{TABLE_READS, read_table};
use crate::on_db;
use crate::org::Scope;
use crate::org::store as org_store;
use crate::people::IdCardVault;
use crate::people::store::{self as people_store, Member};
use crate::points::model::PointKind;
use crate::points::store::{self, Awarded};
use crate::roster::parse::RowError;

/// Who uploads: their subtree, their account (recorded with each entry) and the audit actor.
pub struct Uploader<'a> {
    /// Rows must name members inside it.
    pub scope: Scope,
    /// The staff account, recorded as `recorded_by`; none from the command line.
    pub user_id: Option<i64>,
    /// For the audit log.
    pub actor: &'a Actor,
    /// Hashes ID-card numbers to match them.
    pub vault: &'a IdCardVault,
}

/// One entry an import added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// Excel row number.
    pub row: usize,
    /// The member's name.
    pub name: String,
    /// The day, yyyy-mm-dd.
    pub day: String,
    /// 事项.
    pub item: String,
    /// Points recorded.
    pub points: i64,
}

/// What an accepted sheet did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetOutcome {
    /// The entries added, in row order.
    pub added: Vec<Added>,
    /// Rows already in the ledger (imported before): nothing added for them.
    pub already: usize,
}

/// Why a sheet stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum SheetFailure {
    /// Not a readable spreadsheet, a header without the needed columns, or no current campaign.
    #[error("{0}")]
    Unreadable(String),
    /// Every bad row.
    #[error("积分表中有{}处错误，未导入任何数据", .0.len())]
    Rows(Vec<RowError>),
    /// Other spreadsheets are being read.
    #[error("服务器正在处理其他表格，请稍等一分钟后重新上传")]
    Busy,
    /// The database failed; nothing was stored.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Imports an offline points sheet. An accepted sheet is audited in the transaction that
/// records it; a refused one is audited on its own.
pub async fn import_sheet(
    db: &Db,
    uploader: &Uploader<'_>,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<SheetOutcome, SheetFailure> {
    let result = import_inner(db, uploader, file_name, bytes).await;
    if let Err(failure) = &result {
        let detail = match failure {
            SheetFailure::Rows(errors) => format!("线下积分表被拒绝：{}处错误", errors.len()),
            other => format!("线下积分表被拒绝：{other}"),
        };
        audit::record(db, uploader.actor, Action::Import, file_name, &detail, false).await?;
    }
    result
}

async fn import_inner(
    db: &Db,
    uploader: &Uploader<'_>,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<SheetOutcome, SheetFailure> {
    let today = crate::time::today();
    let Some(campaign) = crate::campaign::store::current(db).await? else {
        return Err(SheetFailure::Unreadable("还没有当前的冬训计划：线下积分只能记在冬训期间".into()));
    };
    let window = Window::new(campaign.id, campaign.starts_on, campaign.ends_on, today);
    let rules = store::rules(db).await?;
    let sheet_rules = rules.clone();
    let name = file_name.to_owned();
    let parsed = TABLE_READS
        .run(move || -> Result<ParsedSheet, SheetFailure> {
            let table = read_table(&name, &bytes).map_err(|e| SheetFailure::Unreadable(e.to_string()))?;
            read_sheet(&table, &sheet_rules, &window, today).map_err(SheetFailure::Unreadable)
        })
        .await
        .map_err(|refused| match refused {
            GateError::Busy => SheetFailure::Busy,
            GateError::Failed => SheetFailure::Unreadable("读取文件失败，请检查文件后重新上传".into()),
        })??;
    // Everyone, so a member of another village is told apart from one who does not exist.
    let everyone = match org_store::root(db).await? {
        Some(root) => people_store::unordered_in_scope(db, &root.scope()).await?,
        None => Vec::new(),
    };
    let finder = Finder::new(&everyone, uploader);
    let mut errors = parsed.errors;
    let mut planned: Vec<(&SheetRow, &Member, OfflineEntry, String)> = Vec::new();
    let mut first_row_of_key: HashMap<String, usize> = HashMap::new();
    for row in &parsed.rows {
        let error = |column: Column, value: String, reason: String| RowError {
            row: row.row,
            column: parsed.columns.header(column).to_owned(),
            value,
            reason,
        };
        let member = match finder.find(row) {
            Ok(member) => member,
            Err((column, value, reason)) => {
                errors.push(error(column, value, reason));
                continue;
            }
        };
        let entry = OfflineEntry {
            member_id: member.id,
            day: row.day,
            item: row.item.clone(),
            points: row.points,
            note: row.note.clone(),
        };
        let key = offline_key(&entry);
        if let Some(first) = first_row_of_key.insert(key.clone(), row.row) {
            // Two identical rows are one entry (the key is the content): refused, so a second
            // study session that day is written with a 备注 that tells it apart.
            first_row_of_key.insert(key, first);
            let reason = format!(
                "与第{first}行完全相同（同一党员、日期、事项、积分、备注）；如确是两次，请在备注中注明"
            );
            errors.push(error(Column::Name, row.name.clone(), reason));
            continue;
        }
        planned.push((row, member, entry, key));
    }
    let (from, until) = (window.from, window.until);
    let recorded = recorded_keys(db, from, until).await?;
    let mut day_totals = offline_day_totals(db, from, until).await?;
    let mut new = Vec::new();
    let mut already = 0;
    for (row, member, entry, key) in planned {
        if recorded.contains(&key) {
            already += 1;
            continue;
        }
        let total = day_totals.entry((member.id, entry.day)).or_insert(0);
        if let Some(reason) = refuse_points(&rules, entry.day, entry.points, *total) {
            errors.push(RowError {
                row: row.row,
                column: parsed.columns.header(Column::Points).to_owned(),
                value: entry.points.to_string(),
                reason,
            });
            continue;
        }
        *total += entry.points;
        new.push((row, entry));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(SheetFailure::Rows(errors));
    }
    // One batch: a sheet of a thousand rows is a handful of statements, with the same caps and
    // keys as one award at a time.
    let awards: Vec<_> =
        new.iter().map(|(_, entry)| award_of(entry, uploader.user_id, campaign.id)).collect();
    let mut tx = db.begin().await?;
    let done = crate::points::award_batch(&mut tx, &awards).await?;
    let mut outcome = SheetOutcome { added: Vec::new(), already };
    for ((row, entry), done) in new.into_iter().zip(done) {
        match done {
            Awarded::Recorded(e) => outcome.added.push(Added {
                row: row.row,
                name: row.name.clone(),
                day: entry.day.format("%Y-%m-%d").to_string(),
                item: entry.item.clone(),
                points: e.points,
            }),
            Awarded::AlreadyRecorded(_) => outcome.already += 1,
            Awarded::NoRule => return Err(SheetFailure::Unreadable("该日期没有线下学习的积分规则".into())),
        }
    }
    let points: i64 = outcome.added.iter().map(|a| a.points).sum();
    let detail =
        format!("线下积分表：新增{}条共{points}分，已导入过{}条", outcome.added.len(), outcome.already);
    audit::record_in(&mut tx, uploader.actor, Action::Import, file_name, &detail, true).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Finds a row's member among everyone: by ID card (its keyed hash), else by phone; the name
/// must agree, and the member must be inside the uploader's subtree.
struct Finder<'a> {
    by_card: HashMap<&'a str, &'a Member>,
    by_phone: HashMap<&'a str, Vec<&'a Member>>,
    scope: &'a Scope,
    vault: &'a IdCardVault,
}

type Refusal = (Column, String, String);

impl<'a> Finder<'a> {
    fn new(everyone: &'a [Member], uploader: &'a Uploader<'_>) -> Self {
        let by_card = everyone.iter().filter_map(|m| m.id_card_hash.as_deref().map(|h| (h, m))).collect();
        let mut by_phone: HashMap<&str, Vec<&Member>> = HashMap::new();
        for m in everyone {
            if let Some(phone) = m.phone.as_deref() {
                by_phone.entry(phone).or_default().push(m);
            }
        }
        Self { by_card, by_phone, scope: &uploader.scope, vault: uploader.vault }
    }

    fn find(&self, row: &SheetRow) -> Result<&'a Member, Refusal> {
        let member = match (&row.id_card, &row.phone) {
            (Some(card), _) => {
                let hash = self.vault.lookup_hash(card.as_str());
                let Some(member) = self.by_card.get(hash.as_str()) else {
                    return Err((
                        Column::IdCard,
                        card.as_str().into(),
                        "查无此人：该身份证号码不在党员名册中".into(),
                    ));
                };
                if member.name != row.name {
                    return Err((Column::Name, row.name.clone(), "姓名与身份证号码不符".into()));
                }
                *member
            }
            (None, Some(phone)) => {
                let Some(found) = self.by_phone.get(phone.as_str()) else {
                    return Err((
                        Column::Phone,
                        phone.as_str().into(),
                        "查无此人：该手机号码不在党员名册中".into(),
                    ));
                };
                let named: Vec<&&Member> = found.iter().filter(|m| m.name == row.name).collect();
                match named.as_slice() {
                    [only] => **only,
                    [] => return Err((Column::Name, row.name.clone(), "姓名与手机号码不符".into())),
                    _ => {
                        let reason = "有多名党员同名且用同一手机号码，请改填身份证号码".into();
                        return Err((Column::Phone, phone.as_str().into(), reason));
                    }
                }
            }
            (None, None) => {
                return Err((Column::Phone, String::new(), "手机号码和身份证号码至少填写一项".into()));
            }
        };
        if !self.scope.covers(&member.unit_path) {
            return Err((Column::Name, row.name.clone(), "该党员不在您管辖的单位，不能为其记积分".into()));
        }
        Ok(member)
    }
}

/// The keys of the offline entries already in the ledger for days in `from..=until`.
async fn recorded_keys(db: &Db, from: NaiveDate, until: NaiveDate) -> Result<HashSet<String>, sqlx::Error> {
    let keys: Vec<String> = on_db!(db, pool => {
        sqlx::query_scalar(
            "SELECT idempotency_key FROM point_entries WHERE kind = $1 AND earned_on >= $2 AND earned_on <= $3",
        )
        .bind(PointKind::Offline)
        .bind(from)
        .bind(until)
        .fetch_all(pool)
        .await?
    });
    Ok(keys.into_iter().collect())
}

/// Offline points per (member, day) already recorded for days in `from..=until`.
async fn offline_day_totals(
    db: &Db,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<HashMap<(i64, NaiveDate), i64>, sqlx::Error> {
    let rows: Vec<(i64, NaiveDate, i64)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT member_id, earned_on, total FROM point_daily WHERE kind = $1 AND earned_on >= $2 AND earned_on <= $3",
        )
        .bind(PointKind::Offline)
        .bind(from)
        .bind(until)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(|(member, day, total)| ((member, day), total)).collect())
}
