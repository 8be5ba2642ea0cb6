//! A campaign's audience (冬训对象): the active members under any of its audience units (each with
//! its subtree), of its audience categories (none = everyone), minus its exclusions.
//!
//! Every question about the audience — who is in it inside a viewer's subtree, whether one member
//! is in it, whether a session's audience admits a member — is answered by the same SQL condition,
//! so coverage, delivery and check-in can never disagree about who counts.

use crate::campaign::store::Campaign;
use crate::db::Db;
use crate::on_db;
use crate::org::Scope;
use crate::people::model::{MemberCategories, Phone};

/// One member of a campaign's audience, with what coverage pages and reasons need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceMember {
    /// Member id.
    pub id: i64,
    /// 姓名.
    pub name: String,
    /// Full pinyin, for sorting.
    pub name_pinyin: String,
    /// The member's unit (a station or a branch).
    pub unit_id: i64,
    /// That unit's name.
    pub unit_name: String,
    /// That unit's path, e.g. `/0000000001/0000000003/0000000004/`.
    pub unit_path: String,
    /// 人员类别 (老党员, 困难党员…): the reasons someone may not attend.
    pub categories: MemberCategories,
    /// 手机号码, if recorded (a member without one cannot check in by phone). Never shown unmasked.
    pub phone: Option<String>,
}

/// An audience member as a query returns it (also flattened into coverage's rows).
#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    id: i64,
    name: String,
    name_pinyin: String,
    unit_id: i64,
    unit_name: String,
    unit_path: String,
    categories: i64,
    phone: Option<String>,
}

impl From<Row> for AudienceMember {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            name: r.name,
            name_pinyin: r.name_pinyin,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            unit_path: r.unit_path,
            categories: MemberCategories::from_bits(u32::try_from(r.categories).unwrap_or(0)),
            phone: r.phone,
        }
    }
}

/// The columns of [`Row`], from `members m JOIN units u`.
const MEMBER_SELECT: &str = "SELECT m.id, m.name, m.name_pinyin, m.unit_id, u.name AS unit_name, \
     u.path AS unit_path, m.categories, m.phone FROM members m JOIN units u ON u.id = m.unit_id";

/// The audience condition over `members m`: `$1` campaign id, `$2` the [`Scope`] the member must
/// lie in, `$3` the audience category bits (0 = every member).
///
/// The units that qualify (inside `$2` and under an audience unit) are found first — a few hundred
/// rows — so each member is tested by its `unit_id` alone, and no join to `units` is needed.
/// Unit paths hold only digits and slashes, so `au.path || '%'` needs no `LIKE` escaping either.
pub(crate) const AUDIENCE_WHERE: &str = "m.status = 'active' \
     AND m.unit_id IN (SELECT iu.id FROM units iu WHERE iu.path LIKE $2 \
         AND EXISTS (SELECT 1 FROM campaign_units cu JOIN units au ON au.id = cu.unit_id \
                     WHERE cu.campaign_id = $1 AND iu.path LIKE au.path || '%')) \
     AND ($3 = 0 OR (m.categories & $3) <> 0) \
     AND NOT EXISTS (SELECT 1 FROM campaign_exclusions x WHERE x.campaign_id = $1 AND x.member_id = m.id)";

/// The units inside `scope` whose members may be in the campaign's audience (those under
/// an audience unit): a few hundred ids, for [`where_in_units`].
pub async fn units(db: &Db, campaign: &Campaign, scope: &Scope) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar(
            "SELECT iu.id FROM units iu WHERE iu.path LIKE $2 \
             AND EXISTS (SELECT 1 FROM campaign_units cu JOIN units au ON au.id = cu.unit_id \
                         WHERE cu.campaign_id = $1 AND iu.path LIKE au.path || '%') ORDER BY iu.id",
        )
        .bind(campaign.id)
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// The audience condition over `members m` for members of `units` (from [`units`]), written out
/// as a list: `$1` campaign id, `$2` audience category bits. Same members as [`AUDIENCE_WHERE`];
/// for the big coverage queries, where PostgreSQL misjudges the subquery's size (1 unit instead
/// of 58, 1,724 members instead of 100,000) and picks 100,000 nested-loop lookups.
pub(crate) fn where_in_units(units: &[i64]) -> String {
    // Ids from the database, formatted here; no unit has id 0, so an empty list matches nobody.
    let list = if units.is_empty() {
        "0".to_owned()
    } else {
        units.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    };
    format!(
        "m.status = 'active' AND m.unit_id IN ({list}) AND ($2 = 0 OR (m.categories & $2) <> 0) \
         AND NOT EXISTS (SELECT 1 FROM campaign_exclusions x WHERE x.campaign_id = $1 AND x.member_id = m.id)"
    )
}

/// The audience of `campaign` inside `scope` (such as the viewer's `CurrentUser::scope()`), in
/// tree order then by pinyin.
pub async fn members(
    db: &Db,
    campaign: &Campaign,
    scope: &Scope,
) -> Result<Vec<AudienceMember>, sqlx::Error> {
    select(db, campaign, scope, "").await
}

/// Some of the audience, by id, inside `scope`: the ids that are not returned are not in
/// the audience there (or do not exist).
pub async fn members_by_ids(
    db: &Db,
    campaign: &Campaign,
    scope: &Scope,
    ids: &[i64],
) -> Result<Vec<AudienceMember>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The ids are integers formatted by us, never text from the request.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    select(db, campaign, scope, &format!("m.id IN ({list}) AND ")).await
}

/// Audience members matching `also` (SQL over `m`, ending in `AND `, or empty) as well.
async fn select(
    db: &Db,
    campaign: &Campaign,
    scope: &Scope,
    also: &str,
) -> Result<Vec<AudienceMember>, sqlx::Error> {
    let sql = format!("{MEMBER_SELECT} WHERE {also}{AUDIENCE_WHERE} ORDER BY u.path, m.name_pinyin, m.id");
    let rows: Vec<Row> = on_db!(db, pool => {
        sqlx::query_as(&sql)
            .bind(campaign.id)
            .bind(scope)
            .bind(campaign.audience_categories)
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(AudienceMember::from).collect())
}

async fn admits_within(
    db: &Db,
    campaign: &Campaign,
    scope: &Scope,
    member_id: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM members m WHERE m.id = $4 AND {AUDIENCE_WHERE}");
    let (n,): (i64,) = on_db!(db, pool => {
        sqlx::query_as(&sql)
            .bind(campaign.id)
            .bind(scope)
            .bind(campaign.audience_categories)
            .bind(member_id)
            .fetch_one(pool)
            .await?
    });
    Ok(n > 0)
}

/// Whether a member belongs to the campaign's audience at all.
pub async fn contains(db: &Db, campaign: &Campaign, member_id: i64) -> Result<bool, sqlx::Error> {
    admits_within(db, campaign, &Scope::whole_tree(), member_id).await
}

/// Whether a session whose audience unit has path `session_audience_path` admits a member: the
/// member is in the campaign's audience and lies inside that unit's subtree.
pub async fn session_admits(
    db: &Db,
    campaign: &Campaign,
    session_audience_path: &str,
    member_id: i64,
) -> Result<bool, sqlx::Error> {
    admits_within(db, campaign, &Scope::of_unit(session_audience_path), member_id).await
}

/// A phone number as shown on screen: `139****3333` ('' when none).
pub fn masked_phone(phone: Option<&str>) -> String {
    match phone {
        None => String::new(),
        Some(p) => Phone::parse(p).map(|p| p.masked()).unwrap_or_else(|_| "***".into()),
    }
}
