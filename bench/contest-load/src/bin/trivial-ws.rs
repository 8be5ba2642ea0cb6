//! The ceiling for `contest_load.sh`: a trivial WebSocket broadcast server with the live
//! contest's protocol shape and no database, no login, no grading. `GET /ws` opens a phone's
//! socket (same buffer sizes as dongxun's); `POST /control` with `action=next|reveal|finish`
//! publishes a state snapshot through one `watch` channel (serialized once, shared by every
//! socket, as dongxun does); every answer is acknowledged at once and counted in memory
//! (`GET /answers`). Prints "listening on http://ADDR" like `dongxun serve`.
//!
//! Usage: trivial-ws [LISTEN]   (default 127.0.0.1:0)

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::watch;

#[derive(Clone)]
struct Shared {
    snapshot: watch::Sender<Utf8Bytes>,
    question: Arc<Mutex<i64>>,
    /// (socket, question) pairs answered: a repeat is acknowledged but not counted twice.
    answers: Arc<Mutex<HashSet<(u64, i64)>>>,
    sockets: Arc<std::sync::atomic::AtomicU64>,
}

fn snapshot(phase: &str, n: i64) -> Utf8Bytes {
    let q = if n > 0 {
        format!(
            r#","q":{{"n":{n},"kind":"single","label":"单选题","stem":"党员应当按时交纳（ ）","options":[["A","党费"],["B","会费"],["C","学费"]]}}"#
        )
    } else {
        String::new()
    };
    format!(
        r#"{{"t":"state","phase":"{phase}","title":"压测竞赛","mode":"个人赛","of":3,"players":0,"limit_ms":60000,"remaining_ms":60000,"answered":0{q}}}"#
    )
    .into()
}

async fn ws(State(shared): State<Shared>, ws: WebSocketUpgrade) -> Response {
    let ws = ws
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(64 * 1024)
        .max_message_size(4 * 1024)
        .max_frame_size(4 * 1024);
    ws.on_upgrade(move |socket| serve(socket, shared))
}

async fn serve(mut socket: WebSocket, shared: Shared) {
    let me = shared.sockets.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut snapshots = shared.snapshot.subscribe();
    snapshots.mark_changed();
    loop {
        tokio::select! {
            changed = snapshots.changed() => {
                if changed.is_err() { break; }
                let text = snapshots.borrow_and_update().clone();
                if socket.send(Message::Text(text)).await.is_err() { break; }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let q: i64 = text.split("\"q\":").nth(1).and_then(|r| r.split([',', '}']).next())
                        .and_then(|n| n.trim().parse().ok()).unwrap_or(0);
                    let fresh = shared.answers.lock().unwrap().insert((me, q));
                    let ack = format!(r#"{{"t":"ack","q":{q},"ok":true,"a":"A","repeat":{},"if_right":150}}"#, !fresh);
                    if socket.send(Message::Text(ack.into())).await.is_err() { break; }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn control(State(shared): State<Shared>, body: String) -> Response {
    let action = body.split('&').find_map(|kv| kv.strip_prefix("action=")).unwrap_or("");
    let mut n = shared.question.lock().unwrap();
    let text = match action {
        "next" => {
            *n += 1;
            snapshot("open", *n)
        }
        "reveal" => snapshot("reveal", *n),
        "finish" => snapshot("finished", 0),
        _ => return (StatusCode::BAD_REQUEST, "unknown action").into_response(),
    };
    shared.snapshot.send_replace(text);
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response()
}

async fn answers(State(shared): State<Shared>) -> String {
    shared.answers.lock().unwrap().len().to_string()
}

#[tokio::main]
async fn main() {
    let listen = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".into());
    let shared = Shared {
        snapshot: watch::Sender::new(snapshot("lobby", 0)),
        question: Arc::default(),
        answers: Arc::default(),
        sockets: Arc::default(),
    };
    let app = Router::new()
        .route("/ws", get(ws))
        .route("/control", post(control))
        .route("/answers", get(answers))
        .with_state(shared);
    let listener = tokio::net::TcpListener::bind(&listen).await.expect("bind");
    println!("listening on http://{}", listener.local_addr().unwrap());
    axum::serve(listener, app).await.unwrap();
}
