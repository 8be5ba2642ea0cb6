//! Load generator for the live contest: logs in as the demo committee, sets up a contest of Q
//! questions (30 s each), joins N phones (GET /contest for the CSRF cookie, POST /contest),
//! opens N WebSockets, then for each question: posts `next`, times when each socket sees the
//! question (broadcast latency: from just before the POST to the socket's receipt), answers and
//! times the acknowledgement (send → ack); then `reveal`; at the end `finish`. Prints one JSON
//! line of results. The server must run with a wide guessing budget
//! (`serve --demo --guesses-per-address 1000000`).
//!
//! When each phone answers:
//! - burst (the default, a stress mode): the instant the question arrives, all N at once;
//! - `--think MEDIAN_MS` (a hall of people): after a delay drawn per (phone, question) from a
//!   log-normal distribution with that median and σ = 0.5 (`--sigma`), clipped to 1–15 s:
//!   reading a stem and tapping takes seconds and is skewed right (a few slow readers), as
//!   reaction times are; with a median of 3,500 ms, half answer within 3.5 s, 90 % within
//!   6.6 s, 99 % within 11 s. Seeded (`--seed`, default 1): the same run draws the same delays.
//!
//! The generator shares the machine with the server, so its own cost per message is kept small:
//! a socket counts as ready once it has read its greeting and the lobby (so the first question is
//! not timed behind N greetings still unread); each message is timestamped on receipt before
//! anything else; a question is recognised by
//! finding `"phase":"open"` and its position `"n":` in the text (no JSON parsing); latencies go
//! into each socket task's own vectors, merged at the end (only two atomic counters are shared).
//! It reports the largest message of each kind it received (bytes), and runs on `--workers`
//! tokio threads (default 2, the machine's cores).
//!
//! With `--trivial` it drives `trivial-ws` (the ceiling: same messages, no login, no join, no
//! database): sockets open at `/ws` and the host posts to `/control`.
//!
//! Usage: contest-load [--trivial] [--think MEDIAN_MS] [--sigma S] [--seed S] [--workers W]
//!        URL N [QUESTIONS]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

struct Reply {
    status: u16,
    cookies: Vec<String>,
    location: String,
    body: String,
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
async fn http(addr: &str, method: &str, path: &str, cookies: &[String], form: Option<&str>) -> Reply {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let body = form.unwrap_or("");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if !cookies.is_empty() {
        request += &format!("Cookie: {}\r\n", cookies.join("; "));
    }
    if form.is_some() {
        request +=
            &format!("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n", body.len());
    }
    request += "\r\n";
    request += body;
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut cookies = Vec::new();
    let mut location = String::new();
    for line in head.lines() {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("set-cookie:") {
            cookies.push(line[11..].trim().split(';').next().unwrap_or("").to_owned());
        } else if lower.starts_with("location:") {
            location = line[9..].trim().to_owned();
        }
    }
    Reply { status, cookies, location, body: body.to_owned() }
}

fn between<'a>(text: &'a str, before: &str, after: &str) -> &'a str {
    let start = text.find(before).map(|i| i + before.len()).unwrap_or(0);
    let rest = &text[start..];
    &rest[..rest.find(after).unwrap_or(rest.len())]
}

fn csrf_of(html: &str) -> String {
    between(html, "name=\"csrf-token\" content=\"", "\"").to_owned()
}

fn merge(jar: &mut Vec<String>, new: &[String]) {
    for c in new {
        let name = c.split('=').next().unwrap_or("");
        jar.retain(|old| old.split('=').next() != Some(name));
        jar.push(c.clone());
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// When phones answer (see the module doc).
#[derive(Clone, Copy)]
enum Answering {
    Burst,
    Think { median_ms: f64, sigma: f64, seed: u64 },
}

/// The pause between the last socket's greeting and the first question, and after each reveal.
const SETTLE: Duration = Duration::from_secs(1);
const THINK_MIN_MS: f64 = 1_000.0;
const THINK_MAX_MS: f64 = 15_000.0;

/// splitmix64: a small seeded generator, enough for drawing delays.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Answering {
    /// How long phone `phone` thinks before answering question `q`.
    fn delay(self, phone: usize, q: i64) -> Duration {
        let Answering::Think { median_ms, sigma, seed } = self else { return Duration::ZERO };
        let mut state = seed ^ (phone as u64).wrapping_mul(0x1000_0000_01B3) ^ (q as u64) << 48;
        let unit = |s: &mut u64| ((splitmix(s) >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        // Box–Muller: one standard normal from two uniforms in (0, 1).
        let (u1, u2) = (unit(&mut state), unit(&mut state));
        let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let ms = (median_ms * (sigma * normal).exp()).clamp(THINK_MIN_MS, THINK_MAX_MS);
        Duration::from_micros((ms * 1000.0) as u64)
    }
}

/// The message kinds the generator sizes.
const KINDS: [&str; 6] = ["me", "lobby", "open", "reveal", "finished", "ack"];

/// What one socket saw: its latencies and the largest message of each kind.
#[derive(Default)]
struct Seen {
    /// (question position, ms).
    broadcast_ms: Vec<(i64, f64)>,
    ack_ms: Vec<f64>,
    refused: usize,
    largest: [usize; KINDS.len()],
}

fn kind_of(text: &str) -> Option<usize> {
    let name = if text.contains("\"t\":\"ack\"") {
        "ack"
    } else if text.contains("\"t\":\"me\"") {
        "me"
    } else {
        let phase = between(text, "\"phase\":\"", "\"");
        if phase == "paused" { "open" } else { phase }
    };
    KINDS.iter().position(|k| *k == name)
}

fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    let mut flag = |name: &str| -> Option<String> {
        let i = args.iter().position(|a| a == name)?;
        args.remove(i);
        Some(if name == "--trivial" { String::new() } else { args.remove(i) })
    };
    let trivial = flag("--trivial").is_some();
    let think: Option<f64> = flag("--think").map(|v| v.parse().expect("--think MEDIAN_MS"));
    let sigma: f64 = flag("--sigma").map_or(0.5, |v| v.parse().expect("--sigma S"));
    let seed: u64 = flag("--seed").map_or(1, |v| v.parse().expect("--seed S"));
    let workers: usize = flag("--workers").map_or(2, |v| v.parse().expect("--workers W"));
    let answering = match think {
        Some(median_ms) => Answering::Think { median_ms, sigma, seed },
        None => Answering::Burst,
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(args, trivial, answering, workers));
}

async fn run(args: Vec<String>, trivial: bool, answering: Answering, workers: usize) {
    let url = args.get(1).expect("URL").trim_end_matches('/').to_owned();
    let addr = url.trim_start_matches("http://").to_owned();
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let questions: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    let (id, jar, csrf, tokens, join_s) = if trivial {
        (0, Vec::new(), String::new(), vec![String::new(); n], 0.0)
    } else {
        // The host: the demo committee.
        let mut jar = Vec::new();
        let page = http(&addr, "GET", "/login", &jar, None).await;
        merge(&mut jar, &page.cookies);
        let form = format!("phone=13900000001&password=dongxun2021&csrf={}", csrf_of(&page.body));
        let login = http(&addr, "POST", "/login", &jar, Some(&form)).await;
        merge(&mut jar, &login.cookies);
        let page = http(&addr, "GET", "/contests", &jar, None).await;
        let csrf = csrf_of(&page.body);
        let form = format!(
            "title={}&mode=individual&seconds=30&category=&count={questions}&csrf={csrf}",
            enc("压测竞赛")
        );
        let made = http(&addr, "POST", "/contests", &jar, Some(&form)).await;
        assert_eq!(made.status, 303, "contest set up: {}", made.body);
        let id: i64 = made.location.rsplit('/').next().unwrap().parse().unwrap();
        let show = http(&addr, "GET", &format!("/contests/{id}"), &jar, None).await;
        let code = between(&show.body, "id=\"join-code\">", "<").to_owned();
        eprintln!("contest {id}, code {code}");

        // N phones join.
        let started = Instant::now();
        let gate = Arc::new(Semaphore::new(32));
        let mut joins = Vec::new();
        for i in 0..n {
            let (addr, code, gate) = (addr.clone(), code.clone(), gate.clone());
            joins.push(tokio::spawn(async move {
                let _slot = gate.acquire().await.unwrap();
                let page = http(&addr, "GET", "/contest", &[], None).await;
                let form = format!(
                    "code={code}&name={}&phone=139{i:08}&csrf={}",
                    enc(&format!("选手{i}")),
                    csrf_of(&page.body)
                );
                let joined = http(&addr, "POST", "/contest", &page.cookies, Some(&form)).await;
                assert_eq!(joined.status, 303, "join {i}: {}", joined.body);
                joined.cookies.into_iter().find(|c| c.starts_with("dx_contest_")).expect("token cookie")
            }));
        }
        let mut tokens = Vec::with_capacity(n);
        for j in joins {
            tokens.push(j.await.unwrap());
        }
        let join_s = started.elapsed().as_secs_f64();
        eprintln!("{n} joined in {join_s:.1} s");
        (id, jar, csrf, tokens, join_s)
    };

    // N sockets. The clock every socket measures the broadcast from: nanoseconds since `epoch`
    // at which the host's `next` was posted.
    let started = Instant::now();
    let epoch = Instant::now();
    let opened_at = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let mut sockets = Vec::new();
    let gate = Arc::new(Semaphore::new(256));
    let ready = Arc::new(tokio::sync::Barrier::new(n + 1));
    for (phone, token) in tokens.into_iter().enumerate() {
        let url = if trivial { format!("ws://{addr}/ws") } else { format!("ws://{addr}/contest/{id}/ws") };
        let (opened_at, answered, gate, ready) =
            (opened_at.clone(), answered.clone(), gate.clone(), ready.clone());
        sockets.push(tokio::spawn(async move {
            let mut request = url.into_client_request().unwrap();
            if !token.is_empty() {
                request.headers_mut().insert("Cookie", token.parse().unwrap());
            }
            let mut ws = {
                let _slot = gate.acquire().await.unwrap();
                tokio_tungstenite::connect_async(request).await.expect("socket").0
            };
            // Ready once the socket has read what a connection is sent first (dongxun's "me",
            // then the lobby): a hall's phones connect well before the host starts, and the
            // first question should not be timed behind 10,000 greetings still unread.
            let mut seen = Seen::default();
            while let Some(Ok(message)) = ws.next().await {
                let Message::Text(text) = message else { continue };
                if let Some(kind) = kind_of(&text) {
                    seen.largest[kind] = seen.largest[kind].max(text.len());
                }
                if text.contains("\"t\":\"state\"") {
                    break;
                }
            }
            ready.wait().await;
            let mut sent_at = Instant::now();
            let mut last_q = 0;
            while let Some(Ok(message)) = ws.next().await {
                let received = Instant::now();
                let Message::Text(text) = message else { continue };
                let Some(kind) = kind_of(&text) else { continue };
                seen.largest[kind] = seen.largest[kind].max(text.len());
                match KINDS[kind] {
                    "open" if text.contains("\"phase\":\"open\"") => {
                        let q: i64 = between(&text, "\"n\":", ",").parse().unwrap_or(0);
                        if q <= last_q {
                            continue;
                        }
                        last_q = q;
                        let opened = epoch + Duration::from_nanos(opened_at.load(Ordering::Acquire));
                        let took = received.saturating_duration_since(opened).as_secs_f64() * 1000.0;
                        seen.broadcast_ms.push((q, took));
                        let answer = match between(&text, "\"kind\":\"", "\"") {
                            "judge" => "正确",
                            "blank" => "答案",
                            _ => "A",
                        };
                        let think = answering.delay(phone, q);
                        if !think.is_zero() {
                            tokio::time::sleep(think).await;
                        }
                        sent_at = Instant::now();
                        let _ =
                            ws.send(Message::Text(format!("{{\"q\":{q},\"a\":\"{answer}\"}}").into())).await;
                    }
                    "ack" => {
                        if text.contains("\"ok\":true") {
                            seen.ack_ms.push(received.duration_since(sent_at).as_secs_f64() * 1000.0);
                        } else {
                            seen.refused += 1;
                        }
                        answered.fetch_add(1, Ordering::Release);
                    }
                    "finished" => break,
                    _ => {}
                }
            }
            seen
        }));
    }
    ready.wait().await;
    let connect_s = started.elapsed().as_secs_f64();
    eprintln!("{n} sockets open in {connect_s:.1} s");
    // Let the N tasks the barrier woke settle back into waiting before the first question.
    tokio::time::sleep(SETTLE).await;

    let control = |action: &'static str| {
        let (addr, jar, csrf) = (addr.clone(), jar.clone(), csrf.clone());
        async move {
            let path = if trivial { "/control".to_owned() } else { format!("/contests/{id}/control") };
            let r = http(&addr, "POST", &path, &jar, Some(&format!("action={action}&csrf={csrf}"))).await;
            assert_eq!(r.status, 303, "{action}: {}", r.body);
        }
    };
    for q in 0..questions {
        opened_at.store(epoch.elapsed().as_nanos() as u64, Ordering::Release);
        control("next").await;
        let deadline = Instant::now() + Duration::from_secs(60);
        while answered.load(Ordering::Acquire) < n * (q + 1) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        control("reveal").await;
        // A host leaves the answer and the leaderboard up for a while: the reveal's own
        // broadcast has reached every phone before the next question is timed.
        tokio::time::sleep(SETTLE).await;
    }
    control("finish").await;
    let mut all = Seen::default();
    for s in sockets {
        if let Ok(Ok(seen)) = tokio::time::timeout(Duration::from_secs(10), s).await {
            all.broadcast_ms.extend(seen.broadcast_ms);
            all.ack_ms.extend(seen.ack_ms);
            all.refused += seen.refused;
            for (big, one) in all.largest.iter_mut().zip(seen.largest) {
                *big = (*big).max(one);
            }
        }
    }
    all.ack_ms.sort_by(f64::total_cmp);
    let by_question: Vec<String> = (1..=questions as i64)
        .map(|q| {
            let mut ms: Vec<f64> = all.broadcast_ms.iter().filter(|b| b.0 == q).map(|b| b.1).collect();
            ms.sort_by(f64::total_cmp);
            format!("[{:.0},{:.0}]", pct(&ms, 0.5), pct(&ms, 0.99))
        })
        .collect();
    let mut broadcast_ms: Vec<f64> = all.broadcast_ms.iter().map(|b| b.1).collect();
    broadcast_ms.sort_by(f64::total_cmp);
    let sizes: Vec<String> = KINDS.iter().zip(all.largest).map(|(k, b)| format!("\"{k}\":{b}")).collect();
    let mode = match answering {
        Answering::Burst => "\"burst\"".to_owned(),
        Answering::Think { median_ms, sigma, seed } => {
            format!("\"think lognormal median {median_ms} ms sigma {sigma} seed {seed}\"")
        }
    };
    println!(
        "{{\"contest\":{id},\"contestants\":{n},\"questions\":{questions},\"answering\":{mode},\"workers\":{workers},\
         \"join_s\":{join_s:.1},\"connect_s\":{connect_s:.1},\
         \"broadcast_p50_ms\":{:.1},\"broadcast_p99_ms\":{:.1},\"broadcast_max_ms\":{:.1},\"ack_p50_ms\":{:.1},\"ack_p99_ms\":{:.1},\
         \"ack_max_ms\":{:.1},\"acks\":{},\"refused\":{},\"largest_message_bytes\":{{{}}},\
         \"broadcast_p50_p99_by_question\":[{}]}}",
        pct(&broadcast_ms, 0.5),
        pct(&broadcast_ms, 0.99),
        pct(&broadcast_ms, 1.0),
        pct(&all.ack_ms, 0.5),
        pct(&all.ack_ms, 0.99),
        pct(&all.ack_ms, 1.0),
        all.ack_ms.len(),
        all.refused,
        sizes.join(","),
        by_question.join(",")
    );
}
