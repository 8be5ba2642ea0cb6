//! The rules page (积分规则): every kind's rule in effect today with its upcoming and past
//! versions; the committee changes a kind's rule from a chosen day on (a new version — what was
//! earned before keeps its points), station admins read it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;

use crate::audit::Actor;
use crate::auth::{AdminUser, CommitteeUser, CurrentUser, Role};
use crate::points::model::{self, PointKind, Rule};
use crate::points::rule_input::{RuleInput, windows_text};
use crate::points::store;
use crate::state::AppState;
use crate::web::extract::{Form, Path};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// One version of a rule as the page shows it.
pub(super) struct RuleLine {
    pub kind: &'static str,
    pub label: &'static str,
    pub points: String,
    pub daily_cap: String,
    pub per_item_cap: String,
    pub windows: String,
    pub effective_from: String,
    /// 生效中, 待生效 or 已停用.
    pub status: &'static str,
}

fn line(rule: &Rule, status: &'static str) -> RuleLine {
    let cap = |n: Option<i64>| n.map(|n| format!("{n} 分")).unwrap_or_else(|| "不限".into());
    RuleLine {
        kind: rule.kind.code(),
        label: rule.kind.label(),
        points: match rule.minutes_per_point {
            Some(minutes) => format!("每 {minutes} 分钟 {} 分", rule.points),
            None => format!("每次 {} 分", rule.points),
        },
        daily_cap: cap(rule.daily_cap),
        per_item_cap: cap(rule.per_item_cap),
        windows: if rule.windows.is_empty() {
            "未启用".into()
        } else {
            format!("{} ×{}", windows_text(&rule.windows).replace(',', "、"), rule.window_multiplier)
        },
        effective_from: rule.effective_from.format("%Y-%m-%d").to_string(),
        status,
    }
}

/// Each version of `kind`'s rules, newest first, marked against `today`.
fn versions(rules: &[Rule], kind: PointKind, today: NaiveDate) -> Vec<RuleLine> {
    let current = model::rule_on(rules, kind, today).map(|r| r.effective_from);
    let mut lines: Vec<RuleLine> = rules
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| {
            let status = match current {
                Some(day) if r.effective_from == day => "生效中",
                _ if r.effective_from > today => "待生效",
                _ => "已停用",
            };
            line(r, status)
        })
        .collect();
    lines.reverse();
    lines
}

#[derive(Template)]
#[template(path = "points/rules.html")]
struct RulesPage {
    shell: Shell,
    /// Per kind: the rule in effect today (or none), and how many versions are still to come.
    kinds: Vec<(RuleLine, usize)>,
    can_edit: bool,
}

/// The rules table: what each kind earns today.
pub(in crate::points) async fn list(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
) -> AppResult<Html<String>> {
    let rules = store::rules(&state.db).await?;
    let today = crate::time::today();
    let kinds = PointKind::choices()
        .into_iter()
        .filter_map(|(code, _)| PointKind::from_code(code))
        .map(|kind| {
            let all = versions(&rules, kind, today);
            let upcoming = all.iter().filter(|l| l.status == "待生效").count();
            // A kind without a rule in effect today still has its line, to set one.
            let now = all.into_iter().find(|l| l.status == "生效中").unwrap_or_else(|| RuleLine {
                kind: kind.code(),
                label: kind.label(),
                points: "今日不计分".into(),
                daily_cap: "—".into(),
                per_item_cap: "—".into(),
                windows: "未启用".into(),
                effective_from: "—".into(),
                status: "未设",
            });
            (now, upcoming)
        })
        .collect();
    let page = RulesPage {
        shell: Shell::new(&user, "积分规则", "home"),
        kinds,
        can_edit: user.role == Role::CommitteeAdmin,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "points/rule.html")]
struct RulePage {
    shell: Shell,
    kind: &'static str,
    versions: Vec<RuleLine>,
    can_edit: bool,
    input: RuleInput,
    errors: FieldErrors,
    today: String,
}

async fn rule_page(
    state: &AppState,
    user: &CurrentUser,
    kind: PointKind,
    input: Option<RuleInput>,
    errors: FieldErrors,
) -> AppResult<String> {
    let rules = store::rules(&state.db).await?;
    let today = crate::time::today();
    let input = input.unwrap_or_else(|| match model::rule_on(&rules, kind, today) {
        Some(rule) => RuleInput::from_rule(rule, today),
        None => RuleInput { window_multiplier: "1".into(), ..RuleInput::default() },
    });
    let page = RulePage {
        shell: Shell::new(user, format!("积分规则：{}", kind.label()), "home"),
        kind: kind.code(),
        versions: versions(&rules, kind, today),
        can_edit: user.role == Role::CommitteeAdmin,
        input,
        errors,
        today: today.format("%Y-%m-%d").to_string(),
    };
    Ok(page.render()?)
}

fn kind_of(code: &str) -> AppResult<PointKind> {
    PointKind::from_code(code).ok_or(AppError::NotFound)
}

/// One kind: its versions, and (for the committee) the form to change it from a day on.
pub(in crate::points) async fn show(
    State(state): State<AppState>,
    AdminUser(user): AdminUser,
    Path(kind): Path<String>,
) -> AppResult<Html<String>> {
    let kind = kind_of(&kind)?;
    Ok(Html(rule_page(&state, &user, kind, None, FieldErrors::default()).await?))
}

/// Sets a kind's rule from the chosen day on, audited; refused, the form comes back as typed.
pub(in crate::points) async fn update(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(kind): Path<String>,
    Form(input): Form<RuleInput>,
) -> AppResult<Response> {
    let kind = kind_of(&kind)?;
    let rule = match input.validate(kind, crate::time::today()) {
        Ok(rule) => rule,
        Err(errors) => {
            let html = rule_page(&state, &user, kind, Some(input), errors).await?;
            return Ok((StatusCode::BAD_REQUEST, Html(html)).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    store::set_rule(&mut tx, &rule, &Actor::user(&user)).await?;
    tx.commit().await?;
    let message =
        format!("已保存：{}自{}起按新规则计分", kind.label(), rule.effective_from.format("%Y-%m-%d"));
    Ok(redirect_with_flash(&format!("/points/rules/{}", kind.code()), &message))
}
