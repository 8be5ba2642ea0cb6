//! A book's page: its details and 库存 N 册 for everyone; for staff, the copies handed out per
//! village and its stock moves (who a copy went to named only inside their subtree); for the
//! committee, the 入库 / 调整 form. Books are added through the door-to-door catalogue
//! (`/deliveries/materials`), whose 书籍 are these books.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::audit::{self, Action, Actor};
use crate::auth::{CommitteeUser, CurrentUser, Role};
use crate::library::model::{self, ItemKind, MoveKind};
use crate::library::stock::{self, Move};
use crate::library::store::{self, Item};
use crate::state::AppState;
use crate::web::extract::{Form, Path, labels};
use crate::web::form::FieldErrors;
use crate::web::shell::redirect_with_flash;
use crate::web::{AppError, AppResult, Shell};

/// The 入库 / 调整 form as typed.
#[derive(Deserialize, Default, Clone)]
pub(in crate::library) struct StockForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    reason: String,
}

labels! {
    StockForm { kind: "类型", count: "册数", reason: "原因" }
}

#[derive(Template)]
#[template(path = "library/book.html")]
pub(super) struct BookPage {
    shell: Shell,
    item: Item,
    tags: Vec<String>,
    /// Staff see where copies went and the moves.
    is_admin: bool,
    /// The committee restocks and adjusts.
    can_change: bool,
    out_by_village: Vec<(String, i64)>,
    moves: Vec<Move>,
    form: StockForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
}

impl BookPage {
    /// Copies handed out in all.
    fn out_total(&self) -> i64 {
        self.out_by_village.iter().map(|(_, n)| n).sum()
    }

    /// A move's time in Shanghai.
    fn when(&self, m: &Move) -> String {
        crate::time::local_datetime(m.moved_at)
    }
}

/// The book's page, with the stock form as typed and its problems.
pub(super) async fn book_page(
    state: &AppState,
    user: &CurrentUser,
    item: Item,
    form: StockForm,
    errors: FieldErrors,
) -> AppResult<BookPage> {
    let is_admin = user.role.is_admin();
    let (out_by_village, moves) = if is_admin {
        (
            stock::out_by_village(&state.db, item.id).await?,
            stock::moves(&state.db, item.id, &user.scope()).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(BookPage {
        shell: Shell::new(user, item.title.clone(), "library"),
        tags: item.tags.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        is_admin,
        can_change: user.role == Role::CommitteeAdmin,
        out_by_village,
        moves,
        form,
        errors,
        kinds: vec![
            (MoveKind::In.code(), "入库（收到新书）"),
            (MoveKind::Adjust.code(), "调整（盘点、破损报废）"),
        ],
        item,
    })
}

/// `POST /library/{id}/stock`: the committee counts copies in or adjusts the stock, with a
/// reason, audited; a change that would take the stock below zero is refused with the form kept.
pub(in crate::library) async fn change_stock(
    State(state): State<AppState>,
    CommitteeUser(user): CommitteeUser,
    Path(id): Path<i64>,
    Form(form): Form<StockForm>,
) -> AppResult<Response> {
    let item =
        store::get(&state.db, id).await?.filter(|i| i.kind == ItemKind::Book).ok_or(AppError::NotFound)?;
    let refuse = |item: Item, form: StockForm, errors: Vec<(&'static str, String)>| async {
        let mut fields = FieldErrors::default();
        for (field, message) in errors {
            fields.add(field, message);
        }
        let page = book_page(&state, &user, item, form, fields).await?;
        Ok::<_, AppError>((StatusCode::BAD_REQUEST, Html(page.render()?)).into_response())
    };
    let (kind, delta) = match model::stock_change(&form.kind, &form.count, &form.reason, item.stock) {
        Ok(change) => change,
        Err(errors) => return refuse(item, form, errors).await,
    };
    let reason = form.reason.trim().to_owned();
    let mut tx = state.db.begin().await?;
    let Some(after) = stock::change_stock(&mut tx, id, kind, delta, &reason, user.user_id).await? else {
        drop(tx);
        // Copies went out since the page was read: say so against today's count.
        let item = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
        let message = format!("库存不能少于0（现有{}册）", item.stock);
        return refuse(item, form, vec![("count", message)]).await;
    };
    let detail = format!(
        "《{}》{}{:+}册（{reason}），库存{after}册",
        item.title.trim_matches(['《', '》']),
        kind.label(),
        delta
    );
    audit::record_in(&mut tx, &Actor::user(&user), Action::Library, &format!("library:{id}"), &detail, true)
        .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        &format!("/library/{id}"),
        &format!("已{}{:+}册，现库存{after}册", kind.label(), delta),
    ))
}
