//! Live contests in memory ([`ContestRooms`], a sub-state of `AppState`): where each contest is
//! (lobby, a question open or paused, its answer revealed, finished), the totals, and the state
//! snapshots the host screen and the phones receive through two `watch` channels (a phone's is
//! slimmer: `snapshot.rs`): each is built once per change and shared (`Utf8Bytes` clones are
//! reference counts), so a broadcast costs no work per contestant beyond the send. What changes
//! often is throttled: the answered count reaches the screen at most each second and never the
//! phones; joins republish the lobby at most each second, however many phones join. The durable facts (answers, skips, status) are
//! in the database; a room is rebuilt from them when first asked for after a restart.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::watch;

use super::answers::AnswerWriter;
use super::model::{self, Mode, Status};
use super::snapshot;
use super::store::{self, Contest};
use crate::db::Db;
use crate::quiz::model::QuestionKind;

/// How often a room checks its deadline and republishes the answered count.
const TICK: Duration = Duration::from_millis(200);
/// Least time between two snapshots that only update the answered count or the players.
pub const COUNT_EVERY: Duration = Duration::from_secs(1);

/// Every live contest of this server, by id.
#[derive(Clone, Default)]
pub struct ContestRooms(Arc<tokio::sync::Mutex<HashMap<i64, Arc<Room>>>>);

impl ContestRooms {
    /// The contest's room, loaded from the database the first time (and after a restart).
    pub async fn room(&self, db: &Db, contest: &Contest) -> Result<Arc<Room>, sqlx::Error> {
        let mut rooms = self.0.lock().await;
        if let Some(room) = rooms.get(&contest.id) {
            return Ok(room.clone());
        }
        let room = Arc::new(Room::load(db, contest).await?);
        tokio::spawn(tick(Arc::downgrade(&room)));
        rooms.insert(contest.id, room.clone());
        Ok(room)
    }

    /// Forgets a finished contest; phones still connected keep its last snapshot.
    pub async fn forget(&self, contest_id: i64) {
        self.0.lock().await.remove(&contest_id);
    }
}

/// One question as the room asks it.
#[derive(Debug, Clone)]
pub struct Asked {
    /// 1, 2, …
    pub position: i64,
    /// Its kind.
    pub kind: QuestionKind,
    /// 题干.
    pub stem: String,
    /// Lettered options (choices only).
    pub options: Vec<(char, String)>,
    /// The stored answer.
    pub key: String,
}

/// Where a contest is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the host; `next` is the index of the question to open.
    Lobby { next: usize },
    /// A question is open until `deadline`.
    Open { index: usize, deadline: Instant },
    /// A question is paused with `remaining` time.
    Paused { index: usize, remaining: Duration },
    /// A question's answer is shown.
    Reveal { index: usize },
    /// Results are fixed.
    Finished,
}

/// Who a snapshot is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A contestant's phone.
    Phone,
    /// The host screen (the projector).
    Screen,
}

/// What the host may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Open the next question (开始 / 下一题).
    Next,
    /// Stop the clock.
    Pause,
    /// Restart the clock.
    Resume,
    /// Show the answer now.
    Reveal,
    /// Void this question and move on.
    Skip,
    /// End the contest.
    Finish,
}

/// The mutable part of a room.
pub(super) struct Inner {
    pub(super) phase: Phase,
    /// Entrant → (name, total).
    pub(super) totals: HashMap<i64, (String, i64)>,
    /// Entrant → (answer, score) for the question open or revealed.
    pub(super) current: HashMap<i64, (String, i64)>,
    /// Skipped question positions.
    pub(super) skipped: HashSet<i64>,
    /// Phones connected now.
    pub(super) connected: usize,
    published_answered: usize,
    published_players: usize,
    published_at: Instant,
}

/// One live contest.
pub struct Room {
    /// The contest's id.
    pub contest_id: i64,
    /// 竞赛名称.
    pub title: String,
    /// Individual or team.
    pub mode: Mode,
    /// The time limit of each question.
    pub limit: Duration,
    /// The questions in order.
    pub questions: Vec<Asked>,
    inner: Mutex<Inner>,
    screen: watch::Sender<Utf8Bytes>,
    phones: watch::Sender<Utf8Bytes>,
    /// Stores the phones' answers, many per commit.
    pub(super) answers: AnswerWriter,
}

/// Why an answer was not taken.
pub const CLOSED: &str = "本题已截止作答";

impl Room {
    async fn load(db: &Db, contest: &Contest) -> Result<Room, sqlx::Error> {
        let slots = store::slots(db, contest.id).await?;
        let ids: Vec<i64> = slots.iter().map(|s| s.question_id).collect();
        let bank = crate::quiz::pick::by_ids(db, &ids).await?;
        let questions = slots
            .iter()
            .zip(bank)
            .map(|(slot, q)| Asked {
                position: slot.position,
                kind: q.kind,
                options: q.lettered_options().into_iter().filter(|(_, o)| !o.is_empty()).collect(),
                stem: q.stem,
                key: q.answer,
            })
            .collect();
        let totals = store::totals(db, contest.id).await?;
        let skipped: HashSet<i64> = slots.iter().filter(|s| s.skipped).map(|s| s.position).collect();
        let answered = store::answers(db, contest.id).await?;
        let next = answered.iter().map(|(position, ..)| *position as usize).max().unwrap_or(0);
        let phase = if contest.status == Status::Finished { Phase::Finished } else { Phase::Lobby { next } };
        let inner = Inner {
            phase,
            totals: totals.into_iter().map(|(id, name, total)| (id, (name, total))).collect(),
            current: HashMap::new(),
            skipped,
            connected: 0,
            published_answered: 0,
            published_players: 0,
            published_at: Instant::now(),
        };
        let room = Room {
            contest_id: contest.id,
            title: contest.title.clone(),
            mode: contest.mode,
            limit: Duration::from_secs(contest.seconds_per_question as u64),
            questions,
            inner: Mutex::new(inner),
            screen: watch::Sender::new(Utf8Bytes::from_static("{}")),
            phones: watch::Sender::new(Utf8Bytes::from_static("{}")),
            answers: AnswerWriter::start(db.clone()),
        };
        room.publish(&mut room.lock());
        Ok(room)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A receiver of the room's snapshots for `audience` (the current one is marked unseen).
    pub fn subscribe(&self, audience: Audience) -> watch::Receiver<Utf8Bytes> {
        let mut rx = match audience {
            Audience::Phone => self.phones.subscribe(),
            Audience::Screen => self.screen.subscribe(),
        };
        rx.mark_changed();
        rx
    }

    /// Where the contest is now.
    pub fn phase(&self) -> Phase {
        self.lock().phase
    }

    /// Counts an entrant in (a new phone joined); their total stays as it is. The new count is
    /// published now if nothing was in the last second, else by the tick: a hall of phones
    /// joining at once costs each connected socket one snapshot a second, not one per join.
    pub fn enroll(&self, entrant_id: i64, name: &str) {
        let mut inner = self.lock();
        inner.totals.entry(entrant_id).or_insert_with(|| (name.to_owned(), 0));
        if inner.published_at.elapsed() >= COUNT_EVERY {
            self.publish(&mut inner);
        }
    }

    /// A phone connected (`+1`) or left (`-1`).
    pub fn connected(&self, delta: isize) {
        let mut inner = self.lock();
        inner.connected = inner.connected.saturating_add_signed(delta);
    }

    /// Applies a host control; returns the position to mark skipped (for the database), or the
    /// Chinese reason it does not apply now.
    pub fn control(&self, control: Control) -> Result<Option<i64>, &'static str> {
        let mut inner = self.lock();
        let now = Instant::now();
        let mut skipped = None;
        inner.phase = match (control, inner.phase) {
            (_, Phase::Finished) => return Err("竞赛已结束"),
            (Control::Finish, _) => Phase::Finished,
            (Control::Next, Phase::Lobby { next }) => self.open(&mut inner, next, now)?,
            (Control::Next, Phase::Reveal { index }) => self.open(&mut inner, index + 1, now)?,
            (Control::Pause, Phase::Open { index, deadline }) => {
                Phase::Paused { index, remaining: deadline.saturating_duration_since(now) }
            }
            (Control::Resume, Phase::Paused { index, remaining }) => {
                Phase::Open { index, deadline: now + remaining }
            }
            (Control::Reveal, Phase::Open { index, .. } | Phase::Paused { index, .. }) => {
                Phase::Reveal { index }
            }
            (
                Control::Skip,
                Phase::Open { index, .. } | Phase::Paused { index, .. } | Phase::Reveal { index },
            ) => {
                let position = self.questions[index].position;
                let voided: Vec<(i64, i64)> = inner.current.drain().map(|(e, (_, s))| (e, s)).collect();
                for (entrant, score) in voided {
                    if let Some(total) = inner.totals.get_mut(&entrant) {
                        total.1 -= score;
                    }
                }
                inner.skipped.insert(position);
                skipped = Some(position);
                Phase::Lobby { next: index + 1 }
            }
            _ => return Err("现在不能这样操作"),
        };
        self.publish(&mut inner);
        Ok(skipped)
    }

    fn open(&self, inner: &mut Inner, index: usize, now: Instant) -> Result<Phase, &'static str> {
        if index >= self.questions.len() {
            return Err("题目已全部答完，请点“结束竞赛”");
        }
        inner.current.clear();
        Ok(Phase::Open { index, deadline: now + self.limit })
    }

    /// Checks an answer to `position` may be taken now; returns the question and the time left.
    pub fn open_question(&self, position: i64) -> Result<(Asked, Duration), &'static str> {
        let inner = self.lock();
        match inner.phase {
            Phase::Open { index, deadline } if self.questions[index].position == position => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() { Err(CLOSED) } else { Ok((self.questions[index].clone(), left)) }
            }
            Phase::Paused { index, .. } if self.questions[index].position == position => {
                Err("暂停中，请稍候")
            }
            _ => Err(CLOSED),
        }
    }

    /// Counts a stored answer (new ones only) into the question's spread and the totals.
    pub fn counted(&self, position: i64, entrant_id: i64, answer: &str, score: i64) {
        let mut inner = self.lock();
        let current = match inner.phase {
            Phase::Open { index, .. } | Phase::Paused { index, .. } | Phase::Reveal { index } => {
                self.questions[index].position == position
            }
            _ => false,
        };
        if !current || inner.skipped.contains(&position) {
            return;
        }
        inner.current.insert(entrant_id, (answer.to_owned(), score));
        if let Some(total) = inner.totals.get_mut(&entrant_id) {
            total.1 += score;
        }
    }

    /// The entrant's total, less what the question still unrevealed gave them (so a phone does
    /// not learn early whether it was right), and that question's answer if they gave one.
    pub fn resume_for(&self, entrant_id: i64) -> (i64, Option<(i64, String)>) {
        let inner = self.lock();
        let total = inner.totals.get(&entrant_id).map_or(0, |t| t.1);
        match inner.phase {
            Phase::Open { index, .. } | Phase::Paused { index, .. } => match inner.current.get(&entrant_id) {
                Some((answer, score)) => {
                    (total - score, Some((self.questions[index].position, answer.clone())))
                }
                None => (total, None),
            },
            _ => (total, None),
        }
    }

    /// The standings now.
    pub fn standings(&self) -> Vec<model::Standing> {
        let inner = self.lock();
        snapshot::standings_of(&inner)
    }

    /// Publishes the screen's snapshot and the phones'.
    fn publish(&self, inner: &mut Inner) {
        self.publish_screen(inner);
        inner.published_players = inner.totals.len();
        let text = snapshot::render(self, inner, Audience::Phone);
        self.phones.send_replace(Utf8Bytes::from(text));
    }

    /// Publishes the screen's snapshot alone (a new answered count: phones do not show it).
    fn publish_screen(&self, inner: &mut Inner) {
        inner.published_answered = inner.current.len();
        inner.published_at = Instant::now();
        let text = snapshot::render(self, inner, Audience::Screen);
        self.screen.send_replace(Utf8Bytes::from(text));
    }

    /// Closes a question whose time is up, or republishes the players (joins) or the answered
    /// count, each at most once a second; false once the contest is finished.
    fn tick(&self) -> bool {
        let mut inner = self.lock();
        let quiet = inner.published_at.elapsed() >= COUNT_EVERY;
        match inner.phase {
            Phase::Finished => return false,
            Phase::Open { index, deadline } if Instant::now() >= deadline => {
                inner.phase = Phase::Reveal { index };
                self.publish(&mut inner);
            }
            _ if quiet && inner.totals.len() != inner.published_players => self.publish(&mut inner),
            Phase::Open { .. } if quiet && inner.current.len() != inner.published_answered => {
                self.publish_screen(&mut inner);
            }
            _ => {}
        }
        true
    }
}

async fn tick(room: Weak<Room>) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        let Some(room) = room.upgrade() else { return };
        if !room.tick() {
            return;
        }
    }
}
