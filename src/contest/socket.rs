//! The WebSockets: a phone's (its token in the contest's cookie; answers in, acknowledgements and
//! snapshots out) and the host screen's (snapshots only). Buffers are sized small: thousands of
//! phones share one server, and a message is a few hundred bytes.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::live::{Audience, Room};
use super::model;
use super::store::{self, Device, NewAnswer};
use crate::auth::AdminUser;
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::{AppError, AppResult};

/// Read buffer per connection (axum's default is 128 KiB).
pub const READ_BUFFER: usize = 4 * 1024;
/// Largest message a phone may send: an answer is a few dozen bytes.
pub const MAX_MESSAGE: usize = 4 * 1024;

/// The cookie holding a phone's token for one contest (its path is that contest's pages).
pub fn cookie_name(contest_id: i64) -> String {
    format!("dx_contest_{contest_id}")
}

/// A token's stored form.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn sized(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(64 * 1024)
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
}

/// A browser always names the page that opens a socket: refuse other sites' pages, which would
/// otherwise ride on the phone's cookie.
fn same_origin(headers: &HeaderMap) -> AppResult<()> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else { return Ok(()) };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split("://").nth(1).unwrap_or_default();
    if origin_host == host { Ok(()) } else { Err(AppError::Forbidden) }
}

/// `GET /contest/{id}/ws`: a phone that joined.
pub(super) async fn phone(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ws: WebSocketUpgrade,
) -> AppResult<Response> {
    same_origin(&headers)?;
    let token = crate::web::csrf::cookie_value(&headers, &cookie_name(id)).ok_or(AppError::Forbidden)?;
    let device = store::device(&state.db, id, &token_hash(&token)).await?.ok_or(AppError::Forbidden)?;
    let contest =
        store::in_scope(&state.db, id, &crate::org::Scope::whole_tree()).await?.ok_or(AppError::NotFound)?;
    let room = state.contest_rooms.room(&state.db, &contest).await?;
    Ok(sized(ws).on_upgrade(move |socket| serve(socket, room, Some(device))))
}

/// `GET /contests/{id}/screen/ws`: the host screen, for staff in scope.
pub(super) async fn screen(
    State(state): State<AppState>,
    user: AdminUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ws: WebSocketUpgrade,
) -> AppResult<Response> {
    same_origin(&headers)?;
    let contest = store::in_scope(&state.db, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let room = state.contest_rooms.room(&state.db, &contest).await?;
    Ok(sized(ws).on_upgrade(move |socket| serve(socket, room, None)))
}

/// What a phone sends: its answer to question `q`.
#[derive(Deserialize)]
struct Answer {
    q: i64,
    a: String,
}

async fn serve(mut socket: WebSocket, room: Arc<Room>, phone: Option<Device>) {
    let audience = if phone.is_some() { Audience::Phone } else { Audience::Screen };
    let mut snapshots = room.subscribe(audience);
    if let Some(device) = &phone {
        room.connected(1);
        let (score, answered) = room.resume_for(device.entrant_id);
        let me = json!({
            "t": "me", "name": device.name, "entrant": device.entrant_name, "score": score,
            "answered": answered.map(|(q, a)| json!({"q": q, "a": a})),
        });
        if socket.send(Message::Text(me.to_string().into())).await.is_err() {
            room.connected(-1);
            return;
        }
    }
    loop {
        tokio::select! {
            changed = snapshots.changed() => {
                if changed.is_err() {
                    break;
                }
                let text = snapshots.borrow_and_update().clone();
                if socket.send(Message::Text(text)).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let Some(device) = &phone else { continue };
                    let reply = answer(&room, device, &text).await;
                    if socket.send(Message::Text(reply)).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    if phone.is_some() {
        room.connected(-1);
    }
}

/// Grades and stores an answer, then says so: the acknowledgement is sent only after the answer
/// is committed (in a batch with others, by the room's writer); a repeat gets the
/// acknowledgement of the answer stored first.
async fn answer(room: &Room, device: &Device, text: &Utf8Bytes) -> Utf8Bytes {
    let refused =
        |q: i64, reason: &str| json!({"t": "ack", "q": q, "ok": false, "reason": reason}).to_string().into();
    let Ok(sent) = serde_json::from_str::<Answer>(text.as_str()) else {
        return refused(0, "无法识别的消息");
    };
    let (question, left) = match room.open_question(sent.q) {
        Ok(open) => open,
        Err(reason) => return refused(sent.q, reason),
    };
    let Some(normalized) = model::normalize(question.kind, &sent.a) else {
        return refused(sent.q, "请先选择或填写答案");
    };
    let correct = model::is_correct(question.kind, &question.key, &normalized);
    let limit_ms = room.limit.as_millis() as i64;
    let score = model::score(correct, left.as_millis() as i64, limit_ms);
    let new = NewAnswer {
        contest_id: room.contest_id,
        position: sent.q,
        entrant_id: device.entrant_id,
        device_id: device.id,
        answer: normalized,
        correct,
        score,
    };
    match room.answers.submit(new).await {
        Ok((stored, stored_score, fresh)) => {
            if fresh {
                room.counted(sent.q, device.entrant_id, &stored, stored_score);
            }
            // What a right answer would have earned: the speed share, not whether it was right.
            let if_right = if stored_score > 0 {
                stored_score
            } else {
                model::score(true, left.as_millis() as i64, limit_ms)
            };
            json!({"t": "ack", "q": sent.q, "ok": true, "a": stored, "repeat": !fresh, "if_right": if_right})
                .to_string()
                .into()
        }
        Err(e) => {
            tracing::error!("storing a contest answer: {e}");
            refused(sent.q, "服务器繁忙，请再点一次提交")
        }
    }
}
