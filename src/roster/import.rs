//! Roster import: read the file, validate every row, resolve units inside the importer's subtree,
//! match existing members (by ID card, else phone), and store everything in one transaction.
//! Any bad row rejects the whole file; re-importing the same file changes nothing.

use std::collections::{HashMap, HashSet};

use super::parse::{ParsedRoster, RosterOptions, RosterRecord, RosterRejection, RowError, read_roster};
use crate::audit::{self, Action, Actor};
use crate::db::Db;
use crate::formats::gate::GateError;
use crate::formats::table::{TABLE_READS, read_table};
use crate::org::Scope;
use crate::org::store::{self as org_store, Unit};
use crate::people::IdCardVault;
use crate::people::doubt::{doubt_change, doubt_of};
use crate::people::store::{self, Member, MemberFields};

/// What an accepted import did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportOutcome {
    /// New members.
    pub inserted: usize,
    /// Existing members whose data changed.
    pub updated: usize,
    /// Rows identical to what was stored.
    pub unchanged: usize,
    /// Implausible values that did not block the import (数据存疑), in row order.
    pub warnings: Vec<RowError>,
    /// Members flagged 数据存疑 by this import.
    pub flagged: usize,
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file is not a readable spreadsheet, or has no header row.
    #[error("{0}")]
    Unreadable(String),
    /// No column is recognisably the unit (or none has the name given): the person picks one of
    /// `headers`.
    #[error("{}", RosterRejection::NoUnitColumn { named: named.clone(), headers: headers.clone() })]
    NoUnitColumn {
        /// The name given, when no header matches it.
        named: Option<String>,
        /// The headers no other field took, as written.
        headers: Vec<String>,
    },
    /// Rows with errors: every one of them, with row number, column, value and reason.
    #[error("名册中有{}处错误，未导入任何数据", .0.len())]
    Rows(Vec<RowError>),
    /// Other spreadsheets are being read; each read is bounded in memory, and so is their number.
    #[error("服务器正在处理其他名册，请稍等一分钟后重新上传")]
    Busy,
    /// The database failed (nothing was stored: the transaction rolled back).
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A stored ID card could not be decrypted (the key does not match, or the row was altered).
    #[error(transparent)]
    Vault(#[from] anyhow::Error),
}

/// The importer: whose subtree the rows must fall in, who to audit, and the vault that seals and
/// matches ID cards.
pub struct Importer<'a> {
    /// The importer's own subtree.
    pub scope: Scope,
    /// For the audit log.
    pub actor: &'a Actor,
    /// Seals stored ID cards and hashes them for matching.
    pub vault: &'a IdCardVault,
}

/// Imports a roster file. An accepted import is audited in the transaction that stores it; a
/// refused one stored nothing, and its refusal is audited on its own.
pub async fn import_roster(
    db: &Db,
    importer: &Importer<'_>,
    file_name: &str,
    bytes: Vec<u8>,
    options: RosterOptions,
) -> Result<ImportOutcome, ImportFailure> {
    let result = import_inner(db, importer, file_name, bytes, options).await;
    if let Err(failure) = &result {
        let detail = match failure {
            ImportFailure::Rows(errors) => format!("被拒绝：{}处错误", errors.len()),
            other => format!("被拒绝：{other}"),
        };
        audit::record(db, importer.actor, Action::Import, file_name, &detail, false).await?;
    }
    result
}

async fn import_inner(
    db: &Db,
    importer: &Importer<'_>,
    file_name: &str,
    bytes: Vec<u8>,
    options: RosterOptions,
) -> Result<ImportOutcome, ImportFailure> {
    let name = file_name.to_owned();
    let today = crate::time::today();
    let parsed = TABLE_READS
        .run(move || -> Result<ParsedRoster, ImportFailure> {
            let table = read_table(&name, &bytes).map_err(|e| ImportFailure::Unreadable(e.to_string()))?;
            read_roster(&table, today, &options).map_err(|rejection| match rejection {
                RosterRejection::NoHeader { reason } => ImportFailure::Unreadable(reason),
                RosterRejection::Rows(rows) => ImportFailure::Rows(rows),
                RosterRejection::NoUnitColumn { named, headers } => {
                    ImportFailure::NoUnitColumn { named, headers }
                }
            })
        })
        .await
        .map_err(|refused| match refused {
            GateError::Busy => ImportFailure::Busy,
            GateError::Failed => ImportFailure::Unreadable("读取文件失败，请检查文件后重新上传".to_owned()),
        })??;

    let scope = &importer.scope;
    let units = org_store::active_units_in_scope(db, scope).await?;
    let existing = store::unordered_in_scope(db, scope).await?;
    // Whole-sub-district importers (the committee, the CLI) own every card already loaded.
    let owners = if scope.unit_path().matches('/').count() <= 2 {
        Vec::new()
    } else {
        store::id_card_owners(db).await?
    };
    let vault = importer.vault;
    let resolver = UnitResolver::new(&units);
    // One pass: the rows' own errors and the unknown units together, so a clerk fixes the file
    // once. Units of rows that failed for other reasons are checked too.
    let mut errors = parsed.errors;
    for (row, unit) in &parsed.rejected_units {
        if let Err(reason) = resolver.resolve(unit) {
            errors.push(RowError {
                row: *row,
                column: parsed.unit_header.clone(),
                value: unit.clone(),
                reason,
            });
        }
    }
    let found =
        Found { units: &resolver, existing: &existing, owners: &owners, unit_header: &parsed.unit_header };
    let plan = match plan_changes(&parsed.records, &found, scope, vault) {
        Ok(plan) if errors.is_empty() => plan,
        Ok(_) => return Err(ImportFailure::Rows(in_row_order(errors))),
        Err(PlanError::Rows(more)) => {
            errors.extend(more);
            return Err(ImportFailure::Rows(in_row_order(errors)));
        }
        Err(PlanError::Vault(error)) => return Err(ImportFailure::Vault(error)),
    };
    let flagged = plan.doubts.iter().filter(|(_, d)| d.is_some()).count() + plan.new_doubts();
    let outcome = ImportOutcome {
        inserted: plan.inserts.len(),
        updated: plan.updates.len(),
        unchanged: plan.unchanged,
        warnings: parsed.warnings,
        flagged,
    };
    let mut detail =
        format!("新增{}人，更新{}人，未变{}人", outcome.inserted, outcome.updated, outcome.unchanged);
    if flagged > 0 {
        detail.push_str(&format!("，{flagged}人数据存疑"));
    }
    let mut tx = db.begin().await?;
    // New members are flagged as they are inserted; updated ones as `doubt_change` decided.
    store::apply_changes(&mut tx, vault, &plan.inserts, &plan.updates).await?;
    store::set_doubts(&mut tx, &plan.doubts).await?;
    audit::record_in(&mut tx, importer.actor, Action::Import, file_name, &detail, true).await?;
    tx.commit().await?;
    if plan.inserts.len() + plan.updates.len() > 1_000 {
        // The member table changed shape: refresh the planner's statistics (see Db::analyze).
        // The import has committed by now, so a failure here must not report it as refused.
        if let Err(error) = db.analyze().await {
            tracing::warn!(%error, "refreshing planner statistics after an import failed");
        }
    }
    Ok(outcome)
}

/// Errors sorted by Excel row (stable: a row's own errors keep their column order).
fn in_row_order(mut errors: Vec<RowError>) -> Vec<RowError> {
    errors.sort_by_key(|e| e.row);
    errors
}

/// What the rows are matched against.
struct Found<'a> {
    units: &'a UnitResolver<'a>,
    existing: &'a [Member],
    owners: &'a [(String, i64, String)],
    unit_header: &'a str,
}

/// The writes an import will make.
struct Plan {
    inserts: Vec<MemberFields>,
    updates: Vec<(i64, MemberFields)>,
    unchanged: usize,
    /// 数据存疑 flags of updated members that change: set (a new doubtful date) or cleared.
    doubts: Vec<(i64, Option<&'static str>)>,
}

impl Plan {
    /// How many new members are doubtful.
    fn new_doubts(&self) -> usize {
        self.inserts.iter().filter(|f| doubt_of(f.birth_date, f.joined_party_on).is_some()).count()
    }
}

/// Finds units by name inside the importer's subtree: a plain name when it is unique there, or
/// "上级/下级" when the same branch name appears under several stations.
struct UnitResolver<'a> {
    by_name: HashMap<String, Vec<&'a Unit>>,
}

impl<'a> UnitResolver<'a> {
    fn new(units: &'a [Unit]) -> Self {
        let names: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
        let mut by_name: HashMap<String, Vec<&Unit>> = HashMap::new();
        for unit in units {
            by_name.entry(normalize_unit_name(&unit.name)).or_default().push(unit);
            if let Some(parent) = unit.parent_id.and_then(|p| names.get(&p)) {
                let qualified = format!("{}/{}", parent, unit.name);
                by_name.entry(normalize_unit_name(&qualified)).or_default().push(unit);
            }
        }
        Self { by_name }
    }

    fn resolve(&self, name: &str) -> Result<i64, String> {
        match self.by_name.get(&normalize_unit_name(name)).map(Vec::as_slice) {
            Some([unit]) => Ok(unit.id),
            Some([first, ..]) => {
                Err(format!("有多个单位叫“{}”，请写成“上级单位/{}”", first.name, first.name))
            }
            _ => Err("单位不存在，或不在您的管辖范围内".to_owned()),
        }
    }
}

fn normalize_unit_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).map(|c| if c == '／' { '/' } else { c }).collect()
}

fn plan_changes(
    records: &[RosterRecord],
    found: &Found<'_>,
    scope: &Scope,
    vault: &IdCardVault,
) -> Result<Plan, PlanError> {
    let Found { units, existing, owners, unit_header } = *found;
    // Matched by the keyed hash: the plain numbers are not in the database to compare with.
    let by_id_card: HashMap<&str, &Member> =
        existing.iter().filter_map(|m| m.id_card_hash.as_deref().map(|h| (h, m))).collect();
    let mut by_phone: HashMap<&str, Vec<&Member>> = HashMap::new();
    for m in existing {
        if let Some(phone) = m.phone.as_deref() {
            by_phone.entry(phone).or_default().push(m);
        }
    }
    let outside: HashSet<&str> =
        owners.iter().filter(|(_, _, path)| !scope.covers(path)).map(|(card, _, _)| card.as_str()).collect();

    let mut errors = Vec::new();
    let mut plan = Plan { inserts: Vec::new(), updates: Vec::new(), unchanged: 0, doubts: Vec::new() };
    let mut claimed: HashMap<i64, usize> = HashMap::new();
    for record in records {
        let error = |column: &str, value: &str, reason: String| RowError {
            row: record.row,
            column: column.to_owned(),
            value: value.to_owned(),
            reason,
        };
        let unit_id = match units.resolve(&record.unit_name) {
            Ok(id) => id,
            Err(reason) => {
                errors.push(error(unit_header, &record.unit_name, reason));
                continue;
            }
        };
        let card = record.id_card.as_ref().map(|c| c.as_str().to_owned());
        let card_hash = card.as_deref().map(|c| vault.lookup_hash(c));
        if let Some(card) =
            card.as_deref().filter(|_| card_hash.as_deref().is_some_and(|h| outside.contains(h)))
        {
            errors.push(error(
                "身份证号",
                card,
                "该身份证号已登记在其他村社，请联系街道管理员办理转接".into(),
            ));
            continue;
        }
        let phone = record.phone.as_ref().map(|p| p.as_str().to_owned());
        let matched = find_match(card_hash.as_deref(), phone.as_deref(), &by_id_card, &by_phone);
        let fields = MemberFields {
            unit_id,
            name: record.name.clone(),
            gender: record.gender,
            birth_date: record.birth_date,
            phone,
            id_card: card,
            joined_party_on: record.joined_party_on,
            categories: record.categories,
            status: record.status,
            address: record.address.clone(),
        };
        match matched {
            Some(member) => {
                if let Some(first_row) = claimed.insert(member.id, record.row) {
                    errors.push(error("姓名", &record.name, format!("与第{first_row}行对应同一名党员")));
                    continue;
                }
                let stored = member.fields(vault)?;
                let merged = merge(&stored, fields);
                if merged == stored {
                    plan.unchanged += 1;
                } else {
                    let dates = |f: &MemberFields| (f.birth_date, f.joined_party_on);
                    if let Some(change) =
                        doubt_change(member.doubt.as_deref(), dates(&stored), dates(&merged))
                    {
                        plan.doubts.push((member.id, change));
                    }
                    plan.updates.push((member.id, merged));
                }
            }
            None => plan.inserts.push(fields),
        }
    }
    if errors.is_empty() { Ok(plan) } else { Err(PlanError::Rows(errors)) }
}

/// Why no plan could be made: bad rows, or a stored ID card that cannot be decrypted.
enum PlanError {
    Rows(Vec<RowError>),
    Vault(anyhow::Error),
}

impl From<anyhow::Error> for PlanError {
    fn from(error: anyhow::Error) -> Self {
        Self::Vault(error)
    }
}

impl From<PlanError> for ImportFailure {
    fn from(error: PlanError) -> Self {
        match error {
            PlanError::Rows(rows) => Self::Rows(rows),
            PlanError::Vault(error) => Self::Vault(error),
        }
    }
}

/// The member a row refers to: same ID card (compared by lookup hash); else, for a row without
/// one, the single member with that phone who has no different ID card on record.
fn find_match<'m>(
    card: Option<&str>,
    phone: Option<&str>,
    by_id_card: &HashMap<&str, &'m Member>,
    by_phone: &HashMap<&str, Vec<&'m Member>>,
) -> Option<&'m Member> {
    if let Some(member) = card.and_then(|c| by_id_card.get(c)) {
        return Some(member);
    }
    let candidates = by_phone.get(phone?)?;
    let compatible: Vec<&&Member> = candidates
        .iter()
        .filter(|m| m.id_card_hash.is_none() || card.is_none() || m.id_card_hash.as_deref() == card)
        .collect();
    match compatible.as_slice() {
        [only] => Some(only),
        _ => None,
    }
}

/// A blank cell in the file means "not known here", so it keeps what is stored.
fn merge(stored: &MemberFields, incoming: MemberFields) -> MemberFields {
    MemberFields {
        gender: incoming.gender.or(stored.gender),
        birth_date: incoming.birth_date.or(stored.birth_date),
        phone: incoming.phone.or_else(|| stored.phone.clone()),
        id_card: incoming.id_card.or_else(|| stored.id_card.clone()),
        joined_party_on: incoming.joined_party_on.or(stored.joined_party_on),
        address: incoming.address.or_else(|| stored.address.clone()),
        ..incoming
    }
}
