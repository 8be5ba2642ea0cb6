//! Door-to-door pages. A task is seen (and its visit recorded, its member's phone revealed) only
//! by its assignee or by an admin whose subtree holds the member; anyone else is told it does not
//! exist.
//!
//! One file per screen: the task list, a task with its visit form or record, recording the visit,
//! and the materials catalogue.

mod list;
mod materials;
mod record;
mod task;

pub(super) use list::list;
pub(super) use materials::{add_material, materials, set_material_active};
pub(super) use record::record_visit;
pub(super) use task::{detail, photo, photo_input_script, reveal_phone};

use crate::auth::CurrentUser;
use crate::delivery::store::{self as deliveries, Task};
use crate::state::AppState;
use crate::web::{AppError, AppResult};

/// The task, if this user may see it: its assignee, or an admin whose subtree holds the member.
async fn load_task(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Task> {
    let task = deliveries::task(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let allowed = if user.role.is_admin() {
        user.covers(&task.unit_path)
    } else {
        task.assignee_user_id == user.user_id
    };
    if allowed { Ok(task) } else { Err(AppError::NotFound) }
}
