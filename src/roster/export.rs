//! Roster export: the members inside a scope as an .xlsx with the import's columns.

use super::xlsx::{RosterExportRow, write_roster_xlsx};
use crate::db::Db;
use crate::org::Scope;
use crate::people::IdCardVault;
use crate::people::store::{self, Member};

impl RosterExportRow {
    /// The export row of a member, its ID card decrypted.
    fn from_member(m: Member, vault: &IdCardVault) -> anyhow::Result<Self> {
        let id_card = m.id_card(vault)?;
        Ok(Self {
            gender: m.gender,
            categories: m.category_set(),
            status: m.status,
            name: m.name,
            birth_date: m.birth_date,
            phone: m.phone,
            id_card,
            unit_name: m.unit_name,
            joined_party_on: m.joined_party_on,
            address: m.address,
        })
    }
}

/// Writes every member inside `scope`; returns the bytes and the row count.
pub async fn export_members(
    db: &Db,
    vault: &IdCardVault,
    scope: &Scope,
    title: &str,
) -> anyhow::Result<(Vec<u8>, usize)> {
    let members = store::all_in_scope(db, scope).await?;
    let count = members.len();
    let rows = members
        .into_iter()
        .map(|m| RosterExportRow::from_member(m, vault))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let title = title.to_owned();
    let bytes = tokio::task::spawn_blocking(move || write_roster_xlsx(&title, &rows)).await??;
    Ok((bytes, count))
}
