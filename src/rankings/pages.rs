//! `/rankings` (积分排名): the viewer's own standing, units against each other, and members by
//! name where the viewer may see them; the committee's visibility setting; the projector page.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use super::board::{self, Asked, MemberRow, UnitRow};
use super::live::LiveRanks;
use super::model::{PeriodKind, Sight, ranking_unit};
use super::store;
use crate::audit::Actor;
use crate::auth::{AdminUser, CommitteeUser, CurrentUser};
use crate::points::index::{Scope, UnitOrder};
use crate::state::AppState;
use crate::web::extract::labels;
use crate::web::extract::{Form, Query};
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// Members listed at most, across the sub-district.
const TOP_ALL: usize = 100;
/// Members listed at most, within one unit.
const TOP_UNIT: usize = 500;

#[derive(Deserialize, Default)]
pub(super) struct RankQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    order: String,
}

labels! {
    RankQuery { period: "排名周期", date: "日期", by: "排名对象", unit: "单位", order: "排序" }
    SightForm { members_see_names: "党员可见范围" }
}

/// Reads the period and date a query names: day by default, today by default.
pub(super) fn asked(period: &str, date: &str) -> Result<Asked, AppError> {
    let kind = match period.trim() {
        "" => PeriodKind::Day,
        code => PeriodKind::from_code(code).ok_or_else(|| {
            AppError::BadRequest("排名周期只能是：今日、本周、本月、本季度或本次冬训".into())
        })?,
    };
    let date = match date.trim() {
        "" => crate::time::today(),
        text => text
            .parse()
            .map_err(|_| AppError::BadRequest(format!("日期“{text}”看不懂，请写成 2026-12-01 这样")))?,
    };
    Ok(Asked { kind, date })
}

/// One period as a row of "my rank".
pub struct MyLine {
    /// 今日, 本周…
    pub label: &'static str,
    /// Points.
    pub points: i64,
    /// Rank in their unit, if placed.
    pub in_unit: Option<u32>,
    /// Rank across the sub-district.
    pub overall: u32,
}

/// A member's points and ranks today, this week, this month and this campaign (for 我的 and the
/// rankings page).
pub async fn my_lines(live: &LiveRanks, db: &crate::db::Db, member: i64) -> Result<Vec<MyLine>, sqlx::Error> {
    let path = store::member_unit_path(db, member).await?.unwrap_or_default();
    let today = crate::time::today();
    Ok(board::my_standings(live, member, &path, today)
        .await?
        .into_iter()
        .map(|(kind, s)| MyLine {
            label: kind.label(),
            points: s.points,
            in_unit: s.rank_in_unit,
            overall: s.rank,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "rankings/index.html")]
struct RankingsPage {
    shell: Shell,
    periods: Vec<(&'static str, &'static str, bool)>,
    period: String,
    period_code: &'static str,
    date: String,
    mine: Vec<MyLine>,
    by_unit: bool,
    by_participation: bool,
    units: Option<Vec<UnitRow>>,
    members: Option<Vec<MemberRow>>,
    list_title: String,
    may_list: bool,
    unit_choices: Vec<(i64, String, bool)>,
    unit_code: String,
    own_unit_hint: bool,
    is_staff: bool,
    is_committee: bool,
    members_see_names: bool,
}

/// `GET /rankings`.
pub(super) async fn page(
    State(state): State<AppState>,
    State(live): State<LiveRanks>,
    user: CurrentUser,
    Query(q): Query<RankQuery>,
) -> AppResult<Html<String>> {
    let asked = asked(&q.period, &q.date)?;
    let see_names = store::members_see_names(&state.db).await?;
    let sight = Sight::of(user.role, see_names);
    let own = match user.member_id {
        Some(member) => store::member_unit_path(&state.db, member).await?.and_then(|p| ranking_unit(&p)),
        None => ranking_unit(&user.unit_path),
    };
    let own = if sight == Sight::Everyone { None } else { own };
    let by_participation = q.order == "participation";
    let order = if by_participation { UnitOrder::Participation } else { UnitOrder::PointsPerMember };
    let units = board::units(&live, &state.db, asked, order).await?;
    let list_unit: Option<i64> = match q.unit.trim() {
        "" if matches!(sight, Sight::OwnUnit | Sight::Names) => own,
        "" => None,
        "all" => None,
        text => Some(text.parse().map_err(|_| AppError::BadRequest("「单位」应从列表中选择".into()))?),
    };
    // Another unit's members are refused as missing, as every other village's data is.
    if let Some(unit) = list_unit
        && !sight.may_list_unit(unit, own)
        && sight != Sight::UnitsOnly
    {
        return Err(AppError::NotFound);
    }
    let may_list = match list_unit {
        Some(unit) => sight.may_list_unit(unit, own),
        None => sight.may_list_all(),
    };
    let by_unit = q.by == "unit" || !may_list;
    let unit_name = |id: i64| units.iter().flatten().find(|u| u.unit == id).map(|u| u.name.clone());
    let (members, list_title) = if by_unit {
        (None, String::new())
    } else {
        match list_unit {
            Some(unit) => (
                board::members(&live, &state.db, asked, Scope::Unit(unit), TOP_UNIT).await?,
                format!("{}党员排名", unit_name(unit).unwrap_or_default()),
            ),
            None => (
                board::members(&live, &state.db, asked, Scope::All, TOP_ALL).await?,
                format!("全街道党员排名（前{TOP_ALL}名）"),
            ),
        }
    };
    let unit_choices = match sight {
        Sight::Everyone => {
            units.iter().flatten().map(|u| (u.unit, u.name.clone(), Some(u.unit) == list_unit)).collect()
        }
        _ => Vec::new(),
    };
    let mine = match user.member_id {
        Some(member) => my_lines(&live, &state.db, member).await?,
        None => Vec::new(),
    };
    let today = crate::time::today();
    let page = RankingsPage {
        shell: Shell::new(&user, "积分排名", "rankings"),
        periods: PeriodKind::choices()
            .into_iter()
            .map(|(code, label)| (code, label, code == asked.kind.code()))
            .collect(),
        period: asked.kind.describe(asked.date, today),
        period_code: asked.kind.code(),
        date: if asked.date == today { String::new() } else { asked.date.to_string() },
        mine,
        by_unit,
        by_participation,
        units,
        members,
        list_title,
        may_list,
        unit_choices,
        unit_code: list_unit.map(|u| u.to_string()).unwrap_or_default(),
        own_unit_hint: sight == Sight::UnitsOnly,
        is_staff: user.role.is_admin(),
        is_committee: sight == Sight::Everyone,
        members_see_names: see_names,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub(super) struct SightForm {
    members_see_names: String,
}

/// `POST /rankings/visibility`: the committee decides what members may see; audited.
pub(super) async fn set_sight(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Form(form): Form<SightForm>,
) -> AppResult<Response> {
    let see = match form.members_see_names.as_str() {
        "names" => true,
        "units" => false,
        _ => return Err(AppError::BadRequest("请选择党员可以看到的排名范围".into())),
    };
    let mut tx = state.db.begin().await?;
    store::set_members_see_names(&mut tx, see, &Actor::user(&user)).await?;
    tx.commit().await?;
    let message = if see {
        "已设置：党员可以看到个人排名"
    } else {
        "已设置：党员只看单位排名和本人名次"
    };
    Ok(redirect_with_flash("/rankings", message))
}

#[derive(Template)]
#[template(path = "rankings/screen.html")]
struct ScreenPage {
    title: String,
    day: String,
    units: Vec<UnitRow>,
    refresh_seconds: u32,
}

/// `GET /rankings/screen`: today's unit ranking for the hall's projector (1280×720, big type,
/// reloads itself every minute). Staff only: a projector runs on a staff login.
pub(super) async fn screen(
    State(state): State<AppState>,
    State(live): State<LiveRanks>,
    AdminUser(_user): AdminUser,
) -> AppResult<Html<String>> {
    let today = crate::time::today();
    let asked = Asked { kind: PeriodKind::Day, date: today };
    let units = board::units(&live, &state.db, asked, UnitOrder::PointsPerMember).await?.unwrap_or_default();
    let root = crate::org::store::root(&state.db).await?.map(|u| u.name).unwrap_or_default();
    let page = ScreenPage {
        title: format!("{root}今日学习积分排名"),
        day: today.format("%Y年%-m月%-d日").to_string(),
        units,
        refresh_seconds: 60,
    };
    Ok(Html(page.render()?))
}
