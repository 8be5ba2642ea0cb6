//! From the set-up form's words to ids: each team line's unit (inside the organiser's subtree)
//! and its debaters (members of that unit or below, by name, with the phone's last four digits
//! when names repeat), and the judges' accounts by login phone.

use super::bracket::{NewDebate, NewTeam};
use super::model::{self, TeamLine};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;
use crate::web::form::FieldErrors;

/// Most judges on one tournament.
pub const MAX_JUDGES: usize = 15;

/// The set-up form's fields as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewInput {
    /// 比赛名称.
    pub title: String,
    /// One team a line: `单位：辩手、辩手`.
    pub teams: String,
    /// Judges' login phones.
    pub judges: String,
}

crate::web::extract::labels! {
    NewInput { title: "比赛名称", teams: "参赛队伍", judges: "评委" }
}

/// Reads the form for the organiser: the tournament to draw, or every problem by field.
pub async fn checked(
    db: &Db,
    user: &CurrentUser,
    input: &NewInput,
) -> Result<Result<NewDebate, FieldErrors>, sqlx::Error> {
    let mut errors = FieldErrors::default();
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 40 {
        errors.add("title", "比赛名称：请填写1到40字");
    }
    let scope = user.scope();
    let mut teams = Vec::new();
    match model::parse_teams(&input.teams) {
        Err(problems) => errors.add("teams", format!("参赛队伍：{}", problems.join("；"))),
        Ok(lines) => {
            let mut problems = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                match team(db, &scope, line).await? {
                    Ok(t) if teams.iter().any(|o: &NewTeam| o.unit_id == t.unit_id) => {
                        problems.push(format!("第{}支队“{}”重复", i + 1, t.name));
                    }
                    Ok(t) if teams.iter().any(|o| o.debaters.iter().any(|d| t.debaters.contains(d))) => {
                        problems.push(format!("第{}支队“{}”有辩手已在前面的队伍中", i + 1, t.name));
                    }
                    Ok(t) => teams.push(t),
                    Err(p) => problems.push(format!("第{}支队：{p}", i + 1)),
                }
            }
            if !problems.is_empty() {
                errors.add("teams", format!("参赛队伍：{}", problems.join("；")));
            }
        }
    }
    let judges = match judges(db, user, &input.judges).await? {
        Ok(j) => j,
        Err(p) => {
            errors.add("judges", format!("评委：{p}"));
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(NewDebate { title, unit_id: user.unit_id, unit_path: user.unit_path.clone(), teams, judges }))
}

/// One team line: its unit in scope and each debater a member of it.
async fn team(db: &Db, scope: &Scope, line: &TeamLine) -> Result<Result<NewTeam, String>, sqlx::Error> {
    let units: Vec<(i64, String, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, name, path FROM units WHERE name = $1 AND path LIKE $2 AND retired_at IS NULL")
        .bind(&line.unit_name).bind(scope).fetch_all(pool).await?);
    let (unit_id, name, path) = match units.as_slice() {
        [one] => one.clone(),
        [] => return Ok(Err(format!("本单位及下级单位中没有“{}”", line.unit_name))),
        _ => return Ok(Err(format!("有多个名为“{}”的单位，请改用能区分的名称", line.unit_name))),
    };
    let unit_scope = Scope::of_unit(&path);
    let mut debaters = Vec::new();
    for d in &line.debaters {
        let found: Vec<(i64, Option<String>)> = on_db!(db, pool => sqlx::query_as(
            "SELECT m.id, m.phone FROM members m JOIN units u ON u.id = m.unit_id \
             WHERE m.name = $1 AND u.path LIKE $2 AND m.status = 'active' ORDER BY m.id")
            .bind(&d.name).bind(&unit_scope).fetch_all(pool).await?);
        let matching: Vec<i64> = found
            .iter()
            .filter(|(_, phone)| match (&d.phone_tail, phone) {
                (Some(tail), Some(phone)) => phone.ends_with(tail.as_str()) && tail.len() == 4,
                (Some(_), None) => false,
                (None, _) => true,
            })
            .map(|(id, _)| *id)
            .collect();
        match matching.as_slice() {
            [one] if debaters.contains(one) => return Ok(Err(format!("“{}”写了两次", d.name))),
            [one] => debaters.push(*one),
            [] => return Ok(Err(format!("{}没有名为“{}”的党员", name, d.name))),
            _ => return Ok(Err(format!("{}有多名“{}”，请写成“{}(手机尾号4位)”", name, d.name, d.name))),
        }
    }
    Ok(Ok(NewTeam { unit_id, name, debaters }))
}

/// The judges' accounts: active, in the organiser's subtree or above it (a committee lecturer
/// may judge a village's debate).
async fn judges(db: &Db, user: &CurrentUser, text: &str) -> Result<Result<Vec<i64>, String>, sqlx::Error> {
    let phones: Vec<&str> = text
        .split([',', '，', '、', ';', '；', ' ', '\n', '\r', '\u{3000}'])
        .filter(|p| !p.is_empty())
        .collect();
    if phones.is_empty() || phones.len() > MAX_JUDGES {
        return Ok(Err(format!("请填写1到{MAX_JUDGES}位评委的登录手机号（宜为单数）")));
    }
    let mut ids = Vec::new();
    for phone in phones {
        let found: Option<(i64, String)> = on_db!(db, pool => sqlx::query_as(
            "SELECT u.id, un.path FROM users u JOIN units un ON un.id = u.unit_id WHERE u.phone = $1 AND u.active = TRUE")
            .bind(phone).fetch_optional(pool).await?);
        match found {
            Some((id, path)) if user.covers(&path) || user.unit_path.starts_with(&path) => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            _ => return Ok(Err(format!("{phone} 不是本单位、下级或上级单位的账号"))),
        }
    }
    Ok(Ok(ids))
}
