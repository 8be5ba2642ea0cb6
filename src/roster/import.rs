//! Roster import: read the file, validate every row, resolve units inside the importer's subtree,
//! match existing members (by ID card, else phone), and store everything in one transaction.
//! Any bad row rejects the whole file; re-importing the same file changes nothing.

use std::collections::{HashMap, HashSet};

use super::parse::{RosterRecord, RosterRejection, RowError, parse_roster};
use crate::audit::{self, Action, Actor};
use crate::db::Db;
use crate::formats::table::read_table;
use crate::org::Scope;
use crate::org::store::{self as org_store, Unit};
use crate::people::IdCardVault;
use crate::people::store::{self, Member, MemberFields};

/// What an accepted import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOutcome {
    /// New members.
    pub inserted: usize,
    /// Existing members whose data changed.
    pub updated: usize,
    /// Rows identical to what was stored.
    pub unchanged: usize,
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file is not a readable spreadsheet, or has no header row.
    #[error("{0}")]
    Unreadable(String),
    /// Rows with errors: every one of them, with row number, column, value and reason.
    #[error("名册中有{}处错误，未导入任何数据", .0.len())]
    Rows(Vec<RowError>),
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
    default_unit: Option<String>,
) -> Result<ImportOutcome, ImportFailure> {
    let result = import_inner(db, importer, file_name, bytes, default_unit).await;
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
    default_unit: Option<String>,
) -> Result<ImportOutcome, ImportFailure> {
    let name = file_name.to_owned();
    let today = crate::time::today();
    let records = tokio::task::spawn_blocking(move || -> Result<Vec<RosterRecord>, ImportFailure> {
        let table = read_table(&name, &bytes).map_err(|e| ImportFailure::Unreadable(e.to_string()))?;
        parse_roster(&table, today, default_unit.as_deref()).map_err(|rejection| match rejection {
            RosterRejection::NoHeader { reason } => ImportFailure::Unreadable(reason),
            RosterRejection::Rows(rows) => ImportFailure::Rows(rows),
        })
    })
    .await
    .map_err(|e| ImportFailure::Unreadable(format!("读取文件失败：{e}")))??;

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
    let plan = plan_changes(&records, &UnitResolver::new(&units), &existing, &owners, scope, vault)?;
    let outcome = ImportOutcome {
        inserted: plan.inserts.len(),
        updated: plan.updates.len(),
        unchanged: plan.unchanged,
    };
    let detail =
        format!("新增{}人，更新{}人，未变{}人", outcome.inserted, outcome.updated, outcome.unchanged);
    let mut tx = db.begin().await?;
    store::apply_changes(&mut tx, vault, &plan.inserts, &plan.updates).await?;
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

/// The writes an import will make.
struct Plan {
    inserts: Vec<MemberFields>,
    updates: Vec<(i64, MemberFields)>,
    unchanged: usize,
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
    units: &UnitResolver<'_>,
    existing: &[Member],
    owners: &[(String, i64, String)],
    scope: &Scope,
    vault: &IdCardVault,
) -> Result<Plan, PlanError> {
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
    let mut plan = Plan { inserts: Vec::new(), updates: Vec::new(), unchanged: 0 };
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
                errors.push(error("所在单位", &record.unit_name, reason));
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
        ..incoming
    }
}
