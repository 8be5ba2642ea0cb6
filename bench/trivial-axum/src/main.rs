//! The ceiling for `bench/members_page.py`: the cheapest page an axum 0.8 + tokio server can
//! serve — a fixed, small HTML string, no database, no templates, no middleware — on the same
//! kind of multi-threaded runtime `dongxun serve` uses.
//!
//! Usage: trivial-axum [ADDR]   (default 127.0.0.1:0; prints "listening on http://ADDR")

use axum::Router;
use axum::response::Html;
use axum::routing::get;

const PAGE: &str = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<title>党员名册</title></head><body><h1>党员名册</h1><p>共 0 人</p></body></html>";

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    let app = Router::new().route("/", get(page)).route("/members", get(page));
    println!("listening on http://{}", listener.local_addr().expect("addr"));
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("signal");
            tokio::select! { _ = term.recv() => {}, _ = tokio::signal::ctrl_c() => {} }
        })
        .await
        .expect("serve");
}
