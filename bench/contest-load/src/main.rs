//! Load generator for the live contest: logs in as the demo committee, sets up a contest of Q
//! questions, joins N phones (GET /contest for the CSRF cookie, POST /contest), opens N
//! WebSockets, then for each question: posts `next`, times when each socket sees the question
//! (broadcast latency), answers at once and times the acknowledgement; then `reveal`; at the end
//! `finish`. Prints one JSON line of results. The server must run with a wide guessing budget
//! (`serve --demo --guesses-per-address 1000000`).
//!
//! With `--trivial` it drives `trivial-ws` (the ceiling: same messages, no login, no join, no
//! database): sockets open at `/ws` and the host posts to `/control`.
//!
//! Usage: contest-load [--trivial] URL N [QUESTIONS]

use std::sync::{Arc, Mutex};
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

#[derive(Default)]
struct Timings {
    broadcast_ms: Vec<f64>,
    ack_ms: Vec<f64>,
    acks: usize,
    refused: usize,
}

#[tokio::main]
async fn main() {
    let trivial = std::env::args().any(|a| a == "--trivial");
    let args: Vec<String> = std::env::args().filter(|a| a != "--trivial").collect();
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
            "title={}&mode=individual&seconds=60&category=&count={questions}&csrf={csrf}",
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

    // N sockets.
    let started = Instant::now();
    let timings = Arc::new(Mutex::new(Timings::default()));
    let opened_at = Arc::new(Mutex::new(Instant::now()));
    let mut sockets = Vec::new();
    let gate = Arc::new(Semaphore::new(256));
    let ready = Arc::new(tokio::sync::Barrier::new(n + 1));
    for token in tokens {
        let url = if trivial { format!("ws://{addr}/ws") } else { format!("ws://{addr}/contest/{id}/ws") };
        let (timings, opened_at, gate, ready) =
            (timings.clone(), opened_at.clone(), gate.clone(), ready.clone());
        sockets.push(tokio::spawn(async move {
            let mut request = url.into_client_request().unwrap();
            if !token.is_empty() {
                request.headers_mut().insert("Cookie", token.parse().unwrap());
            }
            let mut ws = {
                let _slot = gate.acquire().await.unwrap();
                tokio_tungstenite::connect_async(request).await.expect("socket").0
            };
            ready.wait().await;
            let mut sent_at = Instant::now();
            let mut last_q = 0;
            while let Some(Ok(message)) = ws.next().await {
                let Message::Text(text) = message else { continue };
                if text.contains("\"t\":\"state\"") && text.contains("\"phase\":\"open\"") {
                    let q: i64 = between(&text, "\"n\":", ",").parse().unwrap_or(0);
                    if q > last_q {
                        last_q = q;
                        let since = opened_at.lock().unwrap().elapsed().as_secs_f64() * 1000.0;
                        timings.lock().unwrap().broadcast_ms.push(since);
                        sent_at = Instant::now();
                        let answer = match between(&text, "\"kind\":\"", "\"") {
                            "judge" => "正确",
                            "blank" => "答案",
                            _ => "A",
                        };
                        let _ =
                            ws.send(Message::Text(format!("{{\"q\":{q},\"a\":\"{answer}\"}}").into())).await;
                    }
                } else if text.contains("\"t\":\"ack\"") {
                    let took = sent_at.elapsed().as_secs_f64() * 1000.0;
                    // A plain lock held for a push (no await inside): 10,000 tasks queueing on an
                    // async mutex would measure the generator, not the server.
                    let mut t = timings.lock().unwrap();
                    if text.contains("\"ok\":true") {
                        t.acks += 1;
                        t.ack_ms.push(took);
                    } else {
                        t.refused += 1;
                    }
                } else if text.contains("\"phase\":\"finished\"") {
                    break;
                }
            }
        }));
    }
    ready.wait().await;
    let connect_s = started.elapsed().as_secs_f64();
    eprintln!("{n} sockets open in {connect_s:.1} s");

    let control = |action: &'static str| {
        let (addr, jar, csrf) = (addr.clone(), jar.clone(), csrf.clone());
        async move {
            let path = if trivial { "/control".to_owned() } else { format!("/contests/{id}/control") };
            let r = http(&addr, "POST", &path, &jar, Some(&format!("action={action}&csrf={csrf}"))).await;
            assert_eq!(r.status, 303, "{action}: {}", r.body);
        }
    };
    for q in 0..questions {
        *opened_at.lock().unwrap() = Instant::now();
        control("next").await;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let answered = {
                let t = timings.lock().unwrap();
                t.acks + t.refused
            };
            if answered >= n * (q + 1) || Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        control("reveal").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    control("finish").await;
    for s in sockets {
        let _ = tokio::time::timeout(Duration::from_secs(10), s).await;
    }
    let mut t = timings.lock().unwrap();
    t.broadcast_ms.sort_by(f64::total_cmp);
    t.ack_ms.sort_by(f64::total_cmp);
    println!(
        "{{\"contest\":{id},\"contestants\":{n},\"questions\":{questions},\"join_s\":{join_s:.1},\"connect_s\":{connect_s:.1},\
         \"broadcast_p50_ms\":{:.1},\"broadcast_p99_ms\":{:.1},\"broadcast_max_ms\":{:.1},\"ack_p50_ms\":{:.1},\"ack_p99_ms\":{:.1},\
         \"acks\":{},\"refused\":{}}}",
        pct(&t.broadcast_ms, 0.5),
        pct(&t.broadcast_ms, 0.99),
        pct(&t.broadcast_ms, 1.0),
        pct(&t.ack_ms, 0.5),
        pct(&t.ack_ms, 0.99),
        t.acks,
        t.refused
    );
}
