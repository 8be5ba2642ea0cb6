//! The state snapshots a room broadcasts, as JSON text built once per change. The host screen's:
//! the phase, the question (without its answer until revealed), the time left, how many
//! answered, and at a reveal the answer spread and the leaderboard's top ten. A phone's is only
//! what `play.js` shows (phase, question, time, players, the correct answer at a reveal): no
//! count, spread or board, so at 10,000 phones a question costs one small message each and the
//! answered count, republished each second, goes to the screen alone.

use std::time::Instant;

use serde_json::{Value, json};

use super::live::{Audience, Inner, Phase, Room};
use super::model::{self, Standing};
use crate::quiz::model::{FALSE, QuestionKind, TRUE};

/// How many lines of the leaderboard a snapshot carries.
pub const BOARD_LINES: usize = 10;

/// The standings from the room's totals.
pub(super) fn standings_of(inner: &Inner) -> Vec<Standing> {
    model::standings(inner.totals.iter().map(|(id, (name, total))| (*id, name.clone(), *total)).collect())
}

/// The snapshot of `room` as it is in `inner`, for the screen or for the phones.
pub(super) fn render(room: &Room, inner: &Inner, audience: Audience) -> String {
    let limit_ms = room.limit.as_millis() as i64;
    let (phase, index, remaining_ms) = match inner.phase {
        Phase::Lobby { .. } => ("lobby", None, 0),
        Phase::Open { index, deadline } => {
            ("open", Some(index), deadline.saturating_duration_since(Instant::now()).as_millis() as i64)
        }
        Phase::Paused { index, remaining } => ("paused", Some(index), remaining.as_millis() as i64),
        Phase::Reveal { index } => ("reveal", Some(index), 0),
        Phase::Finished => ("finished", None, 0),
    };
    let screen = audience == Audience::Screen;
    let mut state = json!({
        "t": "state",
        "phase": phase,
        "of": room.questions.len(),
        "players": inner.totals.len(),
        "limit_ms": limit_ms,
        "remaining_ms": remaining_ms,
    });
    if screen {
        state["title"] = Value::from(room.title.as_str());
        state["mode"] = Value::from(room.mode.label());
        state["answered"] = Value::from(inner.current.len());
    }
    if let Some(index) = index {
        let q = &room.questions[index];
        state["q"] = json!({
            "n": q.position,
            "kind": q.kind.code(),
            "label": q.kind.label(),
            "stem": q.stem,
            "options": q.options.iter().map(|(l, o)| json!([l.to_string(), o])).collect::<Vec<_>>(),
        });
        if phase == "reveal" {
            state["correct"] = Value::from(q.key.clone());
            if screen {
                state["spread"] = spread(q.kind, &q.options, &q.key, inner);
            }
        }
    }
    if screen && matches!(phase, "reveal" | "finished" | "lobby") {
        let all = standings_of(inner);
        let board: &[Standing] = &all[..all.len().min(BOARD_LINES)];
        state["board"] = serde_json::to_value(board).unwrap_or_default();
    }
    state.to_string()
}

/// How the answers spread: per option letter (a multiple choice counts each letter chosen), per
/// judgement, or right and wrong for a blank.
fn spread(kind: QuestionKind, options: &[(char, String)], key: &str, inner: &Inner) -> Value {
    let answers = inner.current.values().map(|(a, _)| a.as_str());
    let choices: Vec<String> = match kind {
        QuestionKind::Single | QuestionKind::Multiple => options.iter().map(|(l, _)| l.to_string()).collect(),
        QuestionKind::Judge => vec![TRUE.into(), FALSE.into()],
        QuestionKind::Blank => vec!["答对".into(), "答错".into()],
    };
    let mut counts = vec![0usize; choices.len()];
    for answer in answers {
        for (i, choice) in choices.iter().enumerate() {
            let hit = match kind {
                QuestionKind::Single | QuestionKind::Multiple => answer.contains(choice.as_str()),
                QuestionKind::Judge => answer == choice,
                QuestionKind::Blank => model::is_correct(kind, key, answer) == (i == 0),
            };
            counts[i] += usize::from(hit);
        }
    }
    choices.into_iter().zip(counts).map(|(c, n)| json!([c, n])).collect()
}
